"""Deadlines and reminders across the 2026 National Day holiday (Oct 1-7 off; Sep 20 and Oct 10 worked)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lenders import reminders, services
from lenders.checks import run_daily_checks
from yunfu_ipfund.notices.models import Message, Reminder
from yunfu_ipfund.notices.services import sweep_reminders

from .conftest import first_review, make_filing

SHANGHAI = ZoneInfo("Asia/Shanghai")


def the(kind, record):
    """The one reminder of `kind` about `record` (kinds, not keys: notices.reminders)."""
    return Reminder.objects.get(
        kind=kind.code, subject_type=f"lenders.{record._meta.model_name}", subject_id=str(record.pk)
    )


def at(day):
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def national_day(time_machine):
    time_machine.move_to(at(dt.date(2026, 9, 28)), tick=False)
    return time_machine


def test_the_filing_deadline_skips_the_holiday_and_counts_the_make_up_saturday(
    national_day, bank_officer, bank_supervisor, registration
):
    filing = make_filing(
        bank_officer, registration, disbursed_on=dt.date(2026, 9, 28), maturity_on=dt.date(2027, 9, 1)
    )
    reminder = the(reminders.FILING_DEADLINE, filing)
    # Sep 29, 30, Oct 8, 9, 10 (make-up Saturday), 12, 13, 14, 15, 16
    assert reminder.due_date == dt.date(2026, 10, 16)
    assert reminder.notify_dates == ["2026-10-13", "2026-10-15", "2026-10-16"]
    assert reminder.recipient_org == filing.bank and reminder.recipient_role == "bank_officer"
    assert reminder.escalate_role == "bank_supervisor"

    national_day.move_to(at(dt.date(2026, 10, 13)), tick=False)
    sweep_reminders()
    assert Message.objects.filter(recipient=bank_officer, title__contains="报送备案").count() == 1

    national_day.move_to(at(dt.date(2026, 10, 19)), tick=False)
    sweep_reminders()
    assert Message.objects.filter(recipient=bank_supervisor, title__startswith="【逾期督办】").count() == 1


def test_submitting_resolves_the_filing_reminder_and_starts_the_review_reminder(
    national_day, bank_officer, bank_supervisor, bureau_clerk, registration
):
    filing = make_filing(
        bank_officer, registration, disbursed_on=dt.date(2026, 9, 28), maturity_on=dt.date(2027, 9, 1)
    )
    national_day.move_to(at(dt.date(2026, 9, 30)), tick=False)
    services.filing_submit(by=bank_supervisor, filing=filing)
    assert the(reminders.FILING_DEADLINE, filing).resolved_at is not None
    review = the(reminders.FILING_REVIEW, filing)
    # Oct 8, 9, 10, 12, 13, 14, 15, 16, 19, 20
    assert review.due_date == dt.date(2026, 10, 20)
    assert review.recipient_role == "bureau_clerk" and review.escalate_role == "bureau_approver"


def test_the_correction_deadline_and_the_paused_clock_across_the_holiday(
    national_day, bank_officer, bank_supervisor, bureau_clerk, registration
):
    filing = make_filing(
        bank_officer, registration, disbursed_on=dt.date(2026, 9, 28), maturity_on=dt.date(2027, 9, 1)
    )
    national_day.move_to(at(dt.date(2026, 9, 29)), tick=False)
    filing = services.filing_submit(by=bank_supervisor, filing=filing)
    national_day.move_to(at(dt.date(2026, 9, 30)), tick=False)
    filing = services.filing_return(by=bureau_clerk, filing=filing, reasons=["质押登记通知书不清晰"])
    assert filing.review_days_left == 9
    correction = the(reminders.FILING_CORRECTION, filing)
    assert correction.due_date == dt.date(2026, 10, 20)
    assert the(reminders.FILING_REVIEW, filing).resolved_at is not None
    national_day.move_to(at(dt.date(2026, 10, 9)), tick=False)
    filing = services.filing_submit(by=bank_supervisor, filing=filing)
    # nine working days left from Oct 9: 10, 12, 13, 14, 15, 16, 19, 20, 21
    assert filing.review_due_on == dt.date(2026, 10, 21)
    assert the(reminders.FILING_CORRECTION, filing).resolved_at is not None


def test_maturity_and_unreported_overdue_reminders(
    national_day, bank_officer, bank_supervisor, bureau_approver, registration
):
    filing = make_filing(
        bank_officer, registration, disbursed_on=dt.date(2026, 9, 28), maturity_on=dt.date(2026, 10, 16)
    )
    services.filing_submit(by=bank_supervisor, filing=filing)
    first_review(filing, bureau_approver)
    loan = services.filing_confirm(by=bureau_approver, filing=filing).covered_loan
    maturity = the(reminders.LOAN_MATURITY, loan)
    assert maturity.due_date == dt.date(2026, 10, 16)
    # ten calendar days before is Oct 6, inside the holiday: the notice goes out on the first working
    # day before
    assert maturity.notify_dates[0] <= "2026-10-06"

    national_day.move_to(at(dt.date(2026, 10, 19)), tick=False)
    run_daily_checks(dt.date(2026, 10, 19))
    unreported = the(reminders.LOAN_UNREPORTED, loan)
    assert unreported.recipient_role == "bank_officer"
    run_daily_checks(dt.date(2026, 10, 19))
    assert Reminder.objects.filter(kind=reminders.LOAN_UNREPORTED.code, subject_id=str(loan.pk)).count() == 1
    services.loan_report_overdue(
        by=bank_officer, loan=loan, overdue_since=dt.date(2026, 10, 17), overdue_amount="1000.00"
    )
    unreported.refresh_from_db()
    assert unreported.resolved_at is not None
