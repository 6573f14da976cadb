from django.core.management.base import BaseCommand, CommandError

from yunfu_ipfund.audit.services import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：任何被修改或删除的记录都会被发现。"

    def handle(self, *args, **options):
        checked, problems = verify_chain()
        if problems:
            raise CommandError("审计日志校验失败：" + "；".join(problems))
        self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验 {checked} 条记录。"))
