"""Reconciliation with the special account's statement, and what signing a period off closes."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fund import services
from fund.models import StatementLine, StatementPeriod
from fund.selectors import reconciliation
from yunfu_ipfund.common.errors import DomainError, Forbidden, ValidationFailed

from .conftest import OPENING, new_key

pytestmark = pytest.mark.django_db
OCT1, OCT31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def october(finance_user, commit):
    """October 2026: interest 1,250.00 on 10-09, a payout of 300,000.00 on 10-20 (opening 5,000,000.00)."""
    services.interest_post(
        by=finance_user, amount="1250.00", key="INT-202610", value_date=dt.date(2026, 10, 9)
    )
    c = commit("300000.00")
    services.payout_post(
        by=finance_user, commitment=c, amount="300000.00", key="PAY-77", value_date=dt.date(2026, 10, 20)
    )
    # statement closing = 5,000,000.00 + 1,250.00 - 300,000.00 = 4,701,250.00
    return services.period_create(
        by=finance_user, start=OCT1, end=OCT31, opening_balance="5000000.00", closing_balance="4701250.00"
    )


def csv_file(text, name="statement.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_lines_match_postings_by_date_amount_and_reference_and_the_period_signs_off(october, finance_user):
    services.statement_import(
        by=finance_user,
        period=october,
        file=csv_file(
            "日期,金额,摘要,对方户名\n2026-10-09,1250.00,结息 INT-202610,\n"
            "2026/10/20,-300000.00,代偿款 PAY-77,工商银行\n"
        ),
    )
    assert services.reconciliation_match(by=finance_user, period=october) == 2
    r = reconciliation(october)
    assert (len(r["unmatched_lines"]), len(r["unmatched_postings"]), r["difference"]) == (
        0,
        0,
        Decimal("0.00"),
    )
    assert r["ledger_closing"] == OPENING + Decimal("1250.00") - Decimal("300000.00")
    period = services.period_sign_off(by=finance_user, period=october, reason="已核对")
    assert period.status == StatementPeriod.Status.SIGNED_OFF and period.signed_off_by == finance_user


def test_unmatched_lines_on_both_sides_and_the_difference_are_shown_and_block_sign_off(october, finance_user):
    services.statement_line_add(
        by=finance_user, period=october, line_date=dt.date(2026, 10, 9), amount="1250.00", reference="结息"
    )
    services.statement_line_add(
        by=finance_user, period=october, line_date=dt.date(2026, 10, 30), amount="-15.00", reference="手续费"
    )
    services.reconciliation_match(by=finance_user, period=october)  # 10-09 matches by date and amount alone
    r = reconciliation(october)
    assert [line.amount for line in r["unmatched_lines"]] == [Decimal("-15.00")]
    assert [p.key for p in r["unmatched_postings"]] == ["PAY-77"]
    with pytest.raises(DomainError, match="尚有 1 条对账单明细、1 笔凭证未匹配"):
        services.period_sign_off(by=finance_user, period=october, reason="")


def test_a_manual_match_needs_the_same_date_and_amount(october, finance_user):
    line = services.statement_line_add(
        by=finance_user, period=october, line_date=dt.date(2026, 10, 21), amount="-300000.00", reference=""
    )
    from fund.models import Posting

    payout = Posting.objects.get(key="PAY-77")
    with pytest.raises(DomainError, match="金额或日期不符"):
        services.statement_line_match(by=finance_user, line=line, posting=payout)


def test_a_signed_off_period_refuses_back_dated_postings_but_takes_later_reversals(october, finance_user):
    services.statement_import(
        by=finance_user,
        period=october,
        file=csv_file("日期,收入,支出,摘要\n20261009,1250.00,,INT-202610\n20261020,,300000.00,PAY-77\n"),
    )
    services.reconciliation_match(by=finance_user, period=october)
    services.period_sign_off(by=finance_user, period=october, reason="已核对")
    with pytest.raises(DomainError, match="属于已签核的对账期间"):
        services.interest_post(
            by=finance_user, amount="1.00", key=new_key(), value_date=dt.date(2026, 10, 31)
        )
    from fund.models import Posting

    interest = Posting.objects.get(key="INT-202610")
    with pytest.raises(DomainError, match="属于已签核的对账期间"):
        services.posting_reverse(
            by=finance_user, posting=interest, reason="更正", key=new_key(), value_date=dt.date(2026, 10, 15)
        )
    reversal = services.posting_reverse(
        by=finance_user, posting=interest, reason="更正", key=new_key(), value_date=dt.date(2026, 11, 2)
    )
    assert reversal.reversal_of == interest
    with pytest.raises(DomainError, match="已签核"):
        services.statement_line_add(by=finance_user, period=october, line_date=OCT31, amount="1.00")


def test_an_xlsx_statement_is_read_too(october, finance_user):
    book = Workbook()
    sheet = book.active
    sheet.append(["交易日期", "金额", "摘要", "对方户名"])
    sheet.append([dt.datetime(2026, 10, 9), 1250, "INT-202610", ""])
    sheet.append(["2026-10-20", -300000.0, "PAY-77", "=cmd"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("s.xlsx", buffer.getvalue())
    lines = services.statement_import(by=finance_user, period=october, file=upload)
    assert [line.amount for line in lines] == [Decimal("1250.00"), Decimal("-300000.00")]


@pytest.mark.parametrize(
    "content, message",
    [
        ("日期,金额\n2026-10-09,12.345\n", "第 2 行：金额最多保留两位小数"),
        ("日期,金额\n2026-13-09,12.00\n", "1 行无法读取"),
        ("摘要,金额\nx,1\n", "缺少表头列：日期"),
        ("", "为空"),
    ],
)
def test_a_bad_statement_is_refused_whole_with_row_numbers(october, finance_user, content, message):
    with pytest.raises(ValidationFailed) as exc:
        services.statement_import(by=finance_user, period=october, file=csv_file(content or " "))
    text = exc.value.message + "".join(d["message"] for d in exc.value.details)
    assert message in text
    assert not StatementLine.objects.exists()


def test_a_pdf_disguised_as_a_statement_is_refused(october, finance_user):
    with pytest.raises(ValidationFailed, match="只接受 CSV 或 XLSX"):
        services.statement_import(
            by=finance_user, period=october, file=SimpleUploadedFile("s.csv", b"%PDF-1.4 x")
        )


def test_periods_may_not_overlap_and_only_finance_reconciles(october, finance_user, bureau_approver):
    with pytest.raises(ValidationFailed, match="重叠"):
        services.period_create(
            by=finance_user,
            start=dt.date(2026, 10, 31),
            end=dt.date(2026, 11, 30),
            opening_balance="0",
            closing_balance="0",
        )
    with pytest.raises(Forbidden):
        services.period_create(
            by=bureau_approver,
            start=dt.date(2026, 11, 1),
            end=dt.date(2026, 11, 30),
            opening_balance="0",
            closing_balance="0",
        )


def test_the_reconciliation_page_uploads_and_matches(client_for, october, finance_user):
    client = client_for(finance_user)
    url = october.get_absolute_url()
    client.post(
        url, {"action": "upload", "file": csv_file("日期,金额,摘要\n2026-10-09,1250.00,INT-202610\n")}
    )
    client.post(url, {"action": "auto"})
    body = client.get(url).content.decode()
    assert "已匹配（1）" in body and "未匹配的专户凭证（1）" in body
    bad = client.post(url, {"action": "upload", "file": csv_file("日期,金额\n2026-10-09,1.001\n")})
    assert bad.status_code == 200 and "第 2 行" in bad.content.decode()
