"""The real fund's opening: the provincial allocation (the first policy version's fund_capital), dated
the day that version took effect. Safe on an empty database (no policy: nothing to post) and
idempotent (fixed key; fund.demo and contribution_post use the same key and figures, so they return
this posting).

Frozen: historical models and literals only, no import of fund's live code. The fingerprint is the
one contribution_post computes for these figures (sha256 of the sorted JSON of kind, lines, reference,
bank, commitment, reversal_of), spelled out here so that a later change of the service cannot change
what this migration wrote. No audit event: the audit chain is written by services only (ADR 0002)."""

import hashlib
import json

from django.db import migrations
from django.utils import timezone

OPENING_KEY = "fund-opening-allocation"


def opening_fingerprint(amount, policy_pk):
    parts = dict(
        kind="contribution",
        lines=sorted([("cash", str(amount)), ("contributions", str(-amount))]),
        ref=["policy.policyversion", str(policy_pk)], bank=None, commitment=None, reversal_of=None,
    )
    data = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def forwards(apps, schema_editor):
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
        DailyMovement.objects.create(
            account=account, bank=None, value_date=first.effective_from, amount=value, entries=1
        )


class Migration(migrations.Migration):
    dependencies = [("fund", "0002_append_only_ledger"), ("policy", "0002_seed_measures_and_lpr")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
