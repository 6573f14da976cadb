"""Bulk import of filings or status reports (CSV or XLSX), run by a Celery task.

Every row goes through the same services as a single entry. The bank chooses all-or-nothing (any
bad row rolls every row back) or keep-the-good-rows. Progress lives in the cache (the database rows
of an all-or-nothing run are invisible until it commits); the result and the row-by-row errors are
stored on the ImportJob, and the error report is offered as CSV or XLSX with formula cells neutralised.
"""

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from applications.selectors import access_registration, registrations_visible_to
from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.accounts.roles import PERM_BANK_PREPARE
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.spreadsheets import safe_cell
from yunfu_ipfund.notices.services import enqueue_after_commit

from . import actions, services
from .models import Classification, CoveredLoan, ImportJob, RepaymentMethod
from .selectors import loan_by_contract

# The Celery task that runs a job (lenders.tasks.run_import), queued by name: the task imports this module.
TASK_RUN_IMPORT = "lenders.run_import"

FILING_COLUMNS = [
    ("registration_id", "登记编号"),
    ("contract_number", "借款合同编号"),
    ("amount", "贷款金额"),
    ("ip_amount", "知识产权质押对应金额"),
    ("other_collateral", "其他担保方式"),
    ("disbursed_on", "放款日期"),
    ("maturity_on", "到期日期"),
    ("annual_rate", "年利率"),
    ("repayment_method", "还款方式"),
    ("pledges", "质押登记（知识产权号|质押登记号|登记日期，多项用;分隔）"),
]
REPORT_COLUMNS = [
    ("contract_number", "借款合同编号"),
    ("report_type", "报告类型（还款/逾期/风险分类/展期）"),
    ("date", "日期"),
    ("amount", "金额"),
    ("classification", "风险分类"),
    ("new_maturity_on", "展期后到期日"),
    ("cures_overdue", "逾期已结清（是/否）"),
    ("note", "说明"),
]
COLUMNS = {ImportJob.Kind.FILINGS: FILING_COLUMNS, ImportJob.Kind.REPORTS: REPORT_COLUMNS}
REPORT_TYPES = {
    "repayment": "repayment",
    "还款": "repayment",
    "overdue": "overdue",
    "逾期": "overdue",
    "classification": "classification",
    "风险分类": "classification",
    "分类": "classification",
    "extension": "extension",
    "展期": "extension",
}
MAX_ROWS = 20_000
PROGRESS_EVERY = 50

MSG_FILE_TYPE = "只接受 CSV（UTF-8 或 GBK 编码）或 XLSX 文件。"
MSG_NO_ROWS = "文件中没有数据行。"
MSG_TOO_MANY = "单个文件最多 {n} 行，请拆分后导入。"
MSG_MISSING_COLUMNS = "缺少列：{cols}。请使用模板的表头。"
MSG_ROLLED_BACK = "有 {n} 行有误，按“全部成功才导入”的选择，所有行均未导入。"


# --- reading -------------------------------------------------------------------------------------


def sniff_format(head):
    """xlsx, csv or None from the first bytes. The head may end inside a multi-byte character (a
    Chinese CSV cut at 4,096 bytes), so it is decoded incrementally: only a bad byte refuses it."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return "csv"
        except UnicodeDecodeError:
            continue
    return None


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def read_rows(fileobj, file_format):
    """(header, list of rows as lists of strings)."""
    if file_format == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(fileobj, read_only=True, data_only=True)
        try:
            rows = [[_cell(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    else:
        raw = fileobj.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(MSG_FILE_TYPE, code="import_type")
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ValidationFailed(MSG_NO_ROWS, code="import_empty")
    return rows[0], rows[1:]


def map_header(header, kind):
    columns = COLUMNS[kind]
    names = {}
    for key, label in columns:
        names[key] = key
        names[label] = key
        names[label.split("（")[0]] = key
    mapped = [names.get(h.strip()) for h in header]
    missing = [label for key, label in columns if key not in mapped and key in _REQUIRED[kind]]
    if missing:
        raise ValidationFailed(MSG_MISSING_COLUMNS.format(cols="、".join(missing)), code="import_columns")
    return mapped


_REQUIRED = {
    ImportJob.Kind.FILINGS: {
        "registration_id",
        "contract_number",
        "amount",
        "ip_amount",
        "disbursed_on",
        "maturity_on",
        "annual_rate",
        "repayment_method",
        "pledges",
    },
    ImportJob.Kind.REPORTS: {"contract_number", "report_type", "date"},
}


# --- one row through the services ----------------------------------------------------------------


def _method(value):
    labels = {label: code for code, label in RepaymentMethod.choices}
    return labels.get(value, value)


def _classification(value):
    labels = {label: code for code, label in Classification.choices}
    return labels.get(value, value)


def _pledges(text):
    items = []
    for part in [p for p in (text or "").replace("；", ";").split(";") if p.strip()]:
        bits = [b.strip() for b in part.split("|")]
        if len(bits) != 3:
            raise ValidationFailed(f"质押登记“{part}”应为 知识产权号|质押登记号|登记日期。", code="invalid")
        items.append(
            {"asset_number": bits[0], "pledge_registration_number": bits[1], "pledge_registered_on": bits[2]}
        )
    return items


def import_filing_row(*, by, row, lookup=None):
    registration_id = row.get("registration_id", "")
    if not str(registration_id).isdigit():
        raise ValidationFailed(f"登记编号“{registration_id}”无效。", code="invalid")
    registration = (lookup or JobLookup(by)).registration(int(registration_id))
    values = {
        k: row.get(k, "")
        for k in (
            "contract_number",
            "amount",
            "ip_amount",
            "other_collateral",
            "disbursed_on",
            "maturity_on",
            "annual_rate",
        )
    }
    values["repayment_method"] = _method(row.get("repayment_method", ""))
    return services.filing_create(
        by=by, registration=registration, pledges=_pledges(row.get("pledges")), **values
    )


def import_report_row(*, by, row, lookup=None):
    loan = (lookup or JobLookup(by)).loan(row.get("contract_number"))
    if loan is None:
        raise DomainError(
            f"本行没有借款合同编号为“{row.get('contract_number')}”的在保贷款。", code="not_found"
        )
    kind = REPORT_TYPES.get((row.get("report_type") or "").strip())
    day, note = row.get("date"), row.get("note", "")
    if kind == "repayment":
        cures = (row.get("cures_overdue") or "").strip() in ("是", "1", "true", "TRUE", "yes")
        return services.loan_report_repayment(
            by=by, loan=loan, amount=row.get("amount"), paid_on=day, cures_overdue=cures, note=note
        )
    if kind == "overdue":
        return services.loan_report_overdue(
            by=by, loan=loan, overdue_since=day, overdue_amount=row.get("amount"), note=note
        )
    if kind == "classification":
        return services.loan_report_classification(
            by=by,
            loan=loan,
            classification=_classification(row.get("classification", "")),
            classified_on=day,
            note=note,
        )
    if kind == "extension":
        return services.loan_report_extension(
            by=by, loan=loan, new_maturity_on=row.get("new_maturity_on"), agreed_on=day, note=note
        )
    raise ValidationFailed(
        f"报告类型“{row.get('report_type')}”无效，可选：还款、逾期、风险分类、展期。", code="invalid"
    )


ROW_HANDLERS = {ImportJob.Kind.FILINGS: import_filing_row, ImportJob.Kind.REPORTS: import_report_row}
LOOKUP_CHUNK = 500  # ids or contract numbers per IN (...) query
MAX_ID = 2**63  # bigint


class JobLookup:
    """The records the rows of one job name, read in a few queries before the rows run, instead of
    one query a row. Only a read: the services re-read and lock each record themselves, and a row
    naming something not found here falls back to the very lookup a single row uses (same answer,
    same message), so a loan confirmed or a registration accepted while the job runs is still found."""

    def __init__(self, by):
        self.by = by
        self.loans = {}
        self.registrations = {}

    def prefetch(self, kind, rows):
        if kind == ImportJob.Kind.REPORTS:
            numbers = sorted({(r.get("contract_number") or "").strip() for r in rows} - {""})
            for i in range(0, len(numbers), LOOKUP_CHUNK):
                # the model's ordering, first one kept: what loan_by_contract's .first() answers
                for loan in CoveredLoan.objects.filter(
                    bank_id=self.by.organisation_id, contract_number__in=numbers[i : i + LOOKUP_CHUNK]
                ):
                    self.loans.setdefault(loan.contract_number, loan)
        elif kind == ImportJob.Kind.FILINGS:
            ids = sorted(
                {int(r["registration_id"]) for r in rows if str(r.get("registration_id", "")).isdigit()}
            )
            ids = [
                pk for pk in ids if pk < MAX_ID
            ]  # a larger number is no id: the single-row lookup answers it
            for i in range(0, len(ids), LOOKUP_CHUNK):
                self.registrations.update(
                    registrations_visible_to(self.by).in_bulk(ids[i : i + LOOKUP_CHUNK])
                )
        return self

    def loan(self, contract_number):
        found = self.loans.get((contract_number or "").strip())
        return found if found is not None else loan_by_contract(self.by.organisation_id, contract_number)

    def registration(self, pk):
        found = self.registrations.get(pk)
        return found if found is not None else access_registration(self.by, pk)


def _error_text(exc):
    parts = [exc.message] + [d.get("message", "") for d in exc.details if d.get("message")]
    return "；".join(p for p in parts if p)


# --- the job ---------------------------------------------------------------------------------------


def progress_key(job_id):
    return f"lenders-import-{job_id}-progress"


def job_progress(job):
    """(processed, total) of a running job from the cache, else from the row."""
    cached = cache.get(progress_key(job.pk))
    if cached and job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return cached
    return job.processed_rows, job.total_rows


class _RollBack(Exception):
    pass


def import_run(job_id):
    """Run one import job. Idempotent: a job already done or running is left alone."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.QUEUED:
            return job
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    by = User.objects.select_related("organisation").get(pk=job.created_by_id)
    try:
        with job.file.open("rb") as handle:
            header, rows = read_rows(handle, job.file_format)
        mapped = map_header(header, job.kind)
        if len(rows) > MAX_ROWS:
            raise ValidationFailed(MSG_TOO_MANY.format(n=MAX_ROWS), code="import_too_many")
    except DomainError as exc:
        return _finish(job, status=ImportJob.Status.FAILED, message=_error_text(exc))
    except Exception as exc:  # unreadable file: a clear message, never a crash of the worker
        return _finish(job, status=ImportJob.Status.FAILED, message=f"文件无法读取：{type(exc).__name__}")

    handler = ROW_HANDLERS[job.kind]
    total = len(rows)
    job.total_rows = total
    errors, ok = [], 0
    keep_good = job.mode == ImportJob.Mode.KEEP_GOOD
    records = [
        {key: values[i] if i < len(values) else "" for i, key in enumerate(mapped) if key} for values in rows
    ]
    lookup = JobLookup(by).prefetch(job.kind, records)  # reads only, before any transaction

    def run_all():
        nonlocal ok
        for index, (values, row) in enumerate(zip(rows, records, strict=True), start=2):
            # A row's writes are the one service call its handler makes, and every service is atomic:
            # a refused row is rolled back to its savepoint (or, keep-the-good-rows, its own
            # transaction), so no extra savepoint is wrapped around it here.
            try:
                handler(by=by, row=row, lookup=lookup)
                ok += 1
            except DomainError as exc:
                errors.append({"row": index, "values": values, "error": _error_text(exc)})
            done = index - 1
            if done % PROGRESS_EVERY == 0 or done == total:
                cache.set(progress_key(job.pk), (done, total), 3600)
        if errors and not keep_good:
            raise _RollBack

    try:
        if keep_good:
            run_all()
        else:
            with transaction.atomic():
                run_all()
    except _RollBack:
        ok = 0
    message = MSG_ROLLED_BACK.format(n=len(errors)) if errors and not keep_good else ""
    return _finish(
        job, status=ImportJob.Status.DONE, message=message, total=total, ok=ok, errors=errors, header=header
    )


def _finish(job, *, status, message="", total=0, ok=0, errors=(), header=()):
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        message=message,
        total_rows=total,
        processed_rows=total,
        ok_rows=ok,
        error_rows=len(errors),
        errors={"header": list(header), "rows": list(errors)},
        finished_at=timezone.now(),
    )
    cache.delete(progress_key(job.pk))
    job.refresh_from_db()
    audit_record(
        by=job.created_by,
        action=actions.IMPORT_FINISH,
        obj=job,
        reason=message,
        data={"total": total, "ok": ok, "errors": len(errors)},
    )
    return job


def runs_in_background():
    """True with a task broker (REDIS_URL). Without one, Celery runs the task in-process: the import
    then runs inside the request that submits the file, once its transaction commits, and the
    page answers only when every row is done (the import page says so)."""
    return not current_app.conf.task_always_eager


@transaction.atomic
def import_job_create(*, by, kind, mode, file):
    """Store the uploaded file and enqueue the import: a worker runs the rows, or, without a broker
    (runs_in_background() is False), this request does, after it commits."""
    require_perm(by, PERM_BANK_PREPARE)
    if kind not in ImportJob.Kind.values or mode not in ImportJob.Mode.values:
        raise ValidationFailed("导入内容或处理方式无效。", code="invalid")
    size = getattr(file, "size", 0) or 0
    if size == 0:
        raise ValidationFailed("上传的文件为空。", code="upload_empty")
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationFailed("文件过大。", code="upload_too_big")
    file.seek(0)
    file_format = sniff_format(file.read(4096))
    file.seek(0)
    if file_format is None:
        raise ValidationFailed(MSG_FILE_TYPE, code="import_type")
    job = ImportJob(
        bank_id=by.organisation_id,
        kind=kind,
        mode=mode,
        file_format=file_format,
        original_name=str(getattr(file, "name", ""))[:200],
        created_by=by,
    )
    job.file.save("import", file, save=False)
    job.save()
    audit_record(
        by=by, action=actions.IMPORT_SUBMIT, obj=job, data={"kind": kind, "mode": mode, "format": file_format}
    )
    enqueue_after_commit(TASK_RUN_IMPORT, job.pk)
    return job


# --- the error report ----------------------------------------------------------------------------


def neutralise(value):
    """Every cell of the error report as text, never as a formula (common.spreadsheets.safe_cell)."""
    return safe_cell("" if value is None else str(value))


def error_report_rows(job):
    header = (job.errors or {}).get("header", [])
    yield ["行号", *header, "错误"]
    for item in (job.errors or {}).get("rows", []):
        yield [str(item["row"]), *item["values"], item["error"]]


def error_report_csv(job):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in error_report_rows(job):
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue().encode("utf-8")


def error_report_xlsx(job):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误报告")
    for row in error_report_rows(job):
        sheet.append([neutralise(c) for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv(kind):
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerow([label for _, label in COLUMNS[kind]])
    return out.getvalue().encode("utf-8")
