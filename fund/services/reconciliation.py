"""Reconciliation with the special account's statement: periods, statement lines (typed, imported),
matching lines to cash postings, and the sign-off that closes a period to postings dated inside it."""

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.roles import PERM_FINANCE
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import transition
from yunfu_ipfund.common.errors import (
    Conflict,
    DomainError,
    ValidationFailed,
)
from yunfu_ipfund.common.money import format_money, to_money
from yunfu_ipfund.notices.services import reminder_resolve

from .. import actions, reminders
from ..locks import lock_fund
from ..models import (
    StatementLine,
    StatementPeriod,
)
from ..selectors import cash_postings_between, reconciliation
from ..statements import read_statement
from .ledger import (
    _day,
    require_unless_system,
)

MSG_PERIOD_OVERLAP = "对账期间与已有期间（{other}）重叠。"
MSG_PERIOD_ORDER = "截止日不能早于起始日。"
MSG_PERIOD_CLOSED = "该对账期间已签核，不能再修改。"
MSG_LINE_OUTSIDE = "交易日期 {day} 不在对账期间（{start} 至 {end}）内。"
MSG_NOT_CASH = "凭证 #{pk} 不涉及专户资金，不能与对账单明细匹配。"
MSG_MATCH_MISMATCH = (
    "金额或日期不符：对账单 {line_date} {line_amount} 元，凭证 {posting_date} {posting_amount} 元。"
)
MSG_ALREADY_MATCHED = "该凭证已与另一条对账单明细匹配。"
MSG_NOT_RECONCILED = (
    "尚有 {lines} 条对账单明细、{postings} 笔凭证未匹配，期末余额差额 {difference} 元，不能签核。"
)


def period_can_edit(period, user):
    """Finance may add, import and match statement lines while the period is open (not a move: the
    sign-off is, StatementPeriod.WORKFLOW)."""
    return period.status == StatementPeriod.Status.OPEN and user.has_perm(PERM_FINANCE)


def _open_period(period):
    period = StatementPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != StatementPeriod.Status.OPEN:
        raise DomainError(MSG_PERIOD_CLOSED, code="period_signed_off")
    return period


@transaction.atomic
def period_create(*, by, start, end, opening_balance, closing_balance):
    """Finance opens a reconciliation period with the statement's opening and closing balances."""
    require_unless_system(by, PERM_FINANCE)
    start = _day(start, default_today=False, field="起始日")
    end = _day(end, default_today=False, field="截止日")
    if end < start:
        raise ValidationFailed(MSG_PERIOD_ORDER, code="period_order")
    opening = to_money(opening_balance)
    closing = to_money(closing_balance)
    StatementPeriod.objects.select_for_update().all().exists()  # serialise period edits
    other = StatementPeriod.objects.filter(start__lte=end, end__gte=start).first()
    if other is not None:
        raise ValidationFailed(MSG_PERIOD_OVERLAP.format(other=other), code="period_overlap")
    period = StatementPeriod.objects.create(
        start=start, end=end, opening_balance=opening, closing_balance=closing, created_by=by
    )
    audit_record(
        by=by, action=actions.PERIOD_CREATE, obj=period, data={"opening": opening, "closing": closing}
    )
    return period


def _add_line(period, by, *, line_date, amount, reference="", counterparty=""):
    line_date = _day(line_date, default_today=False, field="交易日期")
    if not period.start <= line_date <= period.end:
        raise ValidationFailed(
            MSG_LINE_OUTSIDE.format(day=line_date, start=period.start, end=period.end), code="line_outside"
        )
    amount = to_money(amount, allow_negative=True, allow_zero=False)
    return StatementLine.objects.create(
        period=period,
        line_date=line_date,
        amount=amount,
        reference=(reference or "").strip()[:200],
        counterparty=(counterparty or "").strip()[:200],
    )


@transaction.atomic
def statement_line_add(*, by, period, line_date, amount, reference="", counterparty=""):
    require_unless_system(by, PERM_FINANCE)
    period = _open_period(period)
    line = _add_line(
        period, by, line_date=line_date, amount=amount, reference=reference, counterparty=counterparty
    )
    audit_record(by=by, action=actions.LINE_ADD, obj=period, data={"line": line.pk, "amount": line.amount})
    return line


@transaction.atomic
def statement_import(*, by, period, file):
    """Import a CSV/XLSX statement into an open period: every line or none."""
    require_unless_system(by, PERM_FINANCE)
    period = _open_period(period)
    rows = read_statement(file)
    lines = [_add_line(period, by, **row) for row in rows]
    audit_record(
        by=by,
        action=actions.STATEMENT_IMPORT,
        obj=period,
        data={"lines": len(lines), "file": getattr(file, "name", "")},
    )
    return lines


def _reference_matches(line, posting):
    text = (line.reference or "").lower()
    if not text:
        return False
    tokens = {posting.key.lower(), f"#{posting.pk}", f"凭证{posting.pk}"}
    if posting.reference_id:
        tokens.add(f"{posting.reference_type}:{posting.reference_id}".lower())
    return any(t and t in text for t in tokens)


@transaction.atomic
def reconciliation_match(*, by, period):
    """Match unmatched statement lines to unmatched cash postings of the period: first by date, amount and
    reference; then by date and amount where exactly one candidate exists on each side. Returns the count."""
    require_unless_system(by, PERM_FINANCE)
    period = _open_period(period)
    lines = list(
        period.lines.select_for_update().filter(matched_posting__isnull=True).order_by("line_date", "id")
    )
    taken = set(
        period.lines.exclude(matched_posting__isnull=True).values_list("matched_posting_id", flat=True)
    )
    taken |= set(
        StatementLine.objects.exclude(matched_posting__isnull=True).values_list(
            "matched_posting_id", flat=True
        )
    )
    postings = [p for p in cash_postings_between(period.start, period.end) if p.pk not in taken]
    matched = 0
    for strict in (True, False):
        for line in lines:
            if line.matched_posting_id:
                continue
            candidates = [
                p
                for p in postings
                if p.pk not in taken
                and p.value_date == line.line_date
                and p.cash_amount == line.amount
                and (not strict or _reference_matches(line, p))
            ]
            if not strict:
                twins = [
                    other
                    for other in lines
                    if not other.matched_posting_id
                    and other.line_date == line.line_date
                    and other.amount == line.amount
                ]
                if len(candidates) != 1 or len(twins) != 1:
                    continue
            if candidates:
                line.matched_posting = candidates[0]
                line.save(update_fields=["matched_posting"])
                taken.add(candidates[0].pk)
                matched += 1
    audit_record(by=by, action=actions.AUTO_MATCH, obj=period, data={"matched": matched})
    return matched


@transaction.atomic
def statement_line_match(*, by, line, posting):
    """Finance matches one line to one cash posting by hand (same date and amount)."""
    require_unless_system(by, PERM_FINANCE)
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    period = _open_period(line.period)
    found = cash_postings_between(period.start, period.end).filter(pk=posting.pk).first()
    if found is None:
        raise DomainError(MSG_NOT_CASH.format(pk=posting.pk), code="not_cash")
    if found.value_date != line.line_date or found.cash_amount != line.amount:
        raise DomainError(
            MSG_MATCH_MISMATCH.format(
                line_date=line.line_date,
                line_amount=format_money(line.amount),
                posting_date=found.value_date,
                posting_amount=format_money(found.cash_amount),
            ),
            code="match_mismatch",
        )
    if StatementLine.objects.filter(matched_posting=found).exclude(pk=line.pk).exists():
        raise Conflict(MSG_ALREADY_MATCHED, code="already_matched")
    line.matched_posting = found
    line.save(update_fields=["matched_posting"])
    audit_record(by=by, action=actions.LINE_MATCH, obj=period, data={"line": line.pk, "posting": found.pk})
    return line


@transaction.atomic
def statement_line_unmatch(*, by, line):
    require_unless_system(by, PERM_FINANCE)
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    period = _open_period(line.period)
    previous = line.matched_posting_id
    line.matched_posting = None
    line.save(update_fields=["matched_posting"])
    audit_record(by=by, action=actions.LINE_UNMATCH, obj=period, data={"line": line.pk, "posting": previous})
    return line


@transaction.atomic
def period_sign_off(*, by, period, reason=""):
    """Finance signs the period off once every line and posting is matched and the closing balances agree.
    From then on no posting may be dated inside it (check_period_open)."""
    require_perm(by, PERM_FINANCE)  # a person: the system never signs a period off
    lock_fund()  # no posting may slip into the period while it is being signed off
    period = _open_period(period)
    r = reconciliation(period)

    def check(locked):
        if r["unmatched_lines"] or r["unmatched_postings"] or r["difference"] != 0:
            raise DomainError(
                MSG_NOT_RECONCILED.format(
                    lines=len(r["unmatched_lines"]),
                    postings=len(r["unmatched_postings"]),
                    difference=format_money(r["difference"]),
                ),
                code="not_reconciled",
            )

    period, _ = transition(
        period,
        "sign_off",
        by=by,
        reason=reason,
        check=check,
        signed_off_by=by,
        signed_off_at=timezone.now(),
        data={"ledger_closing": r["ledger_closing"], "statement_closing": r["statement_closing"]},
    )
    reminder_resolve(kind=reminders.PERIOD_SIGN_OFF, about=period)
    return period
