"""The filing confirmation renders as a PDF with the right figures (pdftotext)."""

import shutil
import subprocess

import pytest

from lenders import services
from yunfu_ipfund.notices.models import Notice

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)


def test_the_filing_confirmation_pdf_shows_the_covered_amount_and_share(
    first_reviewed, bureau_approver, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    notice = Notice.objects.get(kind="lenders_filing_confirmation")
    assert notice.render_status == Notice.RenderStatus.RENDERED, notice.render_error
    path = tmp_path / "n.pdf"
    with notice.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(text.split())
    assert "备案确认书" in compact
    assert notice.number in compact
    assert first_reviewed.contract_number in compact
    assert "800,000.00" in compact
    assert "人民币捌拾万元整" in compact
    assert "40%" in compact
    assert "云浮市云石科技有限公司" in compact
