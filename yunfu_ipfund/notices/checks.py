"""The daily checks, run each morning by the beat task `notices.daily_checks`.

Whatever raises reminders from a daily look at its records registers its check here, and notices
knows none of them: the platform's apps call `register_daily_check(fn)` in their AppConfig.ready()
(policy registers the holiday table and the Measures' expiry); a domain app does the same, or keeps a
`checks.py` with `run_daily_checks(today)`, found through `common.plugins.app_modules`. Each check is
called once with today's date (Asia/Shanghai), registered checks first, in the order registered.
"""

from yunfu_ipfund.common.articles import article, articles_of
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.plugins import app_modules

daily_checks = []
# The articles of the Measures each registered check serves (common.articles: the one list).
daily_check_articles = {}


def register_daily_check(check, *, articles=()):
    """Add `check(today)` to the daily run (once, however often it is registered). Usable as a decorator.

    `articles`: the articles of the Measures it serves (Article objects or numbers); without them, the
    check's own @implements, its module's ARTICLES or its module's entry in common.articles."""
    if check not in daily_checks:
        daily_checks.append(check)
    if articles:
        daily_check_articles[check] = tuple(
            sorted({article(getattr(a, "number", a)) for a in articles}, key=lambda a: a.number)
        )
    return check


def check_articles(check):
    """The articles a daily check serves (sorted Article objects; empty if it declares none)."""
    return daily_check_articles.get(check) or articles_of(check)


def all_daily_checks():
    checks = list(daily_checks)
    for _app, module in app_modules("checks"):
        if module.run_daily_checks not in checks:
            checks.append(module.run_daily_checks)
    if write_daily_checkpoint not in checks:
        checks.append(write_daily_checkpoint)
    return checks


def run_daily_checks(today=None):
    today = today or local_today()
    for check in all_daily_checks():
        check(today)


# The audit chain's daily checkpoint (notices.checkpoint; importing it registers its notice kind). It
# runs last (all_daily_checks), so it anchors the head after every other check has written its events.
from .checkpoint import write_daily_checkpoint  # noqa: E402
