"""Two bureau people on every filing (DOMAIN.md Rulings): the clerk's first review (who, when, opinion)
and its state FIRST_REVIEWED (初审通过，待审核) between SUBMITTED and the approver's decision. Filings
already submitted stay SUBMITTED and wait for the clerk's first review. Reversible."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lenders", "0008_loss_event"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="loanfiling",
            name="first_review_opinion",
            field=models.TextField(blank=True, verbose_name="初审意见"),
        ),
        migrations.AddField(
            model_name="loanfiling",
            name="first_reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="loanfiling",
            name="first_reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="loanfiling",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "草稿"),
                    ("submitted", "已报送，待市监局审核"),
                    ("first_reviewed", "初审通过，待审核"),
                    ("returned", "退回补正"),
                    ("confirmed", "已确认纳入风险补偿"),
                    ("refused", "不予备案"),
                ],
                db_index=True,
                default="draft",
                max_length=20,
                verbose_name="状态",
            ),
        ),
    ]
