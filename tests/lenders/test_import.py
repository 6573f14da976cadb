"""Bulk import: the request only enqueues; every row goes through the services; all-or-nothing or
keep-the-good-rows; a row-by-row error report with formula cells neutralised."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lenders import imports
from lenders.models import ImportJob, LoanEvent, LoanFiling
from yunfu_ipfund.common.dates import today

from .conftest import make_registration


def day():
    """Today (the reports are dated today, the day the loan fixture was confirmed)."""
    return str(today())


def csv_upload(header, rows, name="data.csv"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def run(client, kind, mode, upload, capture):
    with capture(execute=True):
        response = client.post("/lenders/imports/", {"kind": kind, "mode": mode, "file": upload})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.latest("id")


REPORT_HEADER = ["借款合同编号", "报告类型", "日期", "金额", "风险分类", "展期后到期日", "逾期已结清", "说明"]


def test_three_hundred_repayment_rows_import_through_the_services(
    client_for, loan, bank_officer, django_capture_on_commit_callbacks
):
    rows = [[loan.contract_number, "还款", day(), "100.00", "", "", "", f"第{i}期"] for i in range(300)]
    job = run(
        client_for(bank_officer),
        "reports",
        "all_or_nothing",
        csv_upload(REPORT_HEADER, rows),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.DONE
    assert (job.total_rows, job.ok_rows, job.error_rows) == (300, 300, 0)
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == "970000.00"
    assert LoanEvent.objects.filter(loan=loan, kind="repayment").count() == 300


def test_all_or_nothing_rolls_every_row_back_when_one_is_bad(
    client_for, loan, bank_officer, django_capture_on_commit_callbacks
):
    rows = [[loan.contract_number, "还款", day(), "100.00", "", "", "", ""]] * 5
    rows.append([loan.contract_number, "还款", day(), "abc", "", "", "", ""])
    job = run(
        client_for(bank_officer),
        "reports",
        "all_or_nothing",
        csv_upload(REPORT_HEADER, rows),
        django_capture_on_commit_callbacks,
    )
    assert (job.ok_rows, job.error_rows) == (0, 1)
    assert "均未导入" in job.message
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == "1000000.00"


def test_keep_good_rows_imports_the_good_ones_and_reports_the_bad(
    client_for, loan, bank_b_loan, bank_officer, django_capture_on_commit_callbacks
):
    rows = [
        [loan.contract_number, "还款", day(), "100.00", "", "", "", ""],
        ['=HYPERLINK("http://evil")', "还款", day(), "100.00", "", "", "", ""],
        [bank_b_loan.contract_number, "逾期", day(), "100.00", "", "", "", "他行贷款"],
        [loan.contract_number, "风险分类", day(), "", "次级", "", "", "+cmd"],
        [loan.contract_number, "展期", day(), "", "", "2020-01-01", "", ""],
        [loan.contract_number, "捐赠", day(), "", "", "", "", ""],
    ]
    client = client_for(bank_officer)
    job = run(
        client, "reports", "keep_good", csv_upload(REPORT_HEADER, rows), django_capture_on_commit_callbacks
    )
    assert (job.total_rows, job.ok_rows, job.error_rows) == (6, 2, 4)
    loan.refresh_from_db()
    assert loan.status == "non_performing"
    bank_b_loan.refresh_from_db()
    assert bank_b_loan.status == "active"  # another bank's loan is not found, never touched

    report = client.get(f"/lenders/imports/{job.pk}/errors.csv")
    assert report.status_code == 200
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0][0] == "行号" and lines[0][-1] == "错误"
    assert [line[0] for line in lines[1:]] == ["3", "4", "6", "7"]
    assert lines[1][1].startswith("'=HYPERLINK")
    assert "没有借款合同编号" in lines[2][-1]
    assert "须晚于" in lines[3][-1]

    xlsx = client.get(f"/lenders/imports/{job.pk}/errors.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    cells = [row for row in sheet.iter_rows(values_only=True)]
    assert cells[1][1].startswith("'=")
    page = client.get(f"/lenders/imports/{job.pk}/")
    assert "逐行错误报告" in page.content.decode()


def test_filings_import_from_xlsx(
    client_for,
    bank_officer,
    enterprise_a,
    enterprise_a_profile,
    bank_a,
    bank_a_profile,
    enterprise_user,
    django_capture_on_commit_callbacks,
):
    from openpyxl import Workbook

    registrations = [make_registration(enterprise_a, bank_a, enterprise_user) for _ in range(3)]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([label for _, label in imports.FILING_COLUMNS])
    for i, r in enumerate(registrations):
        asset = r.assets.get()
        sheet.append(
            [
                r.pk,
                f"XL-{i}",
                1000000,
                800000.5 if i == 2 else 800000,
                "保证",
                "2026-11-24",
                "2027-10-20",
                3.85,
                "按月付息、到期还本",
                f"{asset.number}|Y2026{i}|2026-11-20",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("filings.xlsx", out.getvalue())
    job = run(client_for(bank_officer), "filings", "keep_good", upload, django_capture_on_commit_callbacks)
    assert (job.ok_rows, job.error_rows) == (3, 0), job.errors
    assert LoanFiling.objects.filter(contract_number__startswith="XL-").count() == 3
    assert str(LoanFiling.objects.get(contract_number="XL-2").ip_amount) == "800000.50"


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(client_for, bank_officer, bank_a_profile):
    response = client_for(bank_officer).post(
        "/lenders/imports/",
        {
            "kind": "reports",
            "mode": "keep_good",
            "file": SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\xff\xfe\x00"),
        },
    )
    assert response.status_code == 200
    assert "只接受 CSV" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_missing_columns_fail_the_job_with_a_message(
    client_for, bank_officer, bank_a_profile, django_capture_on_commit_callbacks
):
    job = run(
        client_for(bank_officer),
        "reports",
        "keep_good",
        csv_upload(["合同"], [["x"]]),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.FAILED and "缺少列" in job.message


def test_another_bank_cannot_see_the_job(
    client_for, loan, bank_officer, bank_b_officer, django_capture_on_commit_callbacks
):
    job = run(
        client_for(bank_officer),
        "reports",
        "keep_good",
        csv_upload(REPORT_HEADER, [[loan.contract_number, "还款", day(), "1.00"]]),
        django_capture_on_commit_callbacks,
    )
    client = client_for(bank_b_officer)
    assert client.get(f"/lenders/imports/{job.pk}/").status_code == 404
    assert client.get(f"/lenders/imports/{job.pk}/errors.csv").status_code == 404


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_formula_cells_are_neutralised(value):
    assert imports.neutralise(value).startswith("'")
