"""Light notices (issue 10 brief item 2, issue 13 item 5): each CJK face is cut to the characters of the
document before WeasyPrint embeds it (notices/fontsubset.py), so a one-page notice weighs tens of KB
instead of ~370 KB of mostly empty glyph slots; the fonts stay CJK fonts embedded as subsets and the
text extracts the same."""

import pytest

from tests.pdfcheck import font_faults, needs_poppler, pdf_fonts, pdf_text
from yunfu_ipfund.notices import fontsubset, pdf

pytestmark = [pytest.mark.django_db, needs_poppler]

ONE_PAGE_LIMIT = 150 * 1024
PARAGRAPH = "贵行报送的借款企业云浮市云石科技有限公司贷款备案材料已收悉，经审核符合条件，予以备案。"


@pytest.fixture
def notice(issue, bank_a, bureau_approver, settings):
    settings.NOTICE_SIGNING_PKCS12 = ""
    return issue(bank_a, by=bureau_approver, context={"paragraphs": [PARAGRAPH]})


def test_a_one_page_notice_is_under_150_kb_and_embeds_cjk_subsets(notice, tmp_path):
    data = notice.pdf.read()
    assert len(data) < ONE_PAGE_LIMIT, len(data)
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    assert font_faults(path) == []
    assert all(name.split("+", 1)[1].startswith("Yunfu-Noto-") for name, _emb, _sub in pdf_fonts(path))
    assert PARAGRAPH[:20] in pdf_text(path).replace("\n", "")


def test_without_cut_faces_the_same_notice_is_several_times_larger(notice, monkeypatch):
    """What the cut saves (and that the test above can fail): the system faces, as WeasyPrint embeds
    them, are over the limit for the same document."""
    monkeypatch.setattr(fontsubset, "font_faces", lambda: ())
    plain = pdf.render_pdf_bytes(pdf.notice_html(notice))
    assert len(plain) > ONE_PAGE_LIMIT
    assert len(notice.pdf.read()) * 3 < len(plain)


def test_every_character_of_the_markup_and_the_page_furniture_is_kept():
    chars = fontsubset.document_characters(
        '<style>@bottom-center { content: "第" counter(page) "页"; }</style><p>鑫&amp;淼</p>'
    )
    assert {ord(c) for c in "鑫&淼第页—〔〕0123456789"} <= chars
    assert ord("<") in chars  # ASCII is always kept (amounts, numbers)
    assert ord("\n") not in chars


def test_font_family_declarations_name_the_cut_faces_and_keep_the_rest():
    faces = [fontsubset.Face("Noto Serif CJK SC", 400, "/x.ttc", 0)]
    markup = (
        '<style>html { font-family: "Noto Serif CJK SC", serif; }</style>'
        '<text font-family="Noto Serif CJK SC">字</text><p>Noto Serif CJK SC</p>'
    )
    out = fontsubset.use_cut_faces(markup, faces)
    assert 'font-family: "Yunfu Noto Serif CJK SC", serif;' in out
    assert 'font-family="Yunfu Noto Serif CJK SC"' in out
    assert "<p>Noto Serif CJK SC</p>" in out  # the text is not touched
