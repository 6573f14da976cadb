"""GB/T 9704 layout of the rendered notices (pdftotext per page): the 落款 never splits from the last
paragraph, article numbers do not wrap, the 公示 is addressed to the public and names the page as the
navigation does."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation import documents as claim_docs
from tests.pdfcheck import needs_poppler, pdf_pages, pdf_text
from tests.platform.test_notice_kinds_render import SAMPLES, render
from yunfu_ipfund.common.dates import chinese_date
from yunfu_ipfund.notices.kinds import BUREAU, GeneralContext, Table, body_date

pytestmark = [pytest.mark.django_db, needs_poppler]

PARAGRAPH = (
    "经审核，贵行报送的知识产权质押贷款备案材料符合《云浮市中小微企业知识产权质押融资风险补偿资金管理办法》"
    "规定的条件，现将有关事项告知如下，请贵行按规定及时报告还款、逾期、风险分类及展期等贷后情况。"
)


def _flat(text):
    return "".join(text.split())


@pytest.mark.parametrize("n", range(5, 14))
def test_the_issuer_and_the_date_stay_with_the_last_paragraph_on_the_last_page(
    n, bank_a, finance_bureau, tmp_path, monkeypatch
):
    last = f"第{n}段：特此告知，请贵行遵照执行。"
    monkeypatch.setitem(SAMPLES, "long_general", lambda: GeneralContext(paragraphs=[PARAGRAPH] * n + [last]))
    notice, path = render("general", bank_a, finance_bureau, tmp_path, sample="long_general")
    pages = pdf_pages(path)
    final = _flat(pdf_text(path, first=pages, last=pages))
    date = chinese_date(timezone.localtime(notice.issued_at).date())
    assert BUREAU in final and date in final and _flat(last) in final, (pages, final)
    assert final.index(_flat(last)) < final.index(BUREAU) < final.index(date)


def test_a_long_table_repeats_its_header_on_the_next_page(bank_a, finance_bureau, tmp_path, monkeypatch):
    rows = [[f"第{i}项", "云浮市云石科技有限公司知识产权质押贷款"] for i in range(1, 60)]
    monkeypatch.setitem(
        SAMPLES,
        "long_table",
        lambda: GeneralContext(paragraphs=[PARAGRAPH], table=Table(["项目", "内容"], rows)),
    )
    _, path = render("general", bank_a, finance_bureau, tmp_path, sample="long_table")
    assert pdf_pages(path) >= 2
    assert all("项目" in pdf_text(path, first=p, last=p) for p in (1, 2))


def test_article_numbers_never_wrap_in_the_decision(bank_a, finance_bureau, tmp_path):
    _, path = render(claim_docs.DECISION, bank_a, finance_bureau, tmp_path)
    lines = [line.strip() for line in pdf_text(path).splitlines()]
    assert "条" not in lines and not any(re.fullmatch(r"第[一二三四五六七八九十]{1,2}", x) for x in lines)
    assert sum("第十二条" in x for x in lines) >= 3 and "第十二条、第十三条、第十四条" in _flat(
        "".join(lines)
    )


def test_the_public_notice_is_addressed_to_the_public_and_names_the_navigation_page(
    bank_a, finance_bureau, tmp_path
):
    _, path = render(claim_docs.PUBLIC_NOTICE, bank_a, finance_bureau, tmp_path)
    flat = _flat(pdf_text(path))
    assert "社会各界：" in flat and f"{bank_a.name}：" not in flat
    assert "“补偿公示”页面" in flat and reverse("compensation:public_list") in flat and "公示公告" not in flat


def test_body_dates_have_one_style(bank_a, finance_bureau, tmp_path):
    import datetime as dt

    assert body_date(dt.date(2026, 12, 1)) == "2026年12月1日"
    _, path = render(claim_docs.ACCEPTANCE, bank_a, finance_bureau, tmp_path)
    flat = _flat(pdf_text(path))
    assert "贵行于2026年12月1日提交" in flat and "2026年12月22日前" in flat
