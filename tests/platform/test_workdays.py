"""Working days on the mainland calendar with its make-up days, the staff holiday table, unknown years."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yunfu_ipfund.common.workdays import WorkDate, add_workdays, is_working_day, workdays_between
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.policy.models import HolidayDay, HolidayYear
from yunfu_ipfund.policy.reminders import HOLIDAY_YEAR_MISSING

pytestmark = [pytest.mark.django_db, pytest.mark.article(17)]

D = dt.date


# --- 2025: National Day and Mid-Autumn together, 1-8 October --------------------------------------


@pytest.mark.parametrize("day", [D(2025, 10, d) for d in range(1, 9)])
def test_the_2025_national_day_week_is_eight_days_off(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [D(2025, 9, 28), D(2025, 10, 11)])
def test_the_2025_make_up_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # the day after the holiday
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday -> make-up Sunday
        (D(2025, 9, 27), 1, D(2025, 9, 28)),  # from a rest day
        (D(2025, 10, 10), 1, D(2025, 10, 11)),  # Friday -> make-up Saturday
        (D(2025, 10, 11), 1, D(2025, 10, 13)),
        (D(2025, 9, 25), 10, D(2025, 10, 15)),  # 26 28 29 30 | 9 10 11 13 14 15: a filing deadline
        (D(2025, 10, 9), -1, D(2025, 9, 30)),
        (D(2025, 10, 13), -3, D(2025, 10, 9)),
        (D(2025, 10, 9), -2, D(2025, 9, 29)),
        (D(2025, 10, 4), 0, D(2025, 10, 4)),
    ],
)
def test_add_workdays_across_the_2025_holiday(start, n, expected):
    assert add_workdays(start, n) == expected


@pytest.mark.parametrize(
    "start, end, count",
    [
        (D(2025, 9, 30), D(2025, 10, 9), 1),
        (D(2025, 9, 30), D(2025, 10, 8), 0),
        (D(2025, 9, 26), D(2025, 10, 13), 7),  # 28, 29, 30, 9, 10, 11 and 13
        (D(2025, 10, 9), D(2025, 9, 30), 0),
        (D(2025, 10, 1), D(2025, 10, 1), 0),
    ],
)
def test_workdays_between_across_the_2025_holiday(start, end, count):
    assert workdays_between(start, end) == count


# --- 2026: National Day 1-7 October, Mid-Autumn 25 September ---------------------------------------


def test_the_library_knows_the_2026_make_up_days_this_suite_relies_on():
    weekend_workdays = {
        d for d in chinese_calendar.constants.workdays if d.year == 2026 and d.month in (9, 10)
    }
    assert weekend_workdays == {D(2026, 9, 20), D(2026, 10, 10)}
    assert not chinese_calendar.is_workday(D(2026, 9, 25))  # Mid-Autumn


@pytest.mark.parametrize(
    "day, working",
    [
        *[(D(2026, 10, d), False) for d in range(1, 8)],
        (D(2026, 10, 8), True),
        (D(2026, 9, 20), True),  # Sunday, make-up
        (D(2026, 10, 10), True),  # Saturday, make-up
        (D(2026, 10, 11), False),
        (D(2026, 9, 25), False),  # Mid-Autumn, a Friday
    ],
)
def test_working_days_of_the_2026_national_day_week(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
        (D(2026, 10, 9), 1, D(2026, 10, 10)),
        (D(2026, 9, 28), 10, D(2026, 10, 16)),  # 28 29 30 | 8 9 10 | 12 13 14 15 16 -> the 10th is the 16th
        (D(2026, 10, 9), -3, D(2026, 9, 29)),  # 8 | 30 29
        (D(2026, 10, 8), -1, D(2026, 9, 30)),
    ],
)
def test_add_workdays_across_the_2026_holiday(start, n, expected):
    result = add_workdays(start, n)
    assert result == expected
    assert isinstance(result, WorkDate) and result.provisional is False


# --- a year the calendar does not know ------------------------------------------------------------


def holiday_year_reminders():
    return Reminder.objects.filter(kind=HOLIDAY_YEAR_MISSING.code, discriminator="2027")


def test_a_result_in_2027_falls_back_to_monday_to_friday_is_provisional_and_tells_the_administrators_once():
    assert 2027 not in {d.year for d in chinese_calendar.constants.holidays}
    result = add_workdays(D(2026, 12, 28), 5)  # 29 30 31 | Fri 1 Jan, Mon 4 Jan
    assert result == D(2027, 1, 4)
    assert result.provisional is True
    assert add_workdays(D(2026, 12, 28), 5).provisional is True
    assert workdays_between(D(2026, 12, 31), D(2027, 1, 8)) == 6  # Fri 1 Jan counted, then 4-8
    assert is_working_day(D(2027, 1, 1)) is True
    reminder = holiday_year_reminders().get()
    assert reminder.recipient_role == "administrator"
    assert "2027" in reminder.title


def test_a_result_that_does_not_touch_the_unknown_year_is_not_provisional():
    assert add_workdays(D(2026, 12, 21), 5).provisional is False
    assert not holiday_year_reminders().exists()


def test_counting_back_from_the_unknown_year_into_a_known_one_is_still_provisional():
    result = add_workdays(D(2027, 1, 6), -5)
    assert result.provisional is True


@pytest.fixture
def table_2027(db):
    HolidayYear.objects.create(year=2027, source="国办发明电〔2026〕X号")
    HolidayDay.objects.create(date=D(2027, 1, 1), kind="holiday", name="元旦")
    HolidayDay.objects.create(
        date=D(2027, 1, 9), kind="workday", name="调休上班"
    )  # a Saturday, invented for the test


def test_once_staff_enter_2027_results_follow_the_table_and_are_not_provisional(table_2027):
    result = add_workdays(D(2026, 12, 28), 5)  # 29 30 31 | (1 Jan off) Mon 4, Tue 5
    assert result == D(2027, 1, 5)
    assert result.provisional is False
    assert is_working_day(D(2027, 1, 9)) is True
    assert is_working_day(D(2027, 1, 10)) is False
    assert workdays_between(D(2027, 1, 7), D(2027, 1, 11)) == 3  # Fri 8, Sat 9 (make-up), Mon 11
    assert not holiday_year_reminders().exists()


def test_days_in_the_table_without_the_year_registered_count_but_the_rest_stays_provisional():
    HolidayDay.objects.create(date=D(2027, 1, 1), kind="holiday", name="元旦")
    result = add_workdays(D(2026, 12, 31), 1)
    assert result == D(2027, 1, 4)
    assert result.provisional is True


def test_a_table_entry_overrides_the_library():
    HolidayDay.objects.create(date=D(2026, 10, 8), kind="holiday", name="临时增加的假日")
    HolidayDay.objects.create(date=D(2026, 10, 11), kind="workday", name="临时调休")
    assert is_working_day(D(2026, 10, 8)) is False
    assert is_working_day(D(2026, 10, 11)) is True
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 9)


def test_a_workdate_survives_pickling_for_celery():
    import pickle

    result = add_workdays(D(2026, 12, 28), 5)
    again = pickle.loads(pickle.dumps(result))
    assert again == result and again.provisional is True
    assert type(result.plain()) is dt.date


# --- the defining property ------------------------------------------------------------------------

KNOWN_DAYS = st.dates(min_value=D(2019, 1, 1), max_value=D(2026, 10, 31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=KNOWN_DAYS, n=st.integers(min_value=0, max_value=40))
def test_workdays_between_undoes_add_workdays_in_known_years(day, n):
    later = add_workdays(day, n)
    assert workdays_between(day, later) == n
    assert later >= day
    if n:
        assert is_working_day(later)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(min_value=D(2019, 3, 1), max_value=D(2026, 12, 31)), n=st.integers(min_value=1, max_value=40)
)
def test_counting_back_lands_on_the_nth_working_day_before(day, n):
    earlier = add_workdays(day, -n)
    assert is_working_day(earlier)
    assert workdays_between(earlier, day) == n - 1 + int(is_working_day(day))


# --- issue 9: a count says it is provisional, as a date does; a date remembers how it was counted -------


@pytest.mark.article(23)
def test_workdays_between_over_an_unknown_year_says_it_is_provisional_and_tells_the_administrators():
    count = workdays_between(D(2026, 12, 31), D(2027, 1, 8))
    assert count == 6 and count.provisional is True
    assert holiday_year_reminders().count() == 1


def test_workdays_between_within_known_years_is_not_provisional():
    count = workdays_between(D(2026, 12, 30), D(2026, 12, 31))  # the last day of the known year
    assert count == 1 and count.provisional is False
    assert not holiday_year_reminders().exists()


def test_workdays_between_one_day_into_the_unknown_year_is_provisional():
    count = workdays_between(D(2026, 12, 31), D(2027, 1, 1))
    assert count == 1 and count.provisional is True


def test_workdays_between_is_not_provisional_once_staff_enter_the_year(table_2027):
    count = workdays_between(D(2026, 12, 31), D(2027, 1, 8))
    assert count == 5 and count.provisional is False  # 1 Jan off: Mon 4 to Fri 8


def test_a_count_is_an_int_everywhere_else():
    count = workdays_between(D(2026, 12, 31), D(2027, 1, 8))
    assert f"还剩 {count} 个工作日" == "还剩 6 个工作日" and count + 1 == 7 and max(1, count) == 6


def test_a_date_counted_in_working_days_remembers_its_start_and_count():
    due = add_workdays(D(2026, 9, 28), 10)
    assert due == D(2026, 10, 16) and due.origin == (D(2026, 9, 28), 10)
    assert add_workdays(due, 5).origin == (D(2026, 9, 28), 15)  # counted on from a counted day
    assert add_workdays(due, -3).origin == (D(2026, 10, 16), -3)
    import pickle

    again = pickle.loads(pickle.dumps(due))
    assert again == due and again.origin == due.origin and again.provisional is False
