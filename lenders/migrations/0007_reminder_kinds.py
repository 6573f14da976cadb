"""The bank side's reminders written before reminder kinds (hand-written keys such as
`lenders-filing-42-deadline`) get their kind, record and derived key (`<kind>:<model>:<pk>`), so that
the services, which now schedule and resolve by kind and record, find them. The patterns and kinds are
frozen here as literals. Reversible."""

import re

from django.db import migrations

# old key pattern -> (kind code, subject type)
PATTERNS = [
    (r"lenders-bank-(\d+)-agreement", "lenders.cooperatingbank.agreement_expiry", "lenders.cooperatingbank"),
    (r"lenders-filing-(\d+)-deadline", "lenders.loanfiling.deadline", "lenders.loanfiling"),
    (r"lenders-filing-(\d+)-review", "lenders.loanfiling.review", "lenders.loanfiling"),
    (r"lenders-filing-(\d+)-correction", "lenders.loanfiling.correction", "lenders.loanfiling"),
    (r"lenders-loan-(\d+)-maturity", "lenders.coveredloan.maturity", "lenders.coveredloan"),
    (r"lenders-loan-(\d+)-unreported", "lenders.coveredloan.unreported", "lenders.coveredloan"),
    (r"fund-suspension-(\d+)", "lenders.suspensionproposal.decision", "lenders.suspensionproposal"),
]
OLD_KEYS = {
    "lenders.cooperatingbank.agreement_expiry": "lenders-bank-{}-agreement",
    "lenders.loanfiling.deadline": "lenders-filing-{}-deadline",
    "lenders.loanfiling.review": "lenders-filing-{}-review",
    "lenders.loanfiling.correction": "lenders-filing-{}-correction",
    "lenders.coveredloan.maturity": "lenders-loan-{}-maturity",
    "lenders.coveredloan.unreported": "lenders-loan-{}-unreported",
    "lenders.suspensionproposal.decision": "fund-suspension-{}",
}


def to_kinds(apps, schema_editor):
    Reminder = apps.get_model("notices", "Reminder")
    for pattern, kind, subject_type in PATTERNS:
        regex = re.compile(pattern)
        for reminder in Reminder.objects.filter(kind="", key__regex=f"^{pattern}$"):
            pk = regex.fullmatch(reminder.key).group(1)
            reminder.kind, reminder.subject_type, reminder.subject_id = kind, subject_type, pk
            reminder.key = f"{kind}:{subject_type}:{pk}"
            reminder.save(update_fields=["kind", "subject_type", "subject_id", "key"])


def to_keys(apps, schema_editor):
    Reminder = apps.get_model("notices", "Reminder")
    for reminder in Reminder.objects.filter(kind__in=list(OLD_KEYS)):
        reminder.key = OLD_KEYS[reminder.kind].format(reminder.subject_id)
        reminder.kind = ""
        reminder.save(update_fields=["kind", "key"])


class Migration(migrations.Migration):

    dependencies = [
        ("lenders", "0006_suspensionproposal_from_fund"),
        ("notices", "0002_reminder_kind"),
    ]

    operations = [migrations.RunPython(to_kinds, to_keys)]
