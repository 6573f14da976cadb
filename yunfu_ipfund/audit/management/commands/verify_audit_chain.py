from django.core.management.base import BaseCommand, CommandError

from yunfu_ipfund.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "校验审计日志：按审计密钥重算整条 HMAC 链，并与每日检查点（AUDIT_ANCHOR_DIR）逐一比对；"
        "任何被修改、删除或未用密钥重算的记录都会被发现，退出码非零并指明第一条有问题的事件。"
    )

    def handle(self, *args, **options):
        checked, problems = verify_chain()
        if problems:
            raise CommandError(f"审计日志校验失败（已校验 {checked} 条记录）：" + "；".join(problems))
        self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验 {checked} 条记录。"))
