"""Pages: who may see them (finance and the bureau; everyone else 404), what they show, exports."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fund import services
from fund.models import Commitment, Posting
from fund.selectors import fund_figures
from yunfu_ipfund.notices.models import Notice

from .conftest import new_key

pytestmark = pytest.mark.django_db

PAGES = [
    "/fund/",
    "/fund/journal/",
    "/fund/commitments/",
    "/fund/risk/",
    "/fund/reconciliation/",
    "/fund/receipts/new/",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["finance_user", "bureau_approver", "bureau_clerk"])
def test_finance_and_the_bureau_see_the_fund_pages(client_for, request, persona, url):
    response = client_for(request.getfixturevalue(persona)).get(url)
    # Only finance records money arriving: the bureau is sent back to the overview with a message.
    expected = 302 if url == "/fund/receipts/new/" and persona != "finance_user" else 200
    assert response.status_code == expected


@pytest.mark.parametrize("url", PAGES + ["/fund/postings/1/"])
@pytest.mark.parametrize(
    "persona", ["bank_officer", "bank_supervisor", "enterprise_user", "outsider", "administrator"]
)
def test_banks_enterprises_and_outsiders_get_404(client_for, request, persona, url):
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/fund/journal/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_overview_shows_the_figures_and_an_svg_chart(client_for, finance_user):
    body = client_for(finance_user).get("/fund/").content.decode()
    assert (
        "5,000,000.00" in body
        and "<svg" in body
        and "<script" not in body.split("<svg")[1].split("</svg>")[0]
    )


def test_the_overview_as_of_a_past_date_shows_the_balance_then(client_for, finance_user):
    # the opening allocation is dated 2020-09-24: the day before, the fund held nothing
    body = client_for(finance_user).get("/fund/?as_of=2020-09-23").content.decode()
    assert "截至 2020-09-23 日终" in body and "0.00 元" in body


def test_the_journal_filters_by_type_and_paginates(client_for, finance_user, commit):
    for _ in range(3):
        commit("10.00")
    client = client_for(finance_user)
    body = client.get("/fund/journal/?kind=commitment").content.decode()
    assert body.count("承诺（指令）</span>") == 3
    assert "出资拨入</span>" not in body
    assert client.get("/fund/journal/?page=999&date_from=bad").status_code == 200


def test_the_posting_page_shows_entries_and_the_trail(client_for, finance_user, commit):
    c = commit("10.00")
    posting = c.postings.get()
    body = client_for(finance_user).get(posting.get_absolute_url()).content.decode()
    assert "已承诺待拨付" in body and "承诺占用" in body and "下达资金承诺" in body


def test_the_journal_export_neutralises_formulas(client_for, finance_user):
    services.interest_post(
        by=finance_user, amount="1.00", key='=HYPERLINK("http://x")', reason="+cmd|' /C calc'!A0"
    )
    response = client_for(finance_user).get("/fund/journal/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://x")' in texts and "'+cmd|' /C calc'!A0" in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    amounts = [row[4].value for row in sheet.iter_rows(min_row=2)]
    assert Decimal("1") in [Decimal(str(a)) for a in amounts]


def test_the_bank_risk_export_neutralises_formulas(client_for, bureau_approver, bank_a):
    bank_a.name = "@SUM(1+1)银行"
    bank_a.save()
    response = client_for(bureau_approver).get("/fund/risk/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][0] == "'@SUM(1+1)银行"


def test_finance_records_a_contribution_from_the_statement(client_for, finance_user):
    response = client_for(finance_user).post(
        "/fund/receipts/new/",
        {
            "kind": "contribution",
            "amount": "200000.00",
            "value_date": "2026-11-20",
            "reference": "ZH20261120001",
            "reason": "市级追加出资",
        },
    )
    assert response.status_code == 302
    assert fund_figures().contributions == Decimal("5200000.00")


def test_a_bad_amount_keeps_the_form_with_the_message(client_for, finance_user):
    response = client_for(finance_user).post(
        "/fund/receipts/new/",
        {
            "kind": "interest",
            "amount": "12.345",
            "value_date": "2026-11-20",
            "reference": "X1",
            "reason": "利息",
        },
    )
    assert response.status_code == 200 and "最多保留两位小数" in response.content.decode()
    assert Posting.objects.count() == 1


def test_the_bureau_cannot_record_money_arriving(client_for, bureau_approver):
    response = client_for(bureau_approver).post(
        "/fund/receipts/new/",
        {
            "kind": "interest",
            "amount": "12.00",
            "value_date": "2026-11-20",
            "reference": "X1",
            "reason": "利息",
        },
    )
    assert response.status_code == 302 and Posting.objects.count() == 1


def test_finance_cannot_post_a_payout_without_the_bureau_instruction(client_for, finance_user):
    """Finance has no page to instruct money out: the instruction form is the bureau's only."""
    client = client_for(finance_user)
    body = client.get("/fund/commitments/").content.decode()
    assert '<button type="submit">下达指令</button>' not in body
    client.post(
        "/fund/commitments/", {"purpose": "treasury", "amount": "10.00", "reference": "A1", "reason": "x"}
    )
    assert not Commitment.objects.exists()


def test_the_bureau_instructs_and_finance_confirms_a_return_to_the_treasury(
    client_for, bureau_approver, finance_user
):
    client = client_for(bureau_approver)
    response = client.post(
        "/fund/commitments/",
        {
            "purpose": "treasury",
            "amount": "1000.00",
            "reference": "云财〔2026〕9号",
            "reason": "结余资金上缴",
        },
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302 and commitment.created_by == bureau_approver
    page = client.get(f"/fund/commitments/{commitment.pk}/").content.decode()
    assert "确认付款（财政局）" not in page  # the bureau does not confirm its own instruction
    client = client_for(finance_user)
    response = client.post(
        f"/fund/commitments/{commitment.pk}/",
        {"action": "pay", "amount": "1000.00", "value_date": "2026-11-26", "reason": ""},
    )
    assert response.status_code == 302
    assert fund_figures().treasury == Decimal("1000.00")


def test_a_reversal_from_the_posting_page_asks_for_confirmation_and_links_back(client_for, finance_user):
    posting = services.interest_post(by=finance_user, amount="5.00", key=new_key())
    client = client_for(finance_user)
    page = client.get(posting.get_absolute_url()).content.decode()
    assert "data-confirm" in page
    response = client.post(posting.get_absolute_url(), {"reason": "重复登记"})
    reversal = Posting.objects.get(reversal_of=posting)
    assert response["Location"] == reversal.get_absolute_url()
    assert "冲正原凭证" in client.get(reversal.get_absolute_url()).content.decode()


def test_the_bureau_issues_the_annual_report_as_a_notice(client_for, bureau_approver, finance_bureau):
    response = client_for(bureau_approver).post("/fund/reports/", {"year": "2025", "month": ""})
    assert response.status_code == 302
    notice = Notice.objects.get(kind="fund_annual_report")
    assert notice.number.startswith("云市监知资〔2026〕") and notice.addressee == finance_bureau
    assert "<svg" in notice.context["chart"] and notice.context["closing_cash_capitals"] == "人民币伍佰万元整"


def test_a_monthly_statement_renders_to_pdf_html_with_the_chart(bureau_approver, finance_bureau):
    from fund.reports import monthly_statement_issue
    from yunfu_ipfund.notices.pdf import notice_html

    notice = monthly_statement_issue(
        by=bureau_approver, year=2026, month=10, covered_outstanding=Decimal("0")
    )
    html = notice_html(notice)
    assert "<svg" in html and "人民币伍佰万元整" in html and "2026年10月" in html


def test_a_report_for_a_period_not_yet_ended_is_refused(client_for, bureau_approver, finance_bureau):
    client = client_for(bureau_approver)
    response = client.post("/fund/reports/", {"year": "2026", "month": ""}, HTTP_REFERER="/fund/")
    assert response.status_code == 302 and not Notice.objects.exists()


def test_a_claim_commitment_cannot_be_paid_or_released_from_the_fund_page(
    client_for, finance_user, bureau_approver, bank_a
):
    commitment = services.commitment_create(
        by=bureau_approver,
        amount="1000.00",
        reference=("compensation.claim", "1"),
        key=new_key(),
        bank=bank_a,
        purpose="claim",
        reason="补偿",
    )
    url = f"/fund/commitments/{commitment.pk}/"
    page = client_for(finance_user).get(url).content.decode()
    assert "补偿申请页面" in page and 'value="pay"' not in page
    client_for(finance_user).post(
        url, {"action": "pay", "amount": "1000.00", "value_date": "2026-11-26", "reason": "x"}
    )
    client_for(bureau_approver).post(url, {"action": "release", "reason": "x"})
    assert not Posting.objects.filter(kind__in=["payout", "release"]).exists()
    from fund.selectors import commitment_remaining

    assert commitment_remaining(commitment) == Decimal("1000.00")
