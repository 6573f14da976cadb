"""What every stage of a claim shares: the moves (the claim's through `audit.workflow.transition`, the
covered loan's through lenders), the bureau and the finance bureau, reminders, notices, and the
fund's available balance."""

import datetime as dt
import logging

from django.utils import timezone

from fund.selectors import fund_figures
from lenders.models import CoveredLoan
from lenders.services import covered_loan_transition
from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.workflow import transition
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.errors import MSG_NO_ROLE, DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.common.parsing import parse_date
from yunfu_ipfund.notices.reminders import reminder_schedule
from yunfu_ipfund.notices.services import notice_issue

from .. import documents, reminders
from ..guards import policy_of, require_bank_member  # noqa: F401  (the stages import them from here)

MSG_NO_FINANCE = "系统中尚未设置财政局机构，无法下达拨付通知。"
MSG_DATE_REQUIRED = "请填写{field}。"

logger = logging.getLogger("compensation.services")


def now():
    return timezone.now()


def required_date(value, *, field):
    """A date the caller must give (forms and serializers hand over a `date`)."""
    day = parse_date(value, field=field)
    if day is None:
        raise ValidationFailed(MSG_DATE_REQUIRED.format(field=field), code="required")
    return day


# --- moves -------------------------------------------------------------------------------------------


def require_move(model, name, by):
    """Refuse (403) a person without the move's permission before the service reads their input.

    `transition` checks the same permission again under the lock; this only keeps "you may not" ahead
    of "what you typed is wrong", as it always was. The system (None) may make every move."""
    permissions = model.WORKFLOW.move(name).permissions
    if by is None:
        return
    if not permissions:
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    require_perm(by, *permissions)


def move(obj, name, **kwargs):
    """`transition` for moves whose repeat is a conflict: returns the moved, locked object."""
    locked, _moved = transition(obj, name, **kwargs)
    return locked


def loan_move(claim, to, *, by, reason):
    """Move the covered loan along its own lifecycle, where its table allows (lenders owns the move)."""
    loan = CoveredLoan.objects.get(pk=claim.covered_loan_id)
    if loan.status == to or not CoveredLoan.WORKFLOW.can_reach(loan.status, to):
        return loan
    return covered_loan_transition(by=by, loan=loan, to_state=to, reason=reason)


# --- who ---------------------------------------------------------------------------------------------


def bureau():
    return Organisation.objects.filter(kind=Organisation.Kind.BUREAU, is_active=True).order_by("id").first()


def finance():
    org = Organisation.objects.filter(kind=Organisation.Kind.FINANCE, is_active=True).order_by("id").first()
    if org is None:
        raise DomainError(MSG_NO_FINANCE, code="no_finance")
    return org


# --- notices and reminders ---------------------------------------------------------------------------


def issue(kind, subject, context, *, by, addressee, copied_to=()):
    """Issue the notice of `kind` with the context its builder in compensation.documents made."""
    return notice_issue(
        kind=kind, subject=subject, addressee=addressee, context=context, by=by, copied_to=copied_to
    )


def remind(kind, claim, *, about=None, **kwargs):
    """Schedule the reminder of `kind` about the claim (or `about`, one of its recoveries); it links to
    the claim's page, where the obligation is met."""
    return reminder_schedule(kind=kind, about=about or claim, url=claim.get_absolute_url(), **kwargs)


def quarter_end(day):
    month = ((day.month - 1) // 3 + 1) * 3
    return add_months(dt.date(day.year, month, 1), 1) - dt.timedelta(days=1)


def quarter_name(day):
    end = quarter_end(day)
    return f"{end.year}Q{(end.month - 1) // 3 + 1}"


def schedule_recovery_report(claim, today):
    """The quarterly reminder asking the bank for a recovery report while the claim is open (idempotent)."""
    return remind(
        reminders.RECOVERY_REPORT,
        claim,
        discriminator=quarter_name(today),
        title=f"请报告补偿申请 {claim.reference} 本季度的追偿进展",
        due_date=quarter_end(today),
        recipient_role=Role.BANK_OFFICER,
        recipient_org=claim.bank,
        body="如本季度收到追偿款，请在收到之日起规定期限内报告；如无，请在申请页面说明追偿进展。",
    )


# --- the fund ----------------------------------------------------------------------------------------


def fund_available():
    return fund_figures().available


__all__ = ["documents", "policy_of", "require_bank_member"]
