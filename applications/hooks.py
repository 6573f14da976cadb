"""What the enterprise side asks of the bank side, which stands above it in the layers.

`applications` may not import `lenders`. Two questions of the eligibility rules are answered there,
so this module publishes them as hooks, and the lenders app registers its answer to each in its
AppConfig.ready(). A hook holds no business logic: it passes the arguments on and returns the answer.

- `active_bank_orgs()`: the organisations of the cooperating banks that may receive registrations now
  (a queryset of accounts.Organisation; Art 3).
- `pledged_asset_ids(asset_ids, *, excluding_filing_id=None)`: the ids among `asset_ids` already pledged
  under a live covered loan, not counting the filing `excluding_filing_id` (the filing being judged
  does not pledge "under another loan"); Art 2. Everything the answer depends on is an argument.
"""

from django.core.exceptions import ImproperlyConfigured


class Hook:
    """One question, answered by exactly one function that a higher app registers."""

    def __init__(self, name):
        self.name = name
        self._answer = None

    def register(self, answer):
        if self._answer is not None and self._answer is not answer:
            raise ImproperlyConfigured(f"applications.hooks.{self.name} is answered twice")
        self._answer = answer
        return answer

    def __call__(self, *args, **kwargs):
        if self._answer is None:
            raise ImproperlyConfigured(f"nobody answers applications.hooks.{self.name}")
        return self._answer(*args, **kwargs)


active_bank_orgs = Hook("active_bank_orgs")
pledged_asset_ids = Hook("pledged_asset_ids")
