"""Working days on the mainland calendar, with its 调休 make-up days.

Sources, in order: the holiday table kept by staff (overrides everything for the dates it names),
`chinesecalendar` for the years it was released with, and for a year neither knows, Monday to
Friday. A result that depended on such a year is *provisional*: it is a WorkDate whose `provisional`
flag is set, and every listener registered in `unknown_year_listeners` is told the year (the policy
app raises a reminder to administrators). Nothing crashes and nothing is silently miscounted.

This module is a calculator and knows no app: the holiday table is a `HolidayTable` that the app
keeping it registers with `use_holiday_table()` at start-up (policy, in its AppConfig.ready()).
Until one is registered the table is empty.
"""

import datetime as dt
from collections.abc import Callable

import chinese_calendar

from yunfu_ipfund.common.articles import ARTICLE_17, implements

unknown_year_listeners: list[Callable[[int], object]] = []


class HolidayTable:
    """The staff's holiday table as the calculator reads it. This one is empty; the app that keeps
    the table registers a subclass answering from its records (reads only, no rule of its own)."""

    def days(self, year):
        """{date: True for a make-up working day, False for a holiday} of the exceptions in `year`."""
        return {}

    def has_year(self, year):
        """Whether staff have declared `year` entered completely."""
        return False

    def last_year(self):
        """The latest year declared complete, or None."""
        return None


_source = HolidayTable()


def use_holiday_table(table):
    """Register where the staff's holiday table is read from (replacing the previous source)."""
    global _source
    _source = table


def holiday_table():
    return _source


class WorkDate(dt.date):
    """A date that remembers whether it rests on a year the calendar does not know, and, when it was
    counted in working days, from where: `origin` is (start, n) of add_workdays(start, n), so whoever
    stores it (a reminder's due date) can count it again when the holiday table changes."""

    provisional = False
    origin: tuple[dt.date, int] | None = None

    def __new__(cls, day, provisional=False, *rest, origin=None):
        if isinstance(day, int):  # date arithmetic (WorkDate + timedelta) calls cls(year, month, day)
            return dt.date(day, provisional, *rest)
        obj = super().__new__(cls, day.year, day.month, day.day)
        obj.provisional = provisional
        obj.origin = origin
        return obj

    def __reduce__(self):
        return (_work_date, (dt.date(self.year, self.month, self.day), self.provisional, self.origin))

    def plain(self):
        return dt.date(self.year, self.month, self.day)


def _work_date(day, provisional, origin=None):
    return WorkDate(day, provisional, origin=origin)


class WorkCount(int):
    """A count of working days that, like WorkDate, says whether it rests on a year the calendar does
    not know (`provisional`). It is an int everywhere else."""

    provisional = False

    def __new__(cls, value, provisional=False):
        obj = super().__new__(cls, value)
        obj.provisional = provisional
        return obj

    def __reduce__(self):
        return (WorkCount, (int(self), self.provisional))


def _library_years():
    return {day.year for day in chinese_calendar.constants.holidays}


_LIBRARY_YEARS = _library_years()


class _Calendar:
    """Answers is-working-day for one computation, loading each year's table once."""

    def __init__(self):
        self.tables = {}
        self.provisional_years = set()

    def _table(self, year):
        if year not in self.tables:
            days = _source.days(year)
            complete = year in _LIBRARY_YEARS or _source.has_year(year)
            self.tables[year] = (days, complete)
        return self.tables[year]

    def is_working_day(self, day):
        days, complete = self._table(day.year)
        if day in days:
            return days[day]
        if day.year in _LIBRARY_YEARS:
            return chinese_calendar.is_workday(day)
        if not complete:
            self.provisional_years.add(day.year)
        return day.weekday() < 5

    def _tell(self):
        provisional = bool(self.provisional_years)
        for year in sorted(self.provisional_years):
            for listener in unknown_year_listeners:
                listener(year)
        return provisional

    def finish(self, day, origin=None):
        return WorkDate(day, self._tell(), origin=origin)

    def finish_count(self, count):
        return WorkCount(count, self._tell())


def is_working_day(day):
    cal = _Calendar()
    result = cal.is_working_day(day)
    cal.finish(day)
    return result


@implements(ARTICLE_17)
def add_workdays(start, n):
    """The date n working days after `start`; a negative n counts back. n == 0 is `start` itself.

    A deadline of "10 working days after disbursement" is add_workdays(disbursed_on, 10); a reminder
    "3 working days before the deadline" is add_workdays(deadline, -3).

    The result's `origin` is (start, n); when `start` itself was counted forward from an earlier day
    and n > 0, the origin is that day with both counts added (the same date, counted in one go).
    """
    cal = _Calendar()
    step = dt.timedelta(days=1 if n >= 0 else -1)
    day = start
    counted = 0
    while counted < abs(n):
        day += step
        if cal.is_working_day(day):
            counted += 1
    inner = getattr(start, "origin", None)
    if inner and inner[1] > 0 and n >= 0:
        origin = (inner[0], inner[1] + n)
    else:
        origin = (dt.date(start.year, start.month, start.day), n)
    return cal.finish(day, origin=origin)


def workdays_between(start, end):
    """Working days after `start` up to and including `end` (0 when end <= start).

    workdays_between(d, add_workdays(d, n)) == n.

    The count is a WorkCount: `provisional` is set, as add_workdays' result is, when a day counted
    fell in a year neither the holiday table nor chinesecalendar knows.
    """
    cal = _Calendar()
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return cal.finish_count(count)


def is_known_year(year):
    return year in _LIBRARY_YEARS or _source.has_year(year)


def last_known_year():
    table = _source.last_year()
    return max(_LIBRARY_YEARS | ({table} if table else set()))
