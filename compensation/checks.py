"""Daily checks of compensation (called by the platform's daily beat task)."""

from .models import Claim
from .services import schedule_recovery_report


def run_daily_checks(today):
    """Each open paid claim has this quarter's recovery-report reminder (idempotent: one per claim and
    quarter)."""
    count = 0
    open_paid = Claim.objects.filter(status__in=[Claim.Status.PAID, Claim.Status.RECOVERY])
    for claim in open_paid.select_related("bank"):
        schedule_recovery_report(claim, today)
        count += 1
    return count
