"""`manage.py db_roles`: create or update the runtime database role and its grants (issue 12).

Run after `manage.py migrate`, with MIGRATE_DATABASE_URL (the owner of the tables) and DATABASE_URL
(the runtime role: its user name and password are taken from there) both set; the command connects as
the owner. Idempotent: run it after every migrate. docs/operations.md, "Database roles".
"""

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yunfu_ipfund.common.dbroles import RoleSetupError, grant_runtime_role


class Command(BaseCommand):
    help = "创建或更新运行数据库角色及其权限（在 migrate 之后，以表的所有者执行）。"

    def add_arguments(self, parser):
        parser.add_argument("--role", help="运行角色名（默认取 DATABASE_URL 的用户名）")
        parser.add_argument("--password", help="运行角色密码（默认取 DATABASE_URL 的密码）")

    def handle(self, *args, role=None, password=None, **options):
        if not settings.DATABASE_URL:
            raise CommandError("未设置 DATABASE_URL：数据库角色只适用于 PostgreSQL。")
        runtime = dj_database_url.parse(settings.DATABASE_URL)
        role = role or runtime.get("USER")
        password = password if password is not None else runtime.get("PASSWORD")
        try:
            tables, guarded = grant_runtime_role(role, password)
        except RoleSetupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"运行角色“{role}”：{len(tables)} 张表，其中只可追加（仅 SELECT/INSERT）："
            f"{', '.join(guarded) or '无'}。"
        )
