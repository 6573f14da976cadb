"""Today's 备案确认书 and 合作银行准入通知书, issued through the services and rendered to PDF, print what
their builders said and nothing else: no Python dump under "事项：" (the template's c.items found
dict.items), no repr, no English word, only CJK subset fonts."""

import pytest

from lenders import services
from tests.pdfcheck import font_faults, needs_poppler, pdf_text, text_faults
from yunfu_ipfund.notices import pdf
from yunfu_ipfund.notices.models import Notice

pytestmark = [pytest.mark.django_db, needs_poppler]


def _render(notice, tmp_path):
    path = tmp_path / f"{notice.kind}.pdf"
    path.write_bytes(pdf.render_pdf_bytes(pdf.notice_html(notice)))
    return path


@pytest.mark.parametrize("kind", ["lenders_bank_admission", "lenders_filing_confirmation"])
def test_the_bank_notices_print_no_python_dump(kind, first_reviewed, bureau_approver, tmp_path):
    services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    notice = Notice.objects.filter(kind=kind).latest("id")
    path = _render(notice, tmp_path)
    text = pdf_text(path)
    flat = "".join(text.split())
    for dump in ("('paragraphs'", "('facts'", "('amount'", "('closing'", "事项：", "dict_items"):
        assert dump not in flat, dump
    assert text_faults(text, allowed=[notice.verification_code]) == []
    assert font_faults(path) == []
    assert notice.context["paragraphs"][0][:6] in flat
    if kind == "lenders_filing_confirmation":
        assert "纳入风险补偿范围金额：800,000.00元" in flat and "特此通知。" in flat


def test_a_notice_issued_before_the_declared_contexts_still_prints_its_list(
    first_reviewed, bureau_approver, bank_a_profile, tmp_path
):
    """An old 不予备案通知书 (its list under "items"), re-rendered, prints the list; an old 准入通知书
    (no list at all) prints no dump."""
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="整改")
    services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="合作银行已暂停备案")
    refusal = Notice.objects.get(kind="lenders_filing_refusal")
    old = {k: v for k, v in refusal.context.items() if k not in ("entries", "entries_title")}
    Notice.objects.filter(pk=refusal.pk).update(
        context={**old, "items_title": "未通过的规则", "items": refusal.context["entries"]}
    )
    refusal.refresh_from_db()
    flat = "".join(pdf_text(_render(refusal, tmp_path)).split())
    assert "未通过的规则：1." in flat and "('" not in flat
    admission = Notice.objects.get(kind="lenders_bank_admission")
    Notice.objects.filter(pk=admission.pk).update(context={**admission.context, "closing": []})
    admission.refresh_from_db()
    assert text_faults(pdf_text(_render(admission, tmp_path)), allowed=[admission.verification_code]) == []
