"""The daily checks: a registry owned by notices, filled by whoever raises reminders from a daily look
(policy: the holiday table and the Measures' expiry; the domain apps through their checks.py), and
the platform's own checks in kind terms.

The policy-expiry tests are the platform's copy of tests/fund/test_risk.py's (which query the old
string keys); they query by kind."""

import datetime as dt

import pytest

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common import workdays
from yunfu_ipfund.notices import checks
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.notices.reminders import open_reminders
from yunfu_ipfund.policy import holidays
from yunfu_ipfund.policy.models import HolidayYear, PolicyVersion
from yunfu_ipfund.policy.reminders import HOLIDAY_YEAR_MISSING, POLICY_EXPIRY, POLICY_MISSING
from yunfu_ipfund.policy.services import check_policy_expiry

pytestmark = pytest.mark.django_db


def test_policy_registers_its_checks_and_notices_runs_them_before_the_apps():
    names = [f"{c.__module__}.{c.__name__}" for c in checks.all_daily_checks()]
    assert names[:2] == [
        "yunfu_ipfund.policy.holidays.check_holiday_table",
        "yunfu_ipfund.policy.services.check_policy_expiry",
    ]
    assert {
        "lenders.checks.run_daily_checks",
        "fund.checks.run_daily_checks",
        "compensation.checks.run_daily_checks",
    } <= set(names)


def test_registering_a_check_twice_runs_it_once(monkeypatch):
    calls = []
    monkeypatch.setattr(checks, "daily_checks", [])
    monkeypatch.setattr(checks, "app_modules", lambda name: [])

    def check(today):
        calls.append(today)

    assert checks.register_daily_check(check) is check
    checks.register_daily_check(check)
    checks.run_daily_checks(dt.date(2026, 5, 6))
    assert calls == [dt.date(2026, 5, 6)]


def test_policy_gives_the_calculator_its_holiday_table_and_hears_of_unknown_years():
    assert workdays.holiday_table() is holidays.HOLIDAY_TABLE
    assert holidays.alert_unknown_holiday_year in workdays.unknown_year_listeners


# --- the holiday table running out ----------------------------------------------------------------


def holiday_alerts(year):
    return Reminder.objects.filter(kind=HOLIDAY_YEAR_MISSING.code, discriminator=str(year))


def test_before_october_next_years_table_is_not_asked_for():
    holidays.check_holiday_table(dt.date(2026, 9, 30))
    assert not Reminder.objects.exists()


def test_from_october_the_administrators_are_asked_once_for_next_years_table(administrator):
    holidays.check_holiday_table(dt.date(2026, 10, 1))
    holidays.check_holiday_table(dt.date(2026, 10, 2))
    alert = holiday_alerts(2027).get()
    assert alert.recipient_role == Role.ADMINISTRATOR and "2027" in alert.title
    assert alert.url == "/admin/policy/holidayday/"


def test_a_year_staff_declared_complete_is_not_asked_for():
    HolidayYear.objects.create(year=2027, source="国办发明电〔2026〕X号")
    holidays.check_holiday_table(dt.date(2026, 11, 1))
    assert not holiday_alerts(2027).exists()


def test_this_years_table_missing_is_asked_for_any_day():
    holidays.check_holiday_table(dt.date(2028, 3, 1))
    assert holiday_alerts(2028).exists()


# --- the Measures in force expiring ----------------------------------------------------------------


def expiry_reminders():
    return Reminder.objects.filter(kind=POLICY_EXPIRY.code)


@pytest.mark.parametrize(
    "today, threshold",
    [
        # the 2025 version ends 2030-09-24; no later version exists
        (dt.date(2030, 3, 27), None),  # 181 days left
        (dt.date(2030, 3, 28), 180),  # 180 days left
        (dt.date(2030, 6, 25), 180),  # 91 days left
        (dt.date(2030, 6, 26), 90),  # 90 days left
        (dt.date(2030, 8, 25), 30),  # 30 days left
        (dt.date(2030, 9, 24), 30),  # the last day
    ],
)
def test_policy_expiry_reminders_at_180_90_and_30_days_by_kind(today, threshold):
    current = PolicyVersion.objects.get(code="2025")
    assert check_policy_expiry(today) == threshold
    found = set(expiry_reminders().values_list("subject_id", "discriminator", "recipient_role"))
    if threshold is None:
        assert found == set()
    else:
        assert found == {
            (str(current.pk), f"{threshold}-{Role.ADMINISTRATOR}", Role.ADMINISTRATOR),
            (str(current.pk), f"{threshold}-{Role.BUREAU_APPROVER}", Role.BUREAU_APPROVER),
        }
        still_open = open_reminders(kind=POLICY_EXPIRY, about=current, discriminator=None)
        assert {r.due_date for r in still_open} == {dt.date(2030, 9, 24)}


def test_each_expiry_threshold_is_raised_once_even_after_it_was_resolved():
    current = PolicyVersion.objects.get(code="2025")
    check_policy_expiry(dt.date(2030, 8, 25))
    Reminder.objects.update(resolved_at=dt.datetime(2030, 8, 25, tzinfo=dt.UTC))
    check_policy_expiry(dt.date(2030, 8, 26))
    assert expiry_reminders().count() == 2
    assert not open_reminders(kind=POLICY_EXPIRY, about=current, discriminator=None).exists()


def test_no_expiry_reminder_once_the_next_version_exists_by_kind():
    current = PolicyVersion.objects.get(code="2025")
    skip = ("id", "code", "effective_from", "effective_to", "first_used_at", "created_at")
    concrete = PolicyVersion._meta.concrete_fields
    fields = {f.name: getattr(current, f.name) for f in concrete if f.name not in skip}
    PolicyVersion.objects.create(
        code="2030", effective_from=dt.date(2030, 9, 25), effective_to=dt.date(2035, 9, 24), **fields
    )
    assert check_policy_expiry(dt.date(2030, 8, 25)) is None
    assert not expiry_reminders().exists()


def test_a_day_outside_every_version_alerts_the_administrators_once_that_day():
    assert check_policy_expiry(dt.date(2040, 1, 1)) is None
    check_policy_expiry(dt.date(2040, 1, 1))
    alert = Reminder.objects.get(kind=POLICY_MISSING.code)
    assert (alert.discriminator, alert.recipient_role) == ("20400101", Role.ADMINISTRATOR)
    assert alert.url == "/admin/policy/policyversion/"
