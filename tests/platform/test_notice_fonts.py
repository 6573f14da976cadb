"""Fonts are a precondition: a notice rendered without a CJK font is refused (it stays pending and is
retried), and `rerender_notices` replaces stored PDFs that lack one, keeping number, code and date."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command

from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.notices import pdf, services, tasks
from yunfu_ipfund.notices.models import Notice

from .conftest import FAKE_PDF

pytestmark = pytest.mark.django_db

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
needs_dejavu = pytest.mark.skipif(not DEJAVU_DIR.is_dir(), reason="fonts-dejavu-core is not installed")
needs_pdffonts = pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils is not installed")
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""
RENDER = (
    "import sys; from weasyprint import HTML; "
    "sys.stdout.buffer.write(HTML(string=sys.stdin.read()).write_pdf())"
)


def render_on_a_machine_with_only_dejavu(html, tmp_path):
    """What WeasyPrint writes on a fresh machine without fonts-noto-cjk: the same HTML, rendered in a
    process whose fontconfig sees DejaVu only (every Chinese glyph a box)."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=DEJAVU_DIR, cache=tmp_path / "fc-cache"))
    result = subprocess.run(
        [sys.executable, "-c", RENDER],
        input=html.encode(),
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        capture_output=True,
        check=True,
        timeout=120,
    )
    return result.stdout


@pytest.fixture
def pending_notice(bank_a, bureau_approver, django_capture_on_commit_callbacks, monkeypatch):
    """A notice issued while the renderer is held back (its render task not yet run)."""
    monkeypatch.setattr(services, "enqueue_after_commit", lambda *args: None)
    return services.notice_issue(
        kind="general",
        subject=bank_a,
        addressee=bank_a,
        by=bureau_approver,
        context={"paragraphs": ["经审核，现将有关事项告知如下。"]},
    )


@pytest.fixture
def dejavu_pdf(pending_notice, tmp_path):
    return render_on_a_machine_with_only_dejavu(pdf.notice_html(pending_notice), tmp_path)


class _WeasyPrintWriting:
    """Stands in for weasyprint.HTML: writes the given bytes, as WeasyPrint without CJK fonts would."""

    def __init__(self, data):
        self.data = data

    def __call__(self, **kwargs):
        return self

    def write_pdf(self, **options):
        return self.data


# --- the check itself ---------------------------------------------------------------------------


@needs_dejavu
def test_a_pdf_rendered_with_dejavu_only_is_refused_naming_the_fonts_found(dejavu_pdf):
    assert pdf.cjk_fonts(dejavu_pdf) == []
    with pytest.raises(pdf.MissingCJKFont) as refused:
        pdf.require_cjk_font(dejavu_pdf)
    message = str(refused.value)
    assert "未嵌入中文（CJK）字体" in message and "fonts-noto-cjk" in message
    assert "DejaVu" in message, "the refusal says which fonts were found"
    assert refused.value.fonts == pdf.pdf_font_names(dejavu_pdf)


def test_a_pdf_without_any_font_is_refused_saying_so():
    with pytest.raises(pdf.MissingCJKFont, match="嵌入的字体：无"):
        pdf.require_cjk_font(FAKE_PDF)


@needs_pdffonts
def test_a_real_render_embeds_noto_cjk_and_the_font_names_agree_with_pdffonts(pending_notice, tmp_path):
    data = pdf.render_pdf_bytes(pdf.notice_html(pending_notice))
    assert any("Noto-Serif-CJK-SC" in name for name in pdf.cjk_fonts(data))
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    listed = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    from_pdffonts = sorted(line.split()[0] for line in listed.splitlines()[2:])
    assert pdf.pdf_font_names(data) == from_pdffonts


@pytest.mark.parametrize(
    "name, cjk",
    [
        ("ABCDEF+Noto-Serif-CJK-SC", True),
        ("NotoSansCJKsc-Regular", True),
        ("SourceHanSerifSC-Regular", True),
        ("SimSun", True),
        ("FangSong_GB2312", True),
        ("ABCDEF+DejaVu-Sans", False),
        ("LiberationSerif", False),
        ("ABCDEF+DejaVu-Math-TeX-Gyre", False),
    ],
)
def test_which_font_names_count_as_cjk(name, cjk):
    assert pdf.is_cjk_font(name) is cjk


# --- the notice stays pending and is retried ------------------------------------------------------


@needs_dejavu
def test_a_notice_rendered_without_cjk_fonts_is_not_stored_and_is_rendered_on_retry(
    pending_notice, dejavu_pdf, monkeypatch
):
    import weasyprint

    with time_machine.travel(pending_notice.issued_at, tick=False) as traveller:
        with monkeypatch.context() as fresh_machine:
            fresh_machine.setattr(weasyprint, "HTML", _WeasyPrintWriting(dejavu_pdf))
            services.notice_render(pending_notice.pk)
        pending_notice.refresh_from_db()
        assert pending_notice.render_status == Notice.RenderStatus.FAILED
        assert "MissingCJKFont" in pending_notice.render_error and "DejaVu" in pending_notice.render_error
        assert not pending_notice.pdf and pending_notice.sha256 == ""

        traveller.shift(3 * 60)  # the fonts are installed; the beat's next round
        tasks.retry_failed_renders()
    pending_notice.refresh_from_db()
    assert pending_notice.render_status == Notice.RenderStatus.RENDERED
    assert pdf.cjk_fonts(pending_notice.pdf.read())


# --- re-rendering notices stored before the check --------------------------------------------------


def _store(notice, data):
    """A notice as the old renderer left it: this PDF stored, its hash, RENDERED."""
    notice.pdf.save(f"{notice.pk}.pdf", ContentFile(data), save=False)
    notice.sha256 = pdf.sha256_hex(data)
    notice.render_status = Notice.RenderStatus.RENDERED
    notice.render_attempts = 1
    notice.save()
    return Notice.objects.get(pk=notice.pk)


@needs_dejavu
def test_rerender_missing_cjk_replaces_a_dejavu_pdf_keeping_number_code_and_date_and_audits_it(
    pending_notice, dejavu_pdf, bank_a, bureau_approver, django_capture_on_commit_callbacks
):
    boxes = _store(pending_notice, dejavu_pdf)
    good_data = pdf.render_pdf_bytes(pdf.notice_html(boxes))
    other = services.notice_issue(
        kind="general", subject=bank_a, addressee=bank_a, by=bureau_approver, context={"paragraphs": ["甲"]}
    )
    good = _store(other, good_data)
    before = {"number": boxes.number, "code": boxes.verification_code, "issued_at": boxes.issued_at}

    out = StringIO()
    call_command("rerender_notices", "--missing-cjk", stdout=out)

    boxes.refresh_from_db()
    data = boxes.pdf.read()
    assert pdf.cjk_fonts(data), "the stored PDF now embeds a CJK font"
    assert boxes.sha256 == pdf.sha256_hex(data) != pdf.sha256_hex(dejavu_pdf)
    after = {"number": boxes.number, "code": boxes.verification_code, "issued_at": boxes.issued_at}
    assert after == before
    event = AuditEvent.objects.get(
        object_type="notices.notice", object_id=str(boxes.pk), action="重新生成文书"
    )
    assert event.data["old_sha256"] == pdf.sha256_hex(dejavu_pdf) and event.data["new_sha256"] == boxes.sha256
    assert boxes.number in out.getvalue() and "1 份" in out.getvalue()

    good.refresh_from_db()
    assert good.sha256 == pdf.sha256_hex(good_data), "a notice with CJK fonts is left alone"
    assert not AuditEvent.objects.filter(object_id=str(good.pk), action="重新生成文书").exists()


def test_rerender_one_notice_by_number_and_refusals(pending_notice):
    stored = _store(pending_notice, FAKE_PDF)
    with pytest.raises(Exception, match="文号"):
        call_command("rerender_notices", "--number", "云市监知告〔1999〕9号")
    with pytest.raises(Exception, match="--all、--missing-cjk 或 --number"):
        call_command("rerender_notices")
    out = StringIO()
    call_command("rerender_notices", "--number", stored.number, stdout=out)
    stored.refresh_from_db()
    assert stored.sha256 != pdf.sha256_hex(FAKE_PDF) and pdf.cjk_fonts(stored.pdf.read())


def test_rerender_service_refuses_a_render_without_cjk_and_keeps_the_stored_file(
    pending_notice, monkeypatch, bureau_approver
):
    stored = _store(pending_notice, FAKE_PDF)

    def no_cjk(html):
        raise pdf.MissingCJKFont(["ABCDEF+DejaVu-Sans"])

    monkeypatch.setattr(pdf, "render_pdf_bytes", no_cjk)
    with pytest.raises(pdf.MissingCJKFont):
        services.notice_rerender(notice=stored, by=bureau_approver)
    stored.refresh_from_db()
    assert stored.sha256 == pdf.sha256_hex(FAKE_PDF) and stored.pdf.read() == FAKE_PDF


def test_rerender_missing_cjk_also_takes_a_notice_the_beat_gave_up_on(pending_notice, monkeypatch):
    import weasyprint

    with monkeypatch.context() as fresh_machine:
        fresh_machine.setattr(weasyprint, "HTML", _WeasyPrintWriting(FAKE_PDF))
        for _ in range(services.MAX_RENDER_ATTEMPTS):
            services.notice_render(pending_notice.pk)
    pending_notice.refresh_from_db()
    assert pending_notice.render_status == Notice.RenderStatus.FAILED
    assert pending_notice.render_attempts == services.MAX_RENDER_ATTEMPTS, "the beat no longer retries it"

    call_command("rerender_notices", "--missing-cjk", stdout=StringIO())
    pending_notice.refresh_from_db()
    assert pending_notice.render_status == Notice.RenderStatus.RENDERED and pending_notice.render_error == ""
    assert pdf.cjk_fonts(pending_notice.pdf.read())
