"""Bounded imports (issue 12 item 5): the file is streamed, the row and size limits refuse it while it
is read (before any row is imported), and a hostile XLSX (a zip bomb of shared strings, a sheet that
claims the whole grid, a file of very many rows) is refused or read within its real content. Speed
and memory are measured in bench/import_bench.py, not here."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lenders import imports
from lenders.models import ImportJob, LoanEvent
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import ValidationFailed

REPORT_HEADER = ["借款合同编号", "报告类型", "日期", "金额", "风险分类", "展期后到期日", "逾期已结清", "说明"]


def report_csv_bytes(rows, header=REPORT_HEADER, note=""):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def repayments(loan, n, note=""):
    return [
        [loan.contract_number, "还款", str(today()), "1.00", "", "", "", note or f"第{i}期"] for i in range(n)
    ]


def queued(by, content, mode, capture, name="reports.csv"):
    with capture(execute=False):
        return imports.import_job_create(
            by=by, kind="reports", mode=mode, file=SimpleUploadedFile(name, content)
        )


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def xlsx_with(parts):
    """A real workbook (openpyxl) with some of its parts replaced by hostile ones."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(REPORT_HEADER)
    workbook.active.append(["HT-1", "还款", "2026-11-20", "1.00", "", "", "", "文本"])
    plain = io.BytesIO()
    workbook.save(plain)
    if "xl/sharedStrings.xml" in parts:  # declared, as Excel does, so that openpyxl reads it
        parts["[Content_Types].xml"] = (
            zipfile.ZipFile(plain)
            .read("[Content_Types].xml")
            .replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
        )
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = parts.pop(item.filename, None)
            dst.writestr(item.filename, data if data is not None else src.read(item.filename))
        for name, data in parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows_xml, dimension="A1:H2"):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def inline_row(r, values):
    cells = "".join(
        f'<c r="{col}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
        for col, v in zip("ABCDEFGH", values, strict=False)
    )
    return f'<row r="{r}">{cells}</row>'


HEADER_ROW = inline_row(1, REPORT_HEADER)


# --- the row limit, while reading ------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_row_past_the_limit_stops_the_read_with_the_limit_named(monkeypatch, file_format):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    if file_format == "csv":
        content = report_csv_bytes([["HT-1", "还款", "2026-11-20", "1.00"]] * 9)
    else:
        rows = "".join(inline_row(r, ["HT-1", "还款", "2026-11-20", "1.00"]) for r in range(2, 11))
        content = xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + rows, "A1:H10")})
    header, rows = imports.read_rows(io.BytesIO(content), file_format)
    assert header[0] == "借款合同编号"
    read = []
    with pytest.raises(ValidationFailed) as refused:
        for row in rows:  # streamed: the rows up to the limit are read, the next one refuses
            read.append(row)
    assert [number for number, _ in read] == [2, 3, 4, 5, 6]
    assert refused.value.code == "import_too_many"
    assert refused.value.message == "单个文件最多 5 行，请拆分后导入。"


@pytest.mark.parametrize("mode", ["keep_good", "all_or_nothing"])
def test_a_file_past_the_row_limit_fails_before_any_row_is_imported(
    loan, bank_officer, monkeypatch, mode, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)  # keep-the-good-rows would commit chunks as it goes
    job = queued(
        bank_officer, report_csv_bytes(repayments(loan, 6)), mode, django_capture_on_commit_callbacks
    )
    job = imports.import_run(job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "单个文件最多 5 行，请拆分后导入。"
    assert not LoanEvent.objects.filter(loan=loan, kind="repayment").exists()


def test_a_file_at_the_row_limit_is_imported(
    loan, bank_officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    job = queued(
        bank_officer, report_csv_bytes(repayments(loan, 5)), "keep_good", django_capture_on_commit_callbacks
    )
    job = imports.import_run(job.pk)
    assert (job.status, job.ok_rows) == (ImportJob.Status.DONE, 5)


# --- the size limit, while reading -----------------------------------------------------------------


def test_a_csv_past_the_size_limit_is_refused_while_it_is_read(
    loan, bank_officer, settings, django_capture_on_commit_callbacks
):
    content = report_csv_bytes(repayments(loan, 8000, note="说明" * 40))
    assert len(content) > 1024 * 1024
    job = queued(bank_officer, content, "keep_good", django_capture_on_commit_callbacks)
    settings.UPLOAD_MAX_BYTES = 1024 * 1024  # lowered after the upload: the reader enforces it too
    job = imports.import_run(job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "文件过大：单个文件最多 1.0 MB，请拆分后导入。"
    assert not LoanEvent.objects.filter(loan=loan, kind="repayment").exists()


def test_an_upload_past_the_size_limit_is_refused_naming_the_limit(bank_officer, bank_a_profile, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed) as refused:
        imports.import_job_create(
            by=bank_officer,
            kind="reports",
            mode="keep_good",
            file=SimpleUploadedFile("big.csv", report_csv_bytes([]) + b"x" * (1024 * 1024)),
        )
    assert refused.value.code == "upload_too_big"
    assert refused.value.message == "文件过大：单个文件最多 1.0 MB，请拆分后导入。"


# --- hostile XLSX ----------------------------------------------------------------------------------


def test_a_zip_bomb_of_shared_strings_is_refused_before_the_workbook_is_opened(
    bank_officer, bank_a_profile, django_capture_on_commit_callbacks
):
    bomb = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>" + "A" * (imports.XLSX_MAX_UNPACKED_BYTES + 1024) + "</t></si></sst>"
    ).encode()
    content = xlsx_with({"xl/sharedStrings.xml": bomb})
    assert len(content) < 3 * 1024 * 1024  # a few hundred KB that inflate past the limit
    job = queued(bank_officer, content, "keep_good", django_capture_on_commit_callbacks, name="bomb.xlsx")
    job = imports.import_run(job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == imports.MSG_UNPACKED_TOO_BIG.format(mb="64.0")
    assert job.message.startswith("XLSX 文件解压后超过 64.0 MB（上限），无法导入")


def test_a_zip_whose_directory_understates_its_sizes_is_refused_as_unreadable(monkeypatch):
    bomb = b"<sst>" + b"A" * (2 * 1024 * 1024) + b"</sst>"
    content = bytearray(xlsx_with({"xl/sharedStrings.xml": bomb}))
    name = b"xl/sharedStrings.xml"
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central, local header
        start = 0
        while (start := content.find(signature, start)) >= 0:
            name_at = start + (46 if signature == b"PK\x01\x02" else 30)
            if content[name_at : name_at + len(name)] == name:
                content[start + size_at : start + size_at + 4] = (1).to_bytes(4, "little")
            start += 4
    header_claims = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bytes(content))).infolist())
    assert header_claims < 100_000  # the directory says the bomb is small
    with pytest.raises(ValidationFailed) as refused:
        header, rows = imports.read_rows(io.BytesIO(bytes(content)), "xlsx")
        list(rows)
    assert refused.value.code == "import_xlsx"
    assert refused.value.message == "XLSX 文件已损坏或不是 Excel 工作簿，无法读取。"


def test_a_sheet_claiming_the_whole_grid_is_read_within_its_real_cells(monkeypatch):
    rows = "".join(inline_row(r, ["HT-1", "还款", "2026-11-20", "1.00"]) for r in range(2, 5))
    content = xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + rows, "A1:XFD1048576")})
    header, data = imports.read_rows(io.BytesIO(content), "xlsx")
    data = list(data)
    assert header == REPORT_HEADER
    assert [number for number, _ in data] == [2, 3, 4]
    assert all(values == ["HT-1", "还款", "2026-11-20", "1.00"] for _, values in data)


def test_a_sheet_with_a_row_far_below_the_data_ends_at_a_long_run_of_blank_rows():
    rows = inline_row(2, ["HT-1", "还款", "2026-11-20", "1.00"]) + inline_row(1048576, ["HT-9", "还款"])
    content = xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + rows, "A1:XFD1048576")})
    _, data = imports.read_rows(io.BytesIO(content), "xlsx")
    assert [number for number, _ in data] == [2]


def test_a_small_xlsx_of_very_many_rows_is_refused_at_the_first_row_past_the_limit(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 1000)
    row = "".join(f'<c r="{c}{{r}}"><v>1</v></c>' for c in "ABCD")
    rows = "".join(f'<row r="{r}">{row.format(r=r)}</row>' for r in range(2, 200_002))
    content = xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + rows, "A1:D200001")})
    assert len(content) < 3 * 1024 * 1024
    header, data = imports.read_rows(io.BytesIO(content), "xlsx")
    count = 0
    with pytest.raises(ValidationFailed) as refused:
        for _ in data:
            count += 1
    assert count == 1000 and refused.value.message == "单个文件最多 1000 行，请拆分后导入。"
