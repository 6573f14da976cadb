"""Reading a special-account statement (CSV or XLSX) into lines, refusing bad files with row numbers.

Columns (header row, any order): 日期 (date), 金额 (signed: receipts positive, payments negative;
or two columns 收入/支出), 摘要 (reference), 对方户名 (counterparty). Dates and amounts are parsed by
common.parsing (parse_date, parse_money): more than two decimals is refused, never rounded.
"""

import csv
import io

from django.conf import settings

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.money import ZERO
from yunfu_ipfund.common.parsing import parse_date, parse_money

MSG_FILE_TYPE = "只接受 CSV 或 XLSX 格式的对账单（按文件内容判断）。"
MSG_FILE_EMPTY = "对账单文件为空。"
MSG_FILE_BIG = "对账单文件过大。"
MSG_NO_HEADER = "对账单缺少表头列：{missing}。"
MSG_BAD_ROWS = "对账单有 {n} 行无法读取，整个文件未导入。"
MSG_NO_DATE = "日期为空。"
MSG_ENCODING = "无法识别 CSV 文件的字符编码（请使用 UTF-8 或 GBK）。"

HEADERS = {
    "date": ("日期", "交易日期", "记账日期", "date"),
    "amount": ("金额", "发生额", "amount"),
    "credit": ("收入", "贷方发生额", "收入金额"),
    "debit": ("支出", "借方发生额", "支出金额"),
    "reference": ("摘要", "凭证号", "用途", "reference"),
    "counterparty": ("对方户名", "对方账户名称", "counterparty"),
}


def read_statement(uploaded):
    """[{line_date, amount, reference, counterparty}] from an uploaded file, or ValidationFailed."""
    size = getattr(uploaded, "size", None) or 0
    if size == 0:
        raise ValidationFailed(MSG_FILE_EMPTY, code="upload_empty")
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationFailed(MSG_FILE_BIG, code="upload_too_big")
    uploaded.seek(0)
    data = uploaded.read()
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif b"\x00" in data[:2048] or data[:5] == b"%PDF-":
        raise ValidationFailed(MSG_FILE_TYPE, code="upload_type")
    else:
        rows = _csv_rows(data)
    return parse_rows(rows)


def _csv_rows(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(MSG_ENCODING, code="upload_encoding")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(data):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a corrupt or disguised file: refuse, never 500
        raise ValidationFailed(MSG_FILE_TYPE, code="upload_type") from None
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _column(header, names):
    cleaned = [str(h or "").strip() for h in header]
    for name in names:
        if name in cleaned:
            return cleaned.index(name)
    return None


def _date(value):
    """The line's date (common.parsing.parse_date: 2026-10-09, 2026/10/9, 20261009, a spreadsheet date)."""
    day = parse_date(value, field="日期")
    if day is None:
        raise ValidationFailed(MSG_NO_DATE, code="bad_date")
    return day


def _money(value, *, allow_negative):
    if isinstance(value, float):  # openpyxl gives floats for numeric cells: read their shortest text
        value = repr(value)
    amount = parse_money(str(value) if isinstance(value, int) else value, allow_negative=allow_negative)
    return ZERO if amount is None else amount


def parse_rows(rows):
    rows = [r for r in rows if any(str(c or "").strip() for c in r)]
    if not rows:
        raise ValidationFailed(MSG_FILE_EMPTY, code="upload_empty")
    header, body = rows[0], rows[1:]
    cols = {k: _column(header, names) for k, names in HEADERS.items()}
    missing = []
    if cols["date"] is None:
        missing.append("日期")
    if cols["amount"] is None and (cols["credit"] is None or cols["debit"] is None):
        missing.append("金额（或收入、支出）")
    if missing:
        raise ValidationFailed(MSG_NO_HEADER.format(missing="、".join(missing)), code="statement_header")
    lines, problems = [], []
    for number, row in enumerate(body, start=2):

        def cell(key, row=row):
            i = cols[key]
            return row[i] if i is not None and i < len(row) else None

        try:
            line_date = _date(cell("date"))
        except ValidationFailed:
            problems.append(
                {"field": f"第{number}行", "message": f"第 {number} 行：日期“{cell('date')}”无效。"}
            )
            continue
        try:
            if cols["amount"] is not None:
                amount = _money(cell("amount"), allow_negative=True)
            else:
                amount = _money(cell("credit"), allow_negative=False) - _money(
                    cell("debit"), allow_negative=False
                )
        except ValidationFailed as exc:
            problems.append({"field": f"第{number}行", "message": f"第 {number} 行：{exc.message}"})
            continue
        if amount == 0:
            problems.append({"field": f"第{number}行", "message": f"第 {number} 行：金额为零。"})
            continue
        lines.append(
            {
                "line_date": line_date,
                "amount": amount,
                "reference": str(cell("reference") or "").strip()[:200],
                "counterparty": str(cell("counterparty") or "").strip()[:200],
            }
        )
    if problems:
        raise ValidationFailed(MSG_BAD_ROWS.format(n=len(problems)), code="statement_rows", details=problems)
    return lines
