"""Money in: contributions, interest, recovery returns and clawbacks, recorded by finance from the
special account's statement; and the recovery returns a bank owes (ReturnDue), which the risk checks watch."""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from yunfu_ipfund.accounts.roles import PERM_FINANCE
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    Conflict,
)
from yunfu_ipfund.common.money import ZERO, round_fen

from .. import actions
from ..models import (
    Account,
    Entry,
    PostingKind,
    ReturnDue,
)
from ..signals import money_arrived
from .ledger import (
    MSG_KEY_CONFLICT,
    _amount,
    _bank,
    _day,
    _key,
    _post,
    reference_of,
    require_unless_system,
)


def _receipt(*, by, kind, account, amount, key, value_date, reference, bank, reason, action):
    require_unless_system(by, PERM_FINANCE)
    day = _day(value_date)
    amount = _amount(amount, day)
    posting = _post(
        by=by,
        kind=kind,
        lines=[(Account.CASH, amount), (account, -amount)],
        key=key,
        value_date=day,
        reference=reference_of(reference),
        bank=bank,
        reason=reason,
        action=action,
    )
    transaction.on_commit(lambda: money_arrived.send(sender=type(posting), posting=posting))
    return posting


@transaction.atomic
def contribution_post(*, by, amount, key, value_date=None, reference=None, reason="出资拨入"):
    """A contribution arrived in the special account (the provincial allocation, other contributors)."""
    return _receipt(
        by=by,
        kind=PostingKind.CONTRIBUTION,
        account=Account.CONTRIBUTIONS,
        amount=amount,
        key=key,
        value_date=value_date,
        reference=reference,
        bank=None,
        reason=reason,
        action=actions.CONTRIBUTION_POST,
    )


@transaction.atomic
def interest_post(*, by, amount, key, value_date=None, reference=None, reason="专户利息"):
    """Interest credited by the bank on the special account (rolls into the fund, Art 4)."""
    return _receipt(
        by=by,
        kind=PostingKind.INTEREST,
        account=Account.INTEREST,
        amount=amount,
        key=key,
        value_date=value_date,
        reference=reference,
        bank=None,
        reason=reason,
        action=actions.INTEREST_POST,
    )


@transaction.atomic
def recovery_receive(*, by, amount, reference, key, bank, value_date=None, reason="追偿款返还"):
    """A bank returned the fund's share of a net recovery. Settles the matching `ReturnDue` when paid in
    full."""
    bank = _bank(bank, required=True)
    ref = reference_of(reference)
    posting = _receipt(
        by=by,
        kind=PostingKind.RECOVERY,
        account=Account.RECOVERIES,
        amount=amount,
        key=key,
        value_date=value_date,
        reference=ref,
        bank=bank,
        reason=reason,
        action=actions.RECOVERY_RECEIVE,
    )
    received = (
        Entry.objects.filter(
            posting__reference_type=ref[0],
            posting__reference_id=ref[1],
            posting__bank=bank,
            account=Account.RECOVERIES,
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    received = -round_fen(received)
    for due in (
        ReturnDue.objects.select_for_update()
        .filter(bank=bank, reference_type=ref[0], reference_id=ref[1], settled_at__isnull=True)
        .order_by("due_on", "id")
    ):
        owed = ReturnDue.objects.filter(
            bank=bank, reference_type=ref[0], reference_id=ref[1], due_on__lte=due.due_on
        ).aggregate(s=Sum("amount"))["s"]
        if received >= round_fen(owed):
            due.settled_at = timezone.now()
            due.save(update_fields=["settled_at"])
            audit_record(by=by, action=actions.RETURN_DUE_SETTLE, obj=due, data={"posting": posting.pk})
    return posting


@transaction.atomic
def clawback_receive(*, by, amount, reference, key, bank=None, value_date=None, reason="追回资金"):
    """Money clawed back (fraud, ineligibility: Art 17-22) arrived in the special account."""
    return _receipt(
        by=by,
        kind=PostingKind.CLAWBACK,
        account=Account.CLAWBACKS,
        amount=amount,
        key=key,
        value_date=value_date,
        reference=reference_of(reference),
        bank=_bank(bank),
        reason=reason,
        action=actions.CLAWBACK_RECEIVE,
    )


@transaction.atomic
def recovery_return_expect(*, by, bank, reference, amount, due_on, key):
    """Record that `bank` owes the fund `amount` for `reference` by `due_on` (the risk checks watch it).

    Called by the compensation app when a bank reports a recovery. Idempotent by `key`.
    """
    bank = _bank(bank, required=True)
    ref = reference_of(reference)
    due_on = _day(due_on, default_today=False, field="返还期限")
    amount = _amount(amount, due_on if due_on <= local_today() else local_today())
    key = _key(key)
    found = ReturnDue.objects.filter(key=key).first()
    if found is not None:
        if (found.bank_id, found.reference_type, found.reference_id, found.amount, found.due_on) != (
            bank.pk,
            *ref,
            amount,
            due_on,
        ):
            raise Conflict(MSG_KEY_CONFLICT.format(key=key, existing=found), code="key_conflict")
        return found
    due = ReturnDue.objects.create(
        bank=bank, reference_type=ref[0], reference_id=ref[1], amount=amount, due_on=due_on, key=key
    )
    audit_record(by=by, action=actions.RETURN_DUE_EXPECT, obj=due, data={"amount": amount, "due_on": due_on})
    return due
