"""SuspensionProposal comes over from the fund app with its rows: the model state is taken over on the
fund's table (no copy), then the table is renamed lenders_suspensionproposal and its one-open-proposal
constraint renamed with it. The content type (and so the model permissions) and the reminders about
proposals follow the new label. Audit events keep the label they were written with (the log is
append-only); lenders.risk.proposal_trail reads both."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD, NEW = "fund.suspensionproposal", "lenders.suspensionproposal"


def relabel(apps, schema_editor, old=OLD, new=NEW):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Reminder = apps.get_model("notices", "Reminder")
    old_app, old_model = old.split(".")
    new_app, new_model = new.split(".")
    if not ContentType.objects.filter(app_label=new_app, model=new_model).exists():
        ContentType.objects.filter(app_label=old_app, model=old_model).update(app_label=new_app)
    Reminder.objects.filter(subject_type=old).update(subject_type=new)


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("fund", "0006_suspensionproposal_to_lenders"),
        ("lenders", "0005_idempotencyrecord_to_common"),
        ("notices", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SuspensionProposal",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("status", models.CharField(choices=[("proposed", "待决定"), ("accepted", "已采纳（已暂停）"),
                                                             ("dismissed", "不予采纳")],
                                                    default="proposed", max_length=12, verbose_name="状态")),
                        ("grounds", models.TextField(verbose_name="理由")),
                        ("figures", models.JSONField(default=dict, verbose_name="数据")),
                        ("proposed_on", models.DateField(verbose_name="提出日期")),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_reason", models.TextField(blank=True, verbose_name="决定理由")),
                        ("bank", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                   to="accounts.organisation", verbose_name="银行")),
                        ("decided_by", models.ForeignKey(blank=True, null=True,
                                                         on_delete=django.db.models.deletion.PROTECT,
                                                         related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "暂停备案建议",
                        "verbose_name_plural": "暂停备案建议",
                        "ordering": ["-proposed_on", "-id"],
                        "db_table": "fund_suspensionproposal",
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("status", "proposed")), fields=("bank",),
                                                    name="fund_one_open_proposal_per_bank"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="suspensionproposal", table=None),
        migrations.RemoveConstraint(model_name="suspensionproposal", name="fund_one_open_proposal_per_bank"),
        migrations.AddConstraint(
            model_name="suspensionproposal",
            constraint=models.UniqueConstraint(condition=models.Q(("status", "proposed")), fields=("bank",),
                                               name="lenders_one_open_proposal_per_bank"),
        ),
        migrations.RunPython(relabel, relabel_back),
    ]
