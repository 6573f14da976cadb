"""Bulk import of filings or status reports (CSV or XLSX), run by a Celery task.

Every row goes through the same services as a single entry. The bank chooses all-or-nothing (any
bad row rolls every row back) or keep-the-good-rows. Progress lives in the cache (the database rows
of an all-or-nothing run are invisible until it commits); the result and the row-by-row errors are
stored on the ImportJob, and the error report is offered as CSV or XLSX with formula cells neutralised.
"""

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import math
import zipfile
import zlib
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.selectors import access_registration, registrations_visible_to
from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.accounts.roles import PERM_BANK_PREPARE
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_batch, audit_record
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.memo import request_memo
from yunfu_ipfund.common.spreadsheets import safe_cell
from yunfu_ipfund.notices.services import enqueue_after_commit

from . import actions, services
from .models import Classification, CoveredLoan, ImportJob, RepaymentMethod
from .selectors import loan_by_contract

# The Celery task that runs a job (lenders.tasks.run_import), queued by name: the task imports this module.
TASK_RUN_IMPORT = "lenders.run_import"
TASK_RECOVER_IMPORTS = "lenders.recover_import_jobs"  # beat, every few minutes (yunfu_ipfund/celery.py)

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
# Cells read per row (the templates have at most ten columns); a sheet whose dimension claims 16,384
# columns is read ten columns wide, never padded out to its claim.
MAX_COLUMNS = 30
# The data ends at the first run of this many blank rows (a sheet formatted down to row 1,048,576
# yields those rows as blank: they are not read to the end).
MAX_BLANK_RUN = 1_000
# An XLSX is a zip: what it unpacks to is bounded (openpyxl inflates the shared strings whole).
XLSX_MAX_UNPACKED_BYTES = 64 * 1024 * 1024
PROGRESS_EVERY = 50
CHUNK_ROWS = 500  # rows run (and, keep-the-good-rows, committed) together: lookups and audit per chunk
# The worker running a job holds a lease it renews with every chunk; a job whose lease ran out (its
# worker died) is re-queued by import_jobs_recover, up to MAX_ATTEMPTS runs.
LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 3

MSG_FILE_TYPE = "只接受 CSV（UTF-8 或 GBK 编码）或 XLSX 文件。"
MSG_NO_ROWS = "文件中没有数据行。"
MSG_TOO_MANY = "单个文件最多 {n} 行，请拆分后导入。"
MSG_TOO_BIG = "文件过大：单个文件最多 {mb} MB，请拆分后导入。"
MSG_UNPACKED_TOO_BIG = (
    "XLSX 文件解压后超过 {mb} MB（上限），无法导入：请删除多余的工作表、格式和空行后重新保存，或改用 CSV。"
)
MSG_NOT_XLSX = "XLSX 文件已损坏或不是 Excel 工作簿，无法读取。"
MSG_CSV_BAD = (
    "CSV 文件第 {row} 行无法解析：请检查引号和分隔符，单元格不超过 {limit} 个字符，且不含空字符（NUL）。"
)
MSG_MISSING_COLUMNS = "缺少列：{cols}。请使用模板的表头。"
MSG_ROLLED_BACK = "有 {n} 行有误，按“全部成功才导入”的选择，所有行均未导入。"
MSG_INTERRUPTED = "导入进程中断，已重试 {n} 次，请重新上传。"
MSG_INTERRUPTED_PART = (
    "中断前已处理前 {done} 个数据行（其中 {ok} 行已导入，错误行见错误报告），重新上传时请只保留其后的行。"
)


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


def _mb(n):
    """A limit in MB, rounded down to a tenth (the figure shown is never above the limit)."""
    return f"{math.floor(n * 10 / 1048576) / 10:.1f}"


def _max_bytes():
    return settings.UPLOAD_MAX_BYTES


_BLOCK = 64 * 1024


def _csv_encoding(fileobj):
    """utf-8-sig or gb18030: the file is decoded block by block (never held whole), and refused past
    the size limit while it is read."""
    limit = _max_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        fileobj.seek(0)
        decoder, size = codecs.getincrementaldecoder(encoding)(), 0
        try:
            while block := fileobj.read(_BLOCK):
                size += len(block)
                if size > limit:
                    raise ValidationFailed(MSG_TOO_BIG.format(mb=_mb(limit)), code="import_too_big")
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(MSG_FILE_TYPE, code="import_type")


def _csv_rows(fileobj):
    encoding = _csv_encoding(fileobj)
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    reader = csv.reader(text)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):  # noqa: B007 (the row number of an error)
            yield number, [c.strip() for c in row[:MAX_COLUMNS]]
    except csv.Error:
        raise ValidationFailed(
            MSG_CSV_BAD.format(row=number + 1, limit=csv.field_size_limit()), code="import_csv"
        ) from None
    finally:
        with contextlib.suppress(ValueError):  # already closed by the caller
            text.detach()  # the caller closes the file, not this wrapper


def _check_unpacked(fileobj):
    """Refuse an XLSX whose members unpack past XLSX_MAX_UNPACKED_BYTES (a zip bomb), before openpyxl
    inflates any (it reads the shared strings whole). The sizes are the zip directory's: Python's
    zipfile never inflates a member past the size the directory declares (it stops there and fails
    the CRC check), so a directory that understates them only makes the file unreadable."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ValidationFailed(MSG_NOT_XLSX, code="import_xlsx") from None
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise ValidationFailed(
            MSG_UNPACKED_TOO_BIG.format(mb=_mb(XLSX_MAX_UNPACKED_BYTES)), code="import_too_big"
        )


def _xlsx_rows(fileobj):
    from openpyxl import load_workbook

    _check_unpacked(fileobj)
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error):
        raise ValidationFailed(MSG_NOT_XLSX, code="import_xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the rows and cells there are, not the dimension the file claims
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(rows, start=1):
            yield number, [_cell(v) for v in row]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise ValidationFailed(MSG_NOT_XLSX, code="import_xlsx") from None
    finally:
        workbook.close()


def _trimmed(values):
    end = len(values)
    while end and not values[end - 1]:
        end -= 1
    return values[:end]


def read_rows(fileobj, file_format):
    """(header, rows): `rows` yields (row number in the file, cells as strings) of each data row,
    streamed (never the whole file in memory). Blank rows are skipped; the data ends at a run of
    MAX_BLANK_RUN blank rows. The row past MAX_ROWS stops the read with MSG_TOO_MANY, a CSV past the
    upload size limit or an XLSX unpacking past XLSX_MAX_UNPACKED_BYTES is refused before a row is read."""
    physical = _xlsx_rows(fileobj) if file_format == "xlsx" else _csv_rows(fileobj)

    def non_blank():
        blanks = 0
        for number, values in physical:
            values = _trimmed(values)
            if not values:
                blanks += 1
                if blanks >= MAX_BLANK_RUN:
                    return
                continue
            blanks = 0
            yield number, values

    rows = non_blank()
    first = next(rows, None)
    if first is None:
        raise ValidationFailed(MSG_NO_ROWS, code="import_empty")

    def data():
        for count, row in enumerate(rows, start=1):
            if count > MAX_ROWS:
                raise ValidationFailed(MSG_TOO_MANY.format(n=MAX_ROWS), code="import_too_many")
            yield row

    return first[1], data()


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


class _LeaseLost(Exception):
    """Another run holds the job now (this worker's lease ran out and the job was re-queued)."""


def _LEASE_OUT(now):  # noqa: N802 (a condition, read like a constant)
    return Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)


def _saved(job):
    """(header, row errors) an earlier run of the job stored."""
    saved = job.errors if isinstance(job.errors, dict) else {}
    return list(saved.get("header", [])), list(saved.get("rows", []))


def _take(job_id):
    """The job, marked RUNNING under a fresh lease for this run, if it is QUEUED or RUNNING with an
    expired lease and not locked by a live run (skip_locked); else None. The attempt number is the
    run's fencing token: a run whose job was taken again since stops at its next chunk."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id)
            .filter(
                Q(status=ImportJob.Status.QUEUED)
                | (Q(status=ImportJob.Status.RUNNING, attempts__lt=MAX_ATTEMPTS) & _LEASE_OUT(now))
            )
            .first()
        )
        if job is None:
            return None
        job.status = ImportJob.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.lease_expires_at = now + LEASE
        job.save(update_fields=["status", "attempts", "started_at", "lease_expires_at"])
    return job


def _hold(job, attempt):
    """Lock the job row in the current transaction and check this run still owns it; renews the lease."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportJob.Status.RUNNING or locked.attempts != attempt:
        raise _LeaseLost
    locked.lease_expires_at = timezone.now() + LEASE
    return locked


def _scan(job):
    """Read the whole file once (streamed) before any row runs: the limits refuse it before a row is
    written, and the total is known. Returns (header, mapped columns, total data rows)."""
    with job.file.open("rb") as handle:
        header, rows = read_rows(handle, job.file_format)
        mapped = map_header(header, job.kind)
        total = sum(1 for _ in rows)
    return header, mapped, total


def _chunks(rows, size):
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _records(mapped, chunk):
    return [
        {key: values[i] if i < len(values) else "" for i, key in enumerate(mapped) if key}
        for _, values in chunk
    ]


def _run_chunk(job, by, handler, chunk, mapped, errors, batch):
    """Run the rows of one chunk (inside the caller's transaction and audit batch): the records they
    name are read in a few queries and the policy version and the holiday table once (a memo for the
    chunk); the rows' audit events are collected in `batch` (audit_batch: written together, the
    chain exactly as row by row). Each row's writes are the one service call its handler makes, and
    every service is atomic: a refused row is rolled back to its savepoint, and its audit events
    dropped from the batch. Returns the number of good rows; appends the refused ones to `errors`."""
    records = _records(mapped, chunk)
    ok = 0
    with request_memo():
        lookup = JobLookup(by).prefetch(job.kind, records)
        for (number, values), row in zip(chunk, records, strict=True):
            mark = batch.mark()
            try:
                handler(by=by, row=row, lookup=lookup)
                ok += 1
            except DomainError as exc:
                batch.discard_after(mark)
                errors.append({"row": number, "values": values, "error": _error_text(exc)})
    return ok


def import_run(job_id):
    """Run one import job, if it is free to take (see _take): a job done, failed, or held by a live
    run is left alone, so a task delivered twice runs the rows once.

    All-or-nothing is one transaction holding the job row's lock: a worker that dies leaves nothing
    behind (its transaction is rolled back, its lock released), and the next run starts from the top.
    Keep-the-good-rows commits chunk by chunk, each chunk's rows with the job's processed count,
    good-row count and errors in the same transaction: the next run resumes after the last committed
    chunk, so no row is imported twice."""
    job = _take(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    attempt = job.attempts
    by = User.objects.select_related("organisation").get(pk=job.created_by_id)
    try:
        header, mapped, total = _scan(job)
    except DomainError as exc:
        return _finish(job, status=ImportJob.Status.FAILED, message=_error_text(exc))
    except Exception as exc:  # unreadable file: a clear message, never a crash of the worker
        return _finish(job, status=ImportJob.Status.FAILED, message=f"文件无法读取：{type(exc).__name__}")
    handler = ROW_HANDLERS[job.kind]
    try:
        if job.mode == ImportJob.Mode.KEEP_GOOD:
            return _run_keep_good(job, attempt, by, handler, header, mapped, total)
        return _run_all_or_nothing(job, attempt, by, handler, header, mapped, total)
    except _LeaseLost:
        return ImportJob.objects.get(pk=job_id)


def _run_keep_good(job, attempt, by, handler, header, mapped, total):
    done, ok = job.processed_rows, job.ok_rows  # 0, 0 unless an earlier run committed chunks
    errors = _saved(job)[1] if done else []
    with job.file.open("rb") as handle:
        _, rows = read_rows(handle, job.file_format)
        for chunk in _chunks(itertools.islice(rows, done, None), CHUNK_ROWS):
            with transaction.atomic():
                locked = _hold(job, attempt)
                with audit_batch() as batch:  # the chunk's events, written before it commits
                    ok += _run_chunk(job, by, handler, chunk, mapped, errors, batch)
                done += len(chunk)
                locked.total_rows, locked.processed_rows, locked.ok_rows = total, done, ok
                locked.error_rows = len(errors)
                locked.errors = {"header": list(header), "rows": errors}
                locked.save(
                    update_fields=[
                        "total_rows",
                        "processed_rows",
                        "ok_rows",
                        "error_rows",
                        "errors",
                        "lease_expires_at",
                    ]
                )
            cache.set(progress_key(job.pk), (done, total), 3600)
    with transaction.atomic():
        _hold(job, attempt)
        return _finish(job, status=ImportJob.Status.DONE, total=total, ok=ok, errors=errors, header=header)


def _run_all_or_nothing(job, attempt, by, handler, header, mapped, total):
    errors, ok, done = [], 0, 0
    try:
        with transaction.atomic():
            _hold(job, attempt).save(update_fields=["lease_expires_at"])
            # Every row's audit event is written at the end, in one step: the chain's append lock
            # (held to the commit once taken) is not held while the rows run, so the rest of the
            # portal's audited writes do not wait for the whole import; a rollback discards them.
            with job.file.open("rb") as handle, audit_batch() as batch:
                _, rows = read_rows(handle, job.file_format)
                for chunk in _chunks(rows, CHUNK_ROWS):
                    ok += _run_chunk(job, by, handler, chunk, mapped, errors, batch)
                    done += len(chunk)
                    cache.set(progress_key(job.pk), (done, total), 3600)
                if errors:
                    raise _RollBack
            return _finish(
                job, status=ImportJob.Status.DONE, total=total, ok=ok, errors=errors, header=header
            )
    except _RollBack:
        pass
    with transaction.atomic():
        _hold(job, attempt)
        return _finish(
            job,
            status=ImportJob.Status.DONE,
            message=MSG_ROLLED_BACK.format(n=len(errors)),
            total=total,
            ok=0,
            errors=errors,
            header=header,
        )


def _finish(job, *, status, message="", total=0, processed=None, ok=0, errors=(), header=()):
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        message=message,
        total_rows=total,
        processed_rows=total if processed is None else processed,
        ok_rows=ok,
        error_rows=len(errors),
        errors={"header": list(header), "rows": list(errors)},
        lease_expires_at=None,
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


def import_jobs_recover():
    """The sweep (beat: lenders.recover_import_jobs): a job RUNNING whose lease ran out and whose row
    no live run holds (skip_locked: an all-or-nothing run keeps it locked while it works) lost its
    worker. It is queued again, unless it has had MAX_ATTEMPTS runs: then it FAILS with a message the
    bank sees on the job's page. A job QUEUED for longer than a lease (its task message lost) is sent
    again (taking it is idempotent). Returns (requeued, failed)."""
    now = timezone.now()
    requeued = failed = 0
    with transaction.atomic():
        stale = ImportJob.objects.select_for_update(skip_locked=True).filter(
            (Q(status=ImportJob.Status.RUNNING) & _LEASE_OUT(now))
            | (Q(status=ImportJob.Status.QUEUED, created_at__lt=now - LEASE) & _LEASE_OUT(now))
        )
        for job in stale.order_by("id")[:200]:
            if job.status == ImportJob.Status.RUNNING and job.attempts >= MAX_ATTEMPTS:
                message = MSG_INTERRUPTED.format(n=job.attempts - 1)
                if job.mode == ImportJob.Mode.KEEP_GOOD and job.processed_rows:
                    message += MSG_INTERRUPTED_PART.format(done=job.processed_rows, ok=job.ok_rows)
                header, errors = _saved(job)
                _finish(
                    job,
                    status=ImportJob.Status.FAILED,
                    message=message,
                    total=job.total_rows,
                    processed=job.processed_rows,
                    ok=job.ok_rows,
                    errors=errors,
                    header=header,
                )
                failed += 1
                continue
            job.status = ImportJob.Status.QUEUED
            job.lease_expires_at = now + LEASE  # sent again at most once a lease
            job.save(update_fields=["status", "lease_expires_at"])
            enqueue_after_commit(TASK_RUN_IMPORT, job.pk)
            requeued += 1
    return requeued, failed


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
    if size > _max_bytes():
        raise ValidationFailed(MSG_TOO_BIG.format(mb=_mb(_max_bytes())), code="upload_too_big")
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
