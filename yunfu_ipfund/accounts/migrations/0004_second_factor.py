# Second factor (issue 11 item 2): the lockout fields, the reset kind of AdminRequest, hashed recovery codes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_rules_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="otp_failures",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="动态验证码连续错误次数"),
        ),
        migrations.AddField(
            model_name="user",
            name="otp_locked_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="第二认证因素锁定至"),
        ),
        migrations.AlterField(
            model_name="adminrequest",
            name="kind",
            field=models.CharField(
                choices=[
                    ("grant_role", "授予业务角色"),
                    ("revoke_role", "撤销角色"),
                    ("reset_password", "重置密码"),
                    ("reactivate", "启用账号"),
                    ("reset_second_factor", "重置第二认证因素"),
                ],
                max_length=20,
                verbose_name="申请事项",
            ),
        ),
        migrations.CreateModel(
            name="RecoveryCodeDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="The human-readable name of this device.", max_length=64),
                ),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The user that this device belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "恢复码",
                "verbose_name_plural": "恢复码",
            },
        ),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True, verbose_name="摘要")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="使用时间")),
                (
                    "device",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes",
                        to="accounts.recoverycodedevice",
                    ),
                ),
            ],
            options={
                "verbose_name": "恢复码",
                "verbose_name_plural": "恢复码",
            },
        ),
    ]
