"""Re-render stored notices: those whose PDF embeds no CJK font (rendered before the fonts were
installed: every Chinese glyph a box), every rendered one, or one by its number. Number, verification
code and issue date stay; the file and its SHA-256 are replaced and the re-render is audited."""

from django.core.management.base import BaseCommand, CommandError

from yunfu_ipfund.notices import pdf
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.notices.services import notice_rerender

NO_SELECTION = "请指定 --all、--missing-cjk 或 --number 文号。"
NO_SUCH_NUMBER = "没有文号为“{number}”的文书。"
SOME_FAILED = "{count} 份文书重新生成失败，见上文。"
DONE = "已重新生成 {count} 份文书。"
ONE_DONE = "已重新生成 {number}（SHA-256 {old} → {new}）"
ONE_FAILED = "{number} 重新生成失败：{error}"


def _stored_pdf(notice):
    try:
        with notice.pdf.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):  # no file stored, or gone from the storage
        return b""


def notices_missing_cjk():
    """Notices without a stored PDF that embeds a CJK font: rendered ones whose file shows none (stored
    before the renderer checked), and failed ones (refused for the want of fonts, perhaps past the
    beat's last retry) now that the fonts may be there."""
    rendered = Notice.RenderStatus.RENDERED
    for notice in Notice.objects.exclude(render_status=Notice.RenderStatus.PENDING).order_by("id").iterator():
        if notice.render_status != rendered or not pdf.cjk_fonts(_stored_pdf(notice)):
            yield notice


class Command(BaseCommand):
    help = "重新生成文书 PDF（文号、验证码、成文日期不变），如缺少中文字体的文书。"

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", help="所有已生成的文书")
        which.add_argument("--missing-cjk", action="store_true", help="PDF 未嵌入中文字体的文书")
        which.add_argument("--number", help="一份文书的文号")

    def handle(self, *args, **options):
        number = options.get("number")
        if number:
            notices = list(Notice.objects.filter(number=number.strip()))
            if not notices:
                raise CommandError(NO_SUCH_NUMBER.format(number=number))
        elif options.get("all"):
            notices = Notice.objects.filter(render_status=Notice.RenderStatus.RENDERED).order_by("id")
        elif options.get("missing_cjk"):
            notices = notices_missing_cjk()
        else:
            raise CommandError(NO_SELECTION)
        done = failed = 0
        for notice in notices:
            old = notice.sha256 or "—"
            try:
                notice = notice_rerender(notice=notice, by=None)
            except Exception as exc:  # one notice's failure does not stop the others
                failed += 1
                self.stderr.write(ONE_FAILED.format(number=notice.number, error=exc))
                continue
            done += 1
            self.stdout.write(ONE_DONE.format(number=notice.number, old=old[:12], new=notice.sha256[:12]))
        self.stdout.write(DONE.format(count=done))
        if failed:
            raise CommandError(SOME_FAILED.format(count=failed))
