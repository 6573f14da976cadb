"""Reads of compensation records, scoped to the user (a bank sees its own claims; bureau and finance all)."""

from django.db.models import Q

from fund.models import Posting
from lenders.models import CoveredLoan
from yunfu_ipfund.accounts.selectors import access, scope_to_org
from yunfu_ipfund.common.errors import NotFound

from .models import Claim, Clawback, PublicNoticeBatch, Recovery

S = Claim.Status


def claims_visible_to(user):
    claims = Claim.objects.select_related("bank", "covered_loan__enterprise", "batch")
    return scope_to_org(claims, user, "bank")


def access_claim(user, pk):
    return access(claims_visible_to(user), pk)


def access_evidence(user, claim_pk, pk):
    claim = access_claim(user, claim_pk)
    item = claim.evidence.filter(pk=pk, not_applicable=False).first()
    if item is None:
        raise NotFound()
    return item


def access_recovery(user, pk):
    return access(scope_to_org(Recovery.objects.select_related("claim__bank"), user, "claim__bank"), pk)


def access_clawback(user, pk):
    return access(scope_to_org(Clawback.objects.select_related("claim__bank"), user, "claim__bank"), pk)


def bureau_queues(user):
    """The bureau's and finance's work, each queue ordered by its deadline."""
    qs = claims_visible_to(user)
    return {
        "intake": qs.filter(status=S.SUBMITTED).order_by("intake_due_on", "id"),
        "review": qs.filter(status__in=[S.ACCEPTED, S.FIRST_REVIEWED, S.JOINT_MEETING]).order_by(
            "review_due_on", "id"
        ),
        "publicity": qs.filter(status=S.APPROVED).order_by("second_reviewed_at", "id"),
        "notice": qs.filter(status=S.PUBLIC_NOTICE).order_by("batch__ends_on", "id"),
        "payment": qs.filter(status__in=[S.DECIDED, S.PAYMENT_INSTRUCTED]).order_by("payment_due_on", "id"),
        "queued": fund_queue(user),
    }


def fund_queue(user):
    """Decided claims waiting for money, in the order they will be paid."""
    return claims_visible_to(user).filter(status=S.QUEUED).order_by("decided_at", "id")


def receipts_due(user):
    recoveries = (
        scope_to_org(Recovery.objects.select_related("claim__bank"), user, "claim__bank")
        .filter(status=Recovery.Status.REPORTED)
        .order_by("return_due_on", "id")
    )
    clawbacks = (
        scope_to_org(Clawback.objects.select_related("claim__bank"), user, "claim__bank")
        .filter(status=Clawback.Status.DEMANDED)
        .order_by("due_on", "id")
    )
    return recoveries, clawbacks


def claim_postings(claim):
    """The fund ledger postings about this claim, its recoveries and its clawback."""
    recovery_ids = [str(pk) for pk in claim.recoveries.values_list("pk", flat=True)]
    return Posting.objects.filter(
        Q(reference_type="compensation.claim", reference_id=str(claim.pk))
        | Q(reference_type="compensation.recovery", reference_id__in=recovery_ids)
    ).order_by("value_date", "id")


def claimable_loans(user):
    """Covered loans of the user's bank that may be claimed now (non-performing)."""
    return (
        scope_to_org(CoveredLoan.objects.select_related("enterprise"), user, "bank")
        .filter(status=CoveredLoan.Status.NON_PERFORMING)
        .order_by("non_performing_on", "id")
    )


def published_batches():
    """What the public sees: batches that were published (masked rows only)."""
    return PublicNoticeBatch.objects.exclude(notice__isnull=True).order_by("-published_at", "-id")


def access_public_batch(pk):
    return access(published_batches(), pk)
