"""The monthly statement and the annual fund report, issued as official notices (PDF, numbered).

The figures, the chart (SVG markup) and the amounts in Chinese capitals are frozen into the notice's
context when it is issued, so the document says what the ledger said that day. The covered outstanding
at the end of the period (and so the leverage) is the loans' figure: the caller reads it and passes it
in (lenders.risk.fund_report_issue), the fund knows no loans.
"""

import calendar
import datetime as dt

from django.db import transaction

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_FINANCE
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.articles import ARTICLE_5, ARTICLE_6, implements
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.notices.services import notice_issue

from . import actions, documents
from .locks import ensure_accounts
from .models import LedgerAccount
from .selectors import balance_series, fund_figures, movements_between
from .services import require_unless_system

MSG_NO_FINANCE = "系统中没有财政局机构，无法报送。"

# Who issues which report (DOMAIN.md, roles): the annual fund report is the bureau's official document
# to the finance bureau, issued by its approver; the finance bureau reads everything and may also draw
# the special account's monthly statement. The pages offer exactly what these allow (report_can_issue).
MONTHLY_STATEMENT_PERMS = (PERM_BUREAU_APPROVE, PERM_FINANCE)
ANNUAL_REPORT_PERMS = (PERM_BUREAU_APPROVE,)


@implements(ARTICLE_5, ARTICLE_6)
def report_can_issue(user, *, annual):
    """Whether `user` may issue the annual report (`annual`) or the monthly statement."""
    perms = ANNUAL_REPORT_PERMS if annual else MONTHLY_STATEMENT_PERMS
    return bool(user.is_authenticated and any(user.has_perm(p) for p in perms))


MSG_NOT_ENDED = "{label}尚未结束，不能出具报告。"


def report_context(start, end, *, covered_outstanding, label=""):
    """The frozen context of the report on [start, end] (fund.documents.fund_report)."""
    return documents.fund_report(
        label=label,
        start=start,
        end=end,
        opening=fund_figures(as_of=start - dt.timedelta(days=1)),
        closing=fund_figures(as_of=end, covered_outstanding=covered_outstanding),
        movements=movements_between(start, end),
        series=balance_series(start=start, end=end, points=12),
    )


def _issue(*, by, kind, start, end, title, label, covered_outstanding):
    if end >= local_today():
        raise DomainError(MSG_NOT_ENDED.format(label=label), code="period_not_ended")
    finance = (
        Organisation.objects.filter(kind=Organisation.Kind.FINANCE, is_active=True).order_by("id").first()
    )
    if finance is None:
        raise DomainError(MSG_NO_FINANCE, code="no_finance")
    bureau = Organisation.objects.filter(kind=Organisation.Kind.BUREAU, is_active=True).order_by("id").first()
    ensure_accounts()
    subject = LedgerAccount.objects.get(code="cash")
    context = report_context(start, end, covered_outstanding=covered_outstanding, label=label)
    notice = notice_issue(
        kind=kind.code,
        subject=subject,
        addressee=finance,
        context=context,
        by=by,
        copied_to=[bureau] if bureau else (),
        title=title,
    )
    audit_record(
        by=by,
        action=actions.REPORT_ISSUE[kind.code],
        obj=subject,
        reason=label,
        data={"notice": notice.number},
    )
    return notice


def month_period(year, month):
    """(first day, last day) of month `month` of `year`."""
    try:
        start = dt.date(int(year), int(month), 1)
    except (TypeError, ValueError):
        raise ValidationFailed("年度或月份无效。", code="bad_period") from None
    return start, dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])


def year_period(year):
    try:
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    except (TypeError, ValueError):
        raise ValidationFailed("年度无效。", code="bad_period") from None


def report_period(year, month=None):
    """(start, end) of the monthly statement (with a month) or of the annual report (without)."""
    return month_period(year, month) if month else year_period(year)


@transaction.atomic
def monthly_statement_issue(*, by, year, month, covered_outstanding):
    """The monthly statement; `covered_outstanding`: the covered outstanding at the end of the month."""
    require_unless_system(by, *MONTHLY_STATEMENT_PERMS)
    start, end = month_period(year, month)
    label = f"{start.year}年{start.month}月"
    return _issue(
        by=by,
        kind=documents.MONTHLY,
        start=start,
        end=end,
        title=f"风险补偿资金专户{label}报表",
        label=label,
        covered_outstanding=covered_outstanding,
    )


@transaction.atomic
def annual_report_issue(*, by, year, covered_outstanding):
    """The annual report; `covered_outstanding`: the covered outstanding at the end of the year."""
    require_unless_system(by, *ANNUAL_REPORT_PERMS)
    start, end = year_period(year)
    label = f"{start.year}年度"
    return _issue(
        by=by,
        kind=documents.ANNUAL,
        start=start,
        end=end,
        title=f"云浮市知识产权质押融资风险补偿资金{label}报告",
        label=label,
        covered_outstanding=covered_outstanding,
    )
