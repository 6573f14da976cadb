"""The real fund's opening: the provincial allocation (the first policy version's fund_capital), dated
the day that version took effect. Safe on an empty database (no policy: nothing to post) and
idempotent (fixed key; fund.demo and fund.services.contribution_post use the same key and figures)."""

from django.db import migrations
from django.utils import timezone

OPENING_KEY = "fund-opening-allocation"


def forwards(apps, schema_editor):
    from fund.services import opening_fingerprint

    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    Posting = apps.get_model("fund", "Posting")
    Entry = apps.get_model("fund", "Entry")
    LedgerAccount = apps.get_model("fund", "LedgerAccount")
    DailyMovement = apps.get_model("fund", "DailyMovement")
    first = PolicyVersion.objects.order_by("effective_from").first()
    if first is None or Posting.objects.filter(key=OPENING_KEY).exists():
        return
    amount = first.fund_capital
    posting = Posting.objects.create(
        kind="contribution", value_date=first.effective_from, booked_at=timezone.now(),
        reference_type="policy.policyversion", reference_id=str(first.pk), actor_name="系统",
        reason="省级专项资金拨入（开户）", key=OPENING_KEY,
        fingerprint=opening_fingerprint(amount, first.pk), amount=amount,
    )
    for account, value in (("cash", amount), ("contributions", -amount)):
        Entry.objects.create(posting=posting, account=account, amount=value)
        row, _ = LedgerAccount.objects.get_or_create(code=account)
        row.balance += value
        row.save(update_fields=["balance"])
        DailyMovement.objects.create(account=account, bank=None, value_date=first.effective_from, amount=value, entries=1)


class Migration(migrations.Migration):
    dependencies = [("fund", "0002_append_only_ledger"), ("policy", "0002_seed_measures_and_lpr")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
