"""The daily checks, run each morning by the beat task `notices.daily_checks`.

Whatever raises reminders from a daily look at its records registers its check here, and notices
knows none of them: the platform's apps call `register_daily_check(fn)` in their AppConfig.ready()
(policy registers the holiday table and the Measures' expiry); a domain app does the same, or keeps a
`checks.py` with `run_daily_checks(today)`, found through `common.plugins.app_modules`. Each check is
called once with today's date (Asia/Shanghai), registered checks first, in the order registered.
"""

from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.plugins import app_modules

daily_checks = []


def register_daily_check(check):
    """Add `check(today)` to the daily run (once, however often it is registered). Usable as a decorator."""
    if check not in daily_checks:
        daily_checks.append(check)
    return check


def all_daily_checks():
    checks = list(daily_checks)
    for _app, module in app_modules("checks"):
        if module.run_daily_checks not in checks:
            checks.append(module.run_daily_checks)
    return checks


def run_daily_checks(today=None):
    today = today or local_today()
    for check in all_daily_checks():
        check(today)
