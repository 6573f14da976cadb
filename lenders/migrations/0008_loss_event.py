"""The loss event of a covered loan (DOMAIN "The loss event"): its day and how it arose. Loans already
classified non-performing get their classification day as the loss event; loans reported overdue past
the version's npl_overdue_days are picked up by the next daily check (lenders.checks), which takes the
earlier of the two. Reversible (the fields are dropped)."""

from django.db import migrations, models
from django.db.models import F


def classified_loans(apps, schema_editor):
    CoveredLoan = apps.get_model("lenders", "CoveredLoan")
    CoveredLoan.objects.filter(non_performing_on__isnull=False).update(
        loss_event_on=F("non_performing_on"), loss_event_source="classification"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lenders", "0007_reminder_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="coveredloan",
            name="loss_event_on",
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name="损失事件日期"),
        ),
        migrations.AddField(
            model_name="coveredloan",
            name="loss_event_source",
            field=models.CharField(
                blank=True,
                choices=[("classification", "银行认定不良"), ("overdue", "逾期达到认定不良天数")],
                max_length=20,
                verbose_name="损失事件成因",
            ),
        ),
        migrations.RunPython(classified_loans, migrations.RunPython.noop),
    ]
