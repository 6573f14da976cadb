"""Every write of a compensation claim, by stage. See the state diagram in compensation.models.Claim.

- `drafting`: the bank prepares a claim and its evidence, the supervisor submits (or resubmits);
- `intake`: the clerk accepts or asks for a supplement; an unsupplemented claim lapses;
- `review`: first review, the joint meeting (2020 Measures), second review and the computation;
- `publicity`: the public notice, objections and the clerk's ruling, the approver's decision once the
  period ends;
- `payment`: commitment or queue, the payment instruction, finance's confirmation;
- `recovery`: recovery reports (drafted, countersigned), returns, closing the claim;
- `clawback`: rescission, the money back, the blacklist;
- `rules` (the checks shown on the claim page) and `common` (what the stages share).

Rules of thumb kept here, and only here:
- bank actions are done by a user of the claim's bank (officer prepares, supervisor submits a claim
  or countersigns a recovery report, never the same person); bureau actions by the clerk (intake,
  first review) and the approver (joint meeting, second review, payment instruction, closing,
  rescission), never the first reviewer deciding; finance confirms money;
- every number comes from the claim's policy version (the version in force when first submitted);
- every move is a Move of the model's WORKFLOW, made through `yunfu_ipfund.audit.workflow.transition`
  and audited; a second person acting on a claim that already moved gets a Conflict, and money posts
  once (fund idempotency keys claim-<id>-payout, claim-<id>-recovery-<n>-return, claim-<id>-clawback);
- notice wording is built by `compensation.documents`, reminders are of the kinds in
  `compensation.reminders`, audit actions other than moves are in `compensation.actions`;
- inputs are typed at the edge (forms, serializers); the services check the rules.

Money arriving outside this app (contributions, interest) reaches `pay_queue` through the fund's
`money_arrived` signal (connected in CompensationConfig.ready), so queued claims are committed in order.
"""

from ..guards import (
    MSG_JOINT_MEETING_FIRST,
    MSG_NO_JOINT_MEETING,
    MSG_NOT_PAYABLE,
    MSG_RECOVERY_DRAFT_OPEN,
    MSG_RECOVERY_STATE,
    MSG_RETURN_OUTSTANDING,
    MSG_SUPPLEMENT_ROUNDS,
)
from .clawback import claim_rescind, clawback_confirm_receipt
from .common import fund_available, policy_of, quarter_end, schedule_recovery_report
from .drafting import (
    MSG_ACTIONS_REQUIRED,
    MSG_EVIDENCE_MISSING,
    MSG_LOAN_NOT_NON_PERFORMING,
    MSG_NOT_EDITABLE,
    MSG_OPEN_CLAIM,
    MSG_PRINCIPAL_OVER_OUTSTANDING,
    claim_can_create,
    claim_can_edit,
    claim_can_prepare_again,
    claim_can_upload,
    claim_create,
    claim_prepare_again,
    claim_submit,
    claim_update,
    evidence_mark_not_applicable,
    evidence_upload,
)
from .intake import MSG_SUPPLEMENT_ITEMS, claim_accept, claim_lapse, claim_request_supplement
from .payment import (
    MSG_VOUCHER_REQUIRED,
    claim_confirm_payment,
    claim_instruct_payment,
    pay_queue,
    pay_queue_when_money_arrives,
)
from .publicity import (
    MSG_ALREADY_RULED,
    MSG_NOT_IN_NOTICE,
    MSG_NOTHING_TO_PUBLISH,
    MSG_OBJECTION_CONTACT,
    MSG_OBJECTION_CONTENT,
    MSG_OBJECTION_LIMIT_CLAIM,
    MSG_OBJECTION_LIMIT_CLIENT,
    MSG_OBJECTION_NAME,
    MSG_OBJECTION_PENDING,
    MSG_PUBLICITY_RUNNING,
    MSG_PUBLISH_DAY,
    MSG_RULING_OUTCOME,
    MSG_RULING_REASON,
    OBJECTION_MAX_CHARS,
    OBJECTION_MIN_CHARS,
    claim_can_decide,
    claim_decide,
    claims_ripe_for_decision,
    decision_due,
    decision_due_of,
    notice_batch_publish,
    objection_can_rule,
    objection_email,
    objection_rule,
    objection_submit,
    pending_objections,
    publicity_period,
)
from .recovery import (
    MSG_RECOVERY_DATE,
    claim_close,
    covered_ratio,
    recovery_can_edit,
    recovery_can_prepare,
    recovery_can_prepare_again,
    recovery_confirm_receipt,
    recovery_countersign,
    recovery_prepare,
    recovery_prepare_again,
    recovery_update,
    recovery_withdraw,
)
from .review import (
    MSG_BAD_OUTCOME,
    MSG_FULL_NO_REDUCTIONS,
    MSG_OPINION_REQUIRED,
    MSG_PARTIAL_NEEDS_REDUCTIONS,
    bank_cap_remaining,
    claim_approve,
    claim_compute,
    claim_first_review,
    claim_joint_meeting,
    claim_reject,
    claim_second_review,
)
from .rules import MSG_WINDOW_CLOSED, claim_checklist, claim_checks, claim_window_end, evidence_states

__all__ = [
    "MSG_ACTIONS_REQUIRED",
    "MSG_BAD_OUTCOME",
    "MSG_EVIDENCE_MISSING",
    "MSG_FULL_NO_REDUCTIONS",
    "MSG_JOINT_MEETING_FIRST",
    "MSG_LOAN_NOT_NON_PERFORMING",
    "MSG_NOTHING_TO_PUBLISH",
    "MSG_NOT_EDITABLE",
    "MSG_NOT_IN_NOTICE",
    "MSG_NOT_PAYABLE",
    "MSG_NO_JOINT_MEETING",
    "MSG_OBJECTION_CONTACT",
    "MSG_OBJECTION_CONTENT",
    "MSG_OBJECTION_NAME",
    "MSG_OPEN_CLAIM",
    "MSG_OPINION_REQUIRED",
    "MSG_PARTIAL_NEEDS_REDUCTIONS",
    "MSG_PRINCIPAL_OVER_OUTSTANDING",
    "MSG_PUBLICITY_RUNNING",
    "MSG_RECOVERY_DATE",
    "MSG_RECOVERY_DRAFT_OPEN",
    "MSG_RECOVERY_STATE",
    "MSG_RETURN_OUTSTANDING",
    "MSG_SUPPLEMENT_ITEMS",
    "MSG_SUPPLEMENT_ROUNDS",
    "MSG_VOUCHER_REQUIRED",
    "MSG_WINDOW_CLOSED",
    "OBJECTION_MAX_CHARS",
    "OBJECTION_MIN_CHARS",
    "MSG_ALREADY_RULED",
    "MSG_OBJECTION_LIMIT_CLAIM",
    "MSG_OBJECTION_LIMIT_CLIENT",
    "MSG_OBJECTION_PENDING",
    "MSG_PUBLISH_DAY",
    "MSG_RULING_OUTCOME",
    "MSG_RULING_REASON",
    "claim_can_decide",
    "claims_ripe_for_decision",
    "decision_due",
    "decision_due_of",
    "objection_can_rule",
    "objection_email",
    "objection_rule",
    "pending_objections",
    "bank_cap_remaining",
    "claim_accept",
    "claim_approve",
    "claim_can_create",
    "claim_can_edit",
    "claim_can_upload",
    "claim_checklist",
    "claim_checks",
    "claim_close",
    "claim_compute",
    "claim_confirm_payment",
    "claim_create",
    "claim_can_prepare_again",
    "claim_prepare_again",
    "recovery_can_prepare_again",
    "recovery_prepare_again",
    "claim_decide",
    "claim_first_review",
    "claim_instruct_payment",
    "claim_joint_meeting",
    "claim_lapse",
    "claim_reject",
    "claim_request_supplement",
    "claim_rescind",
    "claim_second_review",
    "claim_submit",
    "claim_update",
    "claim_window_end",
    "clawback_confirm_receipt",
    "covered_ratio",
    "evidence_mark_not_applicable",
    "evidence_states",
    "evidence_upload",
    "fund_available",
    "notice_batch_publish",
    "objection_submit",
    "pay_queue",
    "pay_queue_when_money_arrives",
    "policy_of",
    "publicity_period",
    "quarter_end",
    "recovery_can_edit",
    "recovery_can_prepare",
    "recovery_confirm_receipt",
    "recovery_countersign",
    "recovery_prepare",
    "recovery_update",
    "recovery_withdraw",
    "schedule_recovery_report",
]
