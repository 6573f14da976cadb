"""Daily checks that raise reminders about the platform itself: the holiday table running out and
the Measures in force expiring. Domain apps add theirs through `daily_check_hooks`."""

from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.plugins import app_modules
from yunfu_ipfund.common.workdays import is_known_year

from .services import alert_unknown_holiday_year


def check_holiday_table(today):
    """From October on, next year's calendar must be in the table (the State Council publishes it in autumn)."""
    if not is_known_year(today.year):
        alert_unknown_holiday_year(today.year)
    if today.month >= 10 and not is_known_year(today.year + 1):
        alert_unknown_holiday_year(today.year + 1)


def run_daily_checks(today=None):
    today = today or local_today()
    check_holiday_table(today)
    from yunfu_ipfund.policy.services import check_policy_expiry

    check_policy_expiry(today)
    for _app, module in app_modules("checks"):
        module.run_daily_checks(today)
