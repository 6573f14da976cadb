"""The fund's lock: the cash account's running-balance row, the single serialisation point of every
posting, commitment, sign-off, pause and (taken by the lenders app) every filing confirmation.

It lives below the selectors and the services, so both, and the apps above, take it the same way.
"""

from django.db import IntegrityError, transaction

from .models import Account, LedgerAccount


def ensure_accounts():
    """Create any missing running-balance rows (after a fresh database or a flush). Race-safe."""
    if LedgerAccount.objects.count() == len(Account.values):
        return
    for code in Account.values:
        try:
            with transaction.atomic():
                LedgerAccount.objects.get_or_create(code=code)
        except IntegrityError:
            pass  # created by a concurrent transaction


def lock_fund():
    """Take the fund's lock (the cash account's balance row) for the rest of the caller's transaction."""
    ensure_accounts()
    return LedgerAccount.objects.select_for_update().get(code=Account.CASH)
