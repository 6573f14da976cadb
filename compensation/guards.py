"""The rules that admit or refuse a move of a compensation record, beside the moves that declare them.

Each guard takes (obj, user or None for the system) and raises to refuse: NotFound for a user of
another organisation (a record one may not see is "not found"), Forbidden for a person who may not
(four eyes), DomainError for a rule of the object. The moves in `compensation.models` list them;
`audit.workflow.transition` runs them under the lock and `available_moves` runs them to decide the
buttons, so a button is shown exactly when the service would admit the move.

Guards read the object and the version of the Measures in force on the day of the move (`policy_of`,
docs/adr/0003); an unsaved object (the contract test builds them) has nothing recorded against it and
is judged on its fields alone.
"""

from lenders.changes import refuse_if_changed_since_prepared
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import MSG_SAME_PERSON, DomainError, Forbidden, NotFound
from yunfu_ipfund.policy.services import policy_in_force

MSG_SUPPLEMENT_ROUNDS = (
    "本申请已补正 {used} 次，已达《管理办法》规定的补正次数（{rounds} 次）上限，请受理或在审查中作出决定。"
)
MSG_NO_JOINT_MEETING = "该申请适用的《{policy}》不设联席会议审议环节。"
MSG_JOINT_MEETING_FIRST = "该申请适用的《{policy}》要求补偿决定前须经联席会议审议，请先登记联席会议审议情况。"
MSG_NOT_PAYABLE = "该申请尚未取得资金承诺，不能拨付。"
MSG_RETURN_OUTSTANDING = "尚有追偿款未返还，不能结案。"
MSG_RECOVERY_DRAFT_OPEN = "尚有追偿报告待银行复核，不能结案。"
MSG_RECOVERY_STATE = "补偿申请当前状态为“{status}”，不能报告追偿。"


def policy_of(claim, on=None):
    """The version of the Measures that judges a step of `claim`: the one in force on `on` (the day the
    step is taken, or the day that fixes it: the loss event for the claim window, the second review for
    the caps, the receipt for a recovery, the rescission for the blacklist), today when not given.

    The version is NOT pinned to the claim: a 2020-version claim still in review on 2025-09-25 is
    reviewed under the 2025 Measures from that day on (DOMAIN "Which version judges each step";
    docs/adr/0003). `Claim.policy_version` only records the version at first submission. The fund's
    share is not read here: the filing confirmation fixed it on the covered loan."""
    return policy_in_force(on or local_today())


def require_bank_member(user, bank_id):
    """A user of the bank the record belongs to; anyone else (and the system) gets NotFound, never 403."""
    if user is None or not user.is_authenticated or user.organisation_id != bank_id:
        raise NotFound()


def _bank_id(obj):
    if hasattr(obj, "bank_id"):
        return obj.bank_id
    return obj.claim.bank_id if obj.claim_id else None


# --- who ---------------------------------------------------------------------------------------------


def of_the_bank(obj, user):
    """Bank moves are made by a user of the record's bank."""
    if user is not None:
        require_bank_member(user, _bank_id(obj))


def not_the_preparer(claim, user):
    """The supervisor who submits is not the officer who prepared (four eyes)."""
    if user is not None and claim.prepared_by_id == user.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")


def not_changed_by_the_submitter(claim, user):
    """Four eyes by last change: the supervisor who submits did not change the claim or its evidence since
    the officer last prepared it (lenders.changes)."""
    if claim.pk:
        refuse_if_changed_since_prepared(
            claim.changes.filter(recovery__isnull=True), user, move="提交该补偿申请"
        )


def not_the_first_reviewer(claim, user):
    """The approver who decides is not the clerk who did the first review (four eyes)."""
    if user is not None and claim.first_reviewer_id == user.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")


def not_the_recovery_preparer(recovery, user):
    if user is not None and recovery.reported_by_id == user.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")


def recovery_not_changed_by_the_countersigner(recovery, user):
    """Four eyes by last change: the supervisor who countersigns did not change the report or its evidence
    since the officer last prepared it (lenders.changes)."""
    if recovery.pk:
        refuse_if_changed_since_prepared(recovery.changes.all(), user, move="复核该追偿报告")


# --- what --------------------------------------------------------------------------------------------


def supplement_rounds_left(claim, user):
    policy = policy_of(claim)
    used = claim.supplements.count() if claim.pk else 0
    if used >= policy.supplement_rounds:
        raise DomainError(
            MSG_SUPPLEMENT_ROUNDS.format(used=used, rounds=policy.supplement_rounds), code="supplement_rounds"
        )


def joint_meeting_required(claim, user):
    """Only a policy version with a joint-meeting office (the 2020 Measures) has this step."""
    policy = policy_of(claim)
    if not policy.requires_joint_meeting:
        raise DomainError(MSG_NO_JOINT_MEETING.format(policy=policy.title), code="no_joint_meeting")


def joint_meeting_held(claim, user):
    """Under a version with a joint meeting, the second review comes after it."""
    policy = policy_of(claim)
    if policy.requires_joint_meeting and claim.status == type(claim).Status.FIRST_REVIEWED:
        raise DomainError(MSG_JOINT_MEETING_FIRST.format(policy=policy.title), code="joint_meeting_required")


def committed(claim, user):
    """Payment is instructed and confirmed only for money the fund has committed."""
    if claim.commitment_id is None:
        raise DomainError(MSG_NOT_PAYABLE, code="not_committed")


def nothing_outstanding(claim, user):
    """A claim closes only when every recovery report is countersigned and every return received."""
    if not claim.pk:
        return
    RS = claim.recoveries.model.Status
    statuses = set(claim.recoveries.values_list("status", flat=True))
    if RS.REPORTED in statuses:
        raise DomainError(MSG_RETURN_OUTSTANDING, code="return_outstanding")
    if RS.DRAFT in statuses:
        raise DomainError(MSG_RECOVERY_DRAFT_OPEN, code="recovery_draft_open")


def claim_in_recovery(recovery, user):
    """A recovery is reported only on a claim that was paid and is not closed or rescinded."""
    if not recovery.claim_id:
        return
    claim = recovery.claim
    if claim.status not in (claim.Status.PAID, claim.Status.RECOVERY):
        raise DomainError(MSG_RECOVERY_STATE.format(status=claim.get_status_display()), code="wrong_state")
