from django.core.management.base import BaseCommand, CommandError

from fund.integrity import ledger_differences
from fund.models import Entry, Posting


class Command(BaseCommand):
    help = (
        "资金台账自检：按分录重算每个科目余额、银行科目余额与日发生额，并检查每张凭证借贷平衡；"
        "发现不符时逐项列出并以非零退出码退出。"
    )

    def handle(self, *args, **options):
        differences = ledger_differences()
        postings, entries = Posting.objects.count(), Entry.objects.count()
        if differences:
            lines = "\n".join(f"  {i}. {d}" for i, d in enumerate(differences, 1))
            raise CommandError(
                f"资金台账自检失败：{len(differences)} 处不符"
                f"（共 {postings} 张凭证、{entries} 条分录）：\n{lines}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"资金台账一致：{postings} 张凭证、{entries} 条分录，"
                "科目余额、银行科目余额与日发生额均与分录相符，每张凭证借贷平衡。"
            )
        )
