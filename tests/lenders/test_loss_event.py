"""The loss event (DOMAIN "The loss event"): the earlier of the bank's non-performing classification (the
version's npl_classes) and the day the loan had been overdue npl_overdue_days (90); a loan past it and
still reported as performing raises a reminder to the bank and a flag to the bureau; the claim window
runs from it, so a late classification cannot stretch it."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from compensation import services as compensation_services
from lenders import services
from lenders.checks import run_daily_checks
from lenders.models import CoveredLoan, LossEventSource
from lenders.reminders import LOAN_LOSS_UNCLASSIFIED
from tests.factories import make_non_performing_loan
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.policy.models import PolicyVersion

S = CoveredLoan.Status
TZ = timezone.get_current_timezone()
# Every day below lies within the 2025 Measures (2025-09-25 to 2030-09-24).
OVERDUE_SINCE = dt.date(2026, 1, 5)


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ), tick=False)


def performing_loan(bank, enterprise, by, *, classification="special_mention"):
    """A covered loan disbursed in 2025, performing (ACTIVE, never classified non-performing)."""
    loan = make_non_performing_loan(
        bank, enterprise, by, non_performing_on=dt.date(2026, 1, 2), status=S.ACTIVE
    )
    CoveredLoan.objects.filter(pk=loan.pk).update(non_performing_on=None, classification=classification)
    loan.refresh_from_db()
    return loan


def overdue_loan(bank, enterprise, by, *, since=OVERDUE_SINCE):
    loan = performing_loan(bank, enterprise, by)
    with at(since):
        return services.loan_report_overdue(by=by, loan=loan, overdue_since=since, overdue_amount="100000")


def loss_reminders(loan):
    return Reminder.objects.filter(kind=LOAN_LOSS_UNCLASSIFIED.code, subject_id=str(loan.pk))


@pytest.mark.parametrize(
    "days_overdue, loss_event_on",
    [(89, None), (90, OVERDUE_SINCE + dt.timedelta(days=90)), (91, OVERDUE_SINCE + dt.timedelta(days=90))],
)
def test_the_loss_event_is_the_day_the_loan_has_been_overdue_90_days(
    bank_a, enterprise_a, bank_officer, bureau, days_overdue, loss_event_on
):
    assert PolicyVersion.objects.get(code="2025").npl_overdue_days == 90
    loan = overdue_loan(bank_a, enterprise_a, bank_officer)
    with at(OVERDUE_SINCE + dt.timedelta(days=days_overdue)):
        run_daily_checks(OVERDUE_SINCE + dt.timedelta(days=days_overdue))
    loan.refresh_from_db()
    assert loan.loss_event_on == loss_event_on
    assert loan.loss_event_source == (LossEventSource.OVERDUE if loss_event_on else "")
    assert loss_reminders(loan).exists() == bool(loss_event_on)


def test_a_loan_200_days_overdue_and_still_special_mention_reminds_the_bank_and_flags_the_bureau(
    bank_a, enterprise_a, bank_officer, bureau
):
    loan = overdue_loan(bank_a, enterprise_a, bank_officer)
    day = OVERDUE_SINCE + dt.timedelta(days=200)
    with at(day):
        run_daily_checks(day)
        run_daily_checks(day)  # a second run raises nothing twice
    loan.refresh_from_db()
    assert loan.status == S.OVERDUE and loan.classification == "special_mention"
    assert loan.loss_event_on == OVERDUE_SINCE + dt.timedelta(days=90)
    to_bank = loss_reminders(loan).get(recipient_role=Role.BANK_OFFICER)
    assert to_bank.recipient_org_id == bank_a.pk and "逾期满90天仍按正常类报告" in to_bank.title
    assert "请核实并报告风险分类" in to_bank.body
    to_bureau = loss_reminders(loan).get(recipient_role=Role.BUREAU_CLERK)
    assert to_bureau.recipient_org_id is None and "补偿申请期限" in to_bureau.body
    assert loss_reminders(loan).count() == 2


def test_an_overdue_reported_late_has_its_loss_event_at_once(bank_a, enterprise_a, bank_officer, bureau):
    loan = performing_loan(bank_a, enterprise_a, bank_officer)
    with at(OVERDUE_SINCE + dt.timedelta(days=120)):
        loan = services.loan_report_overdue(
            by=bank_officer, loan=loan, overdue_since=OVERDUE_SINCE, overdue_amount="50000"
        )
    assert loan.loss_event_on == OVERDUE_SINCE + dt.timedelta(days=90)
    assert loss_reminders(loan).count() == 2


def test_the_classification_afterwards_keeps_the_earlier_overdue_loss_event_and_ends_the_reminders(
    bank_a, enterprise_a, bank_officer, bureau
):
    loan = overdue_loan(bank_a, enterprise_a, bank_officer)
    late = OVERDUE_SINCE + dt.timedelta(days=200)
    with at(late):
        run_daily_checks(late)
        loan = services.loan_report_classification(
            by=bank_officer, loan=loan, classification="substandard", classified_on=late
        )
    assert loan.status == S.NON_PERFORMING and loan.non_performing_on == late
    assert (loan.loss_event_on, loan.loss_event_source) == (
        OVERDUE_SINCE + dt.timedelta(days=90),
        LossEventSource.OVERDUE,
    )
    assert not loss_reminders(loan).filter(resolved_at__isnull=True).exists()


def test_a_classification_before_the_overdue_threshold_is_the_loss_event(
    bank_a, enterprise_a, bank_officer, bureau
):
    loan = overdue_loan(bank_a, enterprise_a, bank_officer)
    early = OVERDUE_SINCE + dt.timedelta(days=30)
    with at(early):
        loan = services.loan_report_classification(
            by=bank_officer, loan=loan, classification="doubtful", classified_on=early
        )
    with at(OVERDUE_SINCE + dt.timedelta(days=100)):
        run_daily_checks(OVERDUE_SINCE + dt.timedelta(days=100))
    loan.refresh_from_db()
    assert (loan.loss_event_on, loan.loss_event_source) == (early, LossEventSource.CLASSIFICATION)
    assert not loss_reminders(loan).exists()


def test_a_cured_overdue_undoes_the_loss_event(bank_a, enterprise_a, bank_officer, bureau):
    loan = overdue_loan(bank_a, enterprise_a, bank_officer)
    day = OVERDUE_SINCE + dt.timedelta(days=95)
    with at(day):
        run_daily_checks(day)
        loan = services.loan_report_repayment(
            by=bank_officer, loan=loan, amount="100000", paid_on=day, cures_overdue=True
        )
    assert loan.status == S.ACTIVE and loan.loss_event_on is None and loan.loss_event_source == ""
    assert not loss_reminders(loan).filter(resolved_at__isnull=True).exists()


def test_the_non_performing_classes_are_the_versions(bank_a, enterprise_a, bank_officer, bureau):
    """A version whose npl_classes leave out 次级: a 次级 report is no loss event under it."""
    PolicyVersion.objects.filter(code="2025").update(npl_classes=["doubtful", "loss"])
    loan = performing_loan(bank_a, enterprise_a, bank_officer, classification="normal")
    day = dt.date(2026, 3, 2)
    with at(day):
        loan = services.loan_report_classification(
            by=bank_officer, loan=loan, classification="substandard", classified_on=day
        )
        assert loan.status == S.ACTIVE and loan.loss_event_on is None
        loan = services.loan_report_classification(
            by=bank_officer, loan=loan, classification="doubtful", classified_on=day
        )
    assert loan.status == S.NON_PERFORMING and loan.loss_event_on == day


# --- the claim window runs from the loss event ---------------------------------------------------------


def classified_late(bank, enterprise, by):
    """Overdue since 5 Jan 2026 (loss event 5 Apr 2026), classified 次级 only on 24 Jul 2026 (day 200)."""
    loan = overdue_loan(bank, enterprise, by)
    late = OVERDUE_SINCE + dt.timedelta(days=200)
    with at(late):
        return services.loan_report_classification(
            by=by, loan=loan, classification="substandard", classified_on=late
        )


def claim(by, loan):
    return compensation_services.claim_create(
        by=by, covered_loan=loan, unrecovered_principal="600000.00", enforcement_actions="电话催收 3 次"
    )


def test_a_claim_on_the_last_day_of_the_window_from_the_loss_event_is_admitted(
    bank_a, enterprise_a, bank_officer, bureau
):
    loan = classified_late(bank_a, enterprise_a, bank_officer)
    last_day = add_months(OVERDUE_SINCE + dt.timedelta(days=90), 6)
    assert last_day == dt.date(2026, 10, 5)
    with at(last_day):
        made = claim(bank_officer, loan)
    assert compensation_services.claim_window_end(made) == last_day
    check = next(c for c in compensation_services.claim_checks(made, on=last_day) if c.rule == "claim_window")
    assert check.outcome == "pass" and "2026年4月5日" in check.message and "逾期" in check.message


def test_a_late_classification_does_not_stretch_the_claim_window(bank_a, enterprise_a, bank_officer, bureau):
    loan = classified_late(bank_a, enterprise_a, bank_officer)
    day_after = dt.date(2026, 10, 6)  # six months after the classification (24 Jan 2027) would still admit it
    with at(day_after), pytest.raises(DomainError) as exc:
        claim(bank_officer, loan)
    assert exc.value.code == "claim_window"
    message = exc.value.message
    assert "2026-04-05" in message and "2026-10-05" in message and "逾期达到认定不良天数" in message
