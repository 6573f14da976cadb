"""Write the demo certificate authority and the bureau's demo signing certificate (marked 演示).

Development and demos only: `var/demo-ca/root.pem` (the trust root) and `var/demo-ca/bureau.p12`
(certificate and key), git-ignored. The development settings use them when present. Idempotent: an
existing demo CA is kept unless `--force`.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yunfu_ipfund.notices import signing


class Command(BaseCommand):
    help = "生成演示用根证书和云浮市市场监督管理局（演示）签章证书（仅供开发和演示）。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.DEMO_CA_DIR), help="输出目录（默认 var/demo-ca）")
        parser.add_argument("--force", action="store_true", help="覆盖已有的演示证书")

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.TESTING):
            raise CommandError("演示证书只能在开发环境（DEBUG=true）中生成，生产环境请配置本局的正式证书。")
        directory = Path(options["dir"])
        if (directory / signing.DEMO_PKCS12_FILE).is_file() and not options["force"]:
            self.stdout.write(f"演示证书已存在：{directory}")
            return
        root, p12 = signing.make_demo_ca(directory)
        self.stdout.write(self.style.SUCCESS(f"已生成演示根证书 {root} 和签章证书 {p12}"))
