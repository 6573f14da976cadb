"""The fund's reminders written before reminder kinds (`fund-period-signoff-7`, `fund-pause-2025-finance`)
get their kind, record, discriminator and derived key, so that the services, which now schedule by kind
and record, find them. The patterns and kinds are frozen here as literals. Reversible."""

import re

from django.db import migrations

SIGN_OFF = "fund.statementperiod.sign_off"
PAYOUT_ALERT = "fund.payout.alert"


def to_kinds(apps, schema_editor):
    Reminder = apps.get_model("notices", "Reminder")
    for reminder in Reminder.objects.filter(kind="", key__regex=r"^fund-period-signoff-\d+$"):
        pk = reminder.key.rsplit("-", 1)[1]
        reminder.kind, reminder.subject_type, reminder.subject_id = SIGN_OFF, "fund.statementperiod", pk
        reminder.key = f"{SIGN_OFF}:fund.statementperiod:{pk}"
        reminder.save(update_fields=["kind", "subject_type", "subject_id", "key"])
    pause = re.compile(r"fund-pause-(.+)-(bureau_approver|finance)")
    for reminder in Reminder.objects.filter(kind="", key__regex=r"^fund-pause-.+-(bureau_approver|finance)$"):
        role = pause.fullmatch(reminder.key).group(2)
        reminder.kind, reminder.discriminator = PAYOUT_ALERT, role
        reminder.key = f"{PAYOUT_ALERT}:{reminder.subject_type}:{reminder.subject_id}:{role}"
        reminder.save(update_fields=["kind", "discriminator", "key"])


def to_keys(apps, schema_editor):
    Reminder = apps.get_model("notices", "Reminder")
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    for reminder in Reminder.objects.filter(kind=SIGN_OFF):
        reminder.key, reminder.kind = f"fund-period-signoff-{reminder.subject_id}", ""
        reminder.save(update_fields=["kind", "key"])
    for reminder in Reminder.objects.filter(kind=PAYOUT_ALERT):
        code = PolicyVersion.objects.get(pk=reminder.subject_id).code
        reminder.key, reminder.kind = f"fund-pause-{code}-{reminder.discriminator}", ""
        reminder.discriminator = ""
        reminder.save(update_fields=["kind", "discriminator", "key"])


class Migration(migrations.Migration):

    dependencies = [
        ("fund", "0006_suspensionproposal_to_lenders"),
        ("notices", "0002_reminder_kind"),
        ("policy", "0002_seed_measures_and_lpr"),
    ]

    operations = [migrations.RunPython(to_kinds, to_keys)]
