"""`manage.py measures_map`: write docs/measures-map.md (article -> functions -> tests);
`--check`: fail, in Chinese and English, when the committed file differs from what the code says."""

import difflib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yunfu_ipfund.policy.measures_map import OUTPUT, render

MSG_STALE = (
    "《管理办法》条文对照表 {path} 与代码和测试中的标注不一致，请运行 "
    "`DEBUG=1 .venv/bin/python manage.py measures_map` 重新生成并提交。\n"
    "The Measures map {path} is out of date with the annotations in the code and the tests: run "
    "`DEBUG=1 .venv/bin/python manage.py measures_map` and commit the result."
)


class Command(BaseCommand):
    help = "生成《管理办法》条文对照表 docs/measures-map.md（--check：只比较，不一致则失败）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只比较已提交的文件，不写入")

    def handle(self, *args, check=False, **options):
        base = Path(settings.BASE_DIR)
        path = base / OUTPUT
        text = render(base)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                diff = difflib.unified_diff(
                    current.splitlines(), text.splitlines(), str(OUTPUT), "generated", lineterm="", n=1
                )
                self.stderr.write("\n".join(list(diff)[:80]))
                raise CommandError(MSG_STALE.format(path=OUTPUT))
            self.stdout.write(f"{OUTPUT} 与代码一致 / is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"已生成 / written: {OUTPUT}")
