"""Compensation claims (Articles 12-14, 17-22): intake, two-person review, public notice, decision,
payment, recovery and clawback.

Claim status diagram (each arrow is a Move of `Claim.WORKFLOW`, made through
yunfu_ipfund.audit.workflow.transition by compensation.services)::

    DRAFT --(bank supervisor, not the preparer) submit--> SUBMITTED
    SUBMITTED --(clerk) accept--> ACCEPTED
    SUBMITTED --(clerk) request supplement--> SUPPLEMENT_REQUESTED
    SUPPLEMENT_REQUESTED --(supervisor) resubmit--> SUBMITTED
    SUPPLEMENT_REQUESTED --(deadline passes, reminder action)--> LAPSED
    ACCEPTED --(clerk) first review--> FIRST_REVIEWED
    FIRST_REVIEWED --(approver) joint meeting recorded--> JOINT_MEETING   only if the claim's policy
                                                                          version requires_joint_meeting
    FIRST_REVIEWED | JOINT_MEETING --(approver, never the first reviewer) second review-->
        APPROVED (full or in part, awaiting publication) | REJECTED
    APPROVED --(bureau: clerk or approver) published in a batch--> PUBLIC_NOTICE
    PUBLIC_NOTICE --(clerk rules an objection founded)--> FIRST_REVIEWED (second review again)
    PUBLIC_NOTICE --(period ended, no objection awaiting a ruling: the approver decides)--> DECIDED
    DECIDED --(fund short, or claims queued ahead)--> QUEUED
    DECIDED --(approver) payment instruction--> PAYMENT_INSTRUCTED
    QUEUED --(money arrives: pay_queue, in decision order)--> PAYMENT_INSTRUCTED
    PAYMENT_INSTRUCTED --(finance confirms voucher and value date)--> PAID
    PAID --(first recovery report countersigned by the bank supervisor)--> RECOVERY
    PAID | RECOVERY --(approver: write-off or full recovery)--> CLOSED
    DECIDED | QUEUED | PAYMENT_INSTRUCTED | PAID | RECOVERY | CLOSED --(approver) rescind--> RESCINDED

The decision commits the amount in the fund ledger when the fund can carry it (fund.services); a
claim the fund cannot carry yet is QUEUED without a commitment and is committed, in decision order,
when money arrives (compensation.services.pay_queue). The payment instruction is therefore only ever
issued for committed money, and finance's confirmation posts the payout once (key claim-<id>-payout).

The numbers (deadlines, share, caps) come from `policy_version`, the version in force on the day the
claim was first submitted; until then the version in force today is shown.

Every move is declared once below (who may, from where, what a repeat does, the guards in
compensation.guards); a repeated decision is a 409 (CONFLICT) everywhere in this app, because
somebody else already made it.
"""

from .claims import (
    Claim,
    ClaimEvidence,
    ClaimReduction,
    ClaimReview,
    SupplementRequest,
)
from .publicity import Objection, PublicNoticeBatch
from .recoveries import ClaimChange, Clawback, Recovery

__all__ = [
    "Claim",
    "ClaimChange",
    "ClaimEvidence",
    "ClaimReduction",
    "ClaimReview",
    "Clawback",
    "Objection",
    "PublicNoticeBatch",
    "Recovery",
    "SupplementRequest",
]
