"""The holiday table (HolidayDay, HolidayYear) as the working-day calculator's source, and what is
done when it runs out: an alert to the administrators, and a daily look at the year ahead.

Registered at start-up by PolicyConfig.ready(): `common.workdays` reads the table through
`HOLIDAY_TABLE` and tells `alert_unknown_holiday_year` of a year it had to guess.
"""

from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from yunfu_ipfund.common.articles import ARTICLE_17, implements
from yunfu_ipfund.common.memo import memo_clear, memoized
from yunfu_ipfund.common.workdays import HolidayTable, is_known_year
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.notices.reminders import alert_administrators, reminder_resolve

from .models import HolidayDay, HolidayYear
from .reminders import HOLIDAY_YEAR_MISSING


def _days(year):
    rows = HolidayDay.objects.filter(date__year=year).values_list("date", "kind")
    return {day: kind == HolidayDay.Kind.WORKDAY for day, kind in rows}


def _declared_years():
    return frozenset(HolidayYear.objects.values_list("year", flat=True))


class PolicyHolidayTable(HolidayTable):
    """The table staff keep in the admin (reads only). Within a request each year's exceptions are
    read once and the declared years once (common.memo); outside a request every call reads."""

    def days(self, year):
        return memoized(("holidays.days", year), lambda: _days(year))

    def has_year(self, year):
        return year in memoized("holidays.years", _declared_years)

    def last_year(self):
        return max(memoized("holidays.years", _declared_years), default=None)


# An edit of the table in a request is seen by the rest of that request.
for _model in (HolidayDay, HolidayYear):
    post_save.connect(memo_clear, sender=_model, dispatch_uid=f"memo_clear_save_{_model.__name__}")
    post_delete.connect(memo_clear, sender=_model, dispatch_uid=f"memo_clear_delete_{_model.__name__}")


HOLIDAY_TABLE = PolicyHolidayTable()


def alert_unknown_holiday_year(year):
    """Called by common.workdays when a computation fell back to Monday-Friday for `year`."""
    alert_administrators(
        kind=HOLIDAY_YEAR_MISSING,
        discriminator=str(year),
        title=f"节假日表缺少 {year} 年安排，相关期限暂按周一至周五计算",
        body=(
            f"请依据国务院办公厅关于 {year} 年部分节假日安排的通知，"
            "在“节假日/调休日”中录入该年安排，并登记年度。"
        ),
        url=reverse("admin:policy_holidayday_changelist"),
    )


@implements(ARTICLE_17)
def check_holiday_table(today):
    """Daily: this year must be in the table, and from October on next year too (the State Council
    publishes it in autumn)."""
    if not is_known_year(today.year):
        alert_unknown_holiday_year(today.year)
    if today.month >= 10 and not is_known_year(today.year + 1):
        alert_unknown_holiday_year(today.year + 1)


# --- the "缺少 N 年安排" to-do follows the table (issue 14 item 5) -------------------------------------
# Declaring a year (HolidayYear) is not entering it: the administrators' to-do for a missing year is
# resolved only once the year is declared *and* has its days, and comes back if the days (or the
# declaration) are deleted again.


def holiday_year_complete(year):
    """The year is declared and has at least one holiday or make-up working day in the table."""
    return (
        HolidayYear.objects.filter(year=year).exists() and HolidayDay.objects.filter(date__year=year).exists()
    )


def holiday_year_todo_follow(year):
    """Resolve the missing-year to-do of `year` if the year is now complete, re-open it if not."""
    if holiday_year_complete(year):
        reminder_resolve(kind=HOLIDAY_YEAR_MISSING, discriminator=str(year))
    else:
        Reminder.objects.filter(
            kind=HOLIDAY_YEAR_MISSING.code, discriminator=str(year), resolved_at__isnull=False
        ).update(resolved_at=None)


def _follow_todo(sender, instance, **kwargs):
    holiday_year_todo_follow(instance.year if sender is HolidayYear else instance.date.year)


for _model in (HolidayDay, HolidayYear):
    post_save.connect(_follow_todo, sender=_model, dispatch_uid=f"todo_follow_save_{_model.__name__}")
    post_delete.connect(_follow_todo, sender=_model, dispatch_uid=f"todo_follow_delete_{_model.__name__}")
