"""The bulk import reads what its rows name once per job and runs each row through the services:
constant queries per row, the same answers as a single row, keep-the-good-rows commits row by row,
all-or-nothing stays all or nothing, and the page says where the import runs."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lenders import imports, services
from lenders.models import ImportJob, LoanEvent, LoanFiling
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import NotFound

from .conftest import make_registration

REPORT_HEADER = ["借款合同编号", "报告类型", "日期", "金额", "风险分类", "展期后到期日", "逾期已结清", "说明"]


def report_csv(rows, header=REPORT_HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("reports.csv", out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def queued(by, rows, mode, django_capture_on_commit_callbacks, kind="reports", upload=None):
    """A job as the page creates it, not yet run (the task is captured, not executed)."""
    with django_capture_on_commit_callbacks(execute=False):
        return imports.import_job_create(by=by, kind=kind, mode=mode, file=upload or report_csv(rows))


def repayments(loan, amounts, day):
    return [
        [loan.contract_number, "还款", day, amount, "", "", "", f"第{i}期"]
        for i, amount in enumerate(amounts)
    ]


# --- reading the file ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_chinese_csv_cut_inside_a_character_at_the_sniffed_length_is_still_a_csv(encoding):
    text = "借款合同编号,报告类型,日期\n" + "".join(f"合同{i},还款,2026-11-26\n" for i in range(400))
    data = text.encode(encoding)
    for cut in range(4090, 4100):  # wherever the 4,096-byte head ends, inside a character or not
        assert imports.sniff_format(data[:cut]) == "csv", (encoding, cut)


def test_binary_files_are_still_refused_by_the_sniffer():
    assert imports.sniff_format(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00") is None
    assert imports.sniff_format(b"PK\x03\x04rest") == "xlsx"


def test_a_large_chinese_csv_is_accepted_and_imported(loan, bank_officer, django_capture_on_commit_callbacks):
    day = str(today())
    rows = repayments(loan, ["1.00"] * 120, day)  # > 4,096 bytes of Chinese text
    job = queued(bank_officer, rows, "keep_good", django_capture_on_commit_callbacks)
    job = imports.import_run(job.pk)
    assert (job.status, job.ok_rows, job.error_rows) == (ImportJob.Status.DONE, 120, 0)


# --- constant work per row -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["all_or_nothing", "keep_good"])
def test_report_rows_cost_a_constant_number_of_queries_each(
    loan, bank_b_loan, bank_officer, mode, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    day = str(today())
    counts = []
    for n in (5, 50):
        job = queued(
            bank_officer, repayments(loan, ["1.00"] * n, day), mode, django_capture_on_commit_callbacks
        )
        with CaptureQueriesContext(connection) as ctx:
            job = imports.import_run(job.pk)
        assert job.ok_rows == n
        counts.append(len(ctx.captured_queries))
        # the loan is looked up once for the job, never row by row
        lookups = [
            q
            for q in ctx.captured_queries
            if 'FROM "lenders_coveredloan"' in q["sql"]
            and "FOR UPDATE" not in q["sql"]
            and '"contract_number" IN' in q["sql"]
        ]
        assert len(lookups) == 1
        # the audit events' ids are drawn from their sequence under the chain's lock, once per chunk of
        # rows (audit_record_many): the chain's HMAC covers the id (audit/hashing.py HASHED_FIELDS), so
        # the ids are known before the INSERT; one more for the job's own event
        nextvals = [q for q in ctx.captured_queries if "nextval(pg_get_serial_sequence" in q["sql"]]
        assert len(nextvals) == 2
        assert f"generate_series(1, {n})" in nextvals[0]["sql"]
    per_row = (counts[1] - counts[0]) / 45
    # lock, last report, save, event, reminder, the service's savepoint (2); the audit event is written
    # with the chunk's others (one chain lock, head, ids and INSERT per chunk, not per row)
    assert per_row <= 7
    job = queued(bank_officer, repayments(loan, ["1.00"] * 30, day), mode, django_capture_on_commit_callbacks)
    # + taking the job, the user, reading the file, the loans, the chunk's audit and job row, finishing
    with django_assert_max_num_queries(7 * 30 + 40):
        imports.import_run(job.pk)


def test_filing_rows_read_their_registrations_once_for_the_job(
    bank_officer,
    enterprise_a,
    enterprise_a_profile,
    bank_a,
    bank_a_profile,
    enterprise_user,
    django_capture_on_commit_callbacks,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    registrations = [make_registration(enterprise_a, bank_a, enterprise_user) for _ in range(4)]
    rows = []
    for i, r in enumerate(registrations):
        asset = r.assets.get()
        rows.append(
            [
                r.pk,
                f"PF-{i}",
                "1000000",
                "800000",
                "保证",
                "2026-11-24",
                "2027-10-20",
                "3.85",
                "按月付息、到期还本",
                f"{asset.number}|Y2026{i}|2026-11-20",
            ]
        )
    upload = report_csv(rows, header=[label for _, label in imports.FILING_COLUMNS])
    job = queued(
        bank_officer, None, "keep_good", django_capture_on_commit_callbacks, kind="filings", upload=upload
    )
    with CaptureQueriesContext(connection) as ctx:
        job = imports.import_run(job.pk)
    assert (job.ok_rows, job.error_rows) == (4, 0), job.errors
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "applications_loanregistration"' in q["sql"]]
    # one read of the four for the job, then the service's own locking read of each (FOR UPDATE on PostgreSQL)
    assert len(reads) == 1 + 4
    assert '"applications_loanregistration"."id" IN' in reads[0]
    assert LoanFiling.objects.filter(contract_number__startswith="PF-").count() == 4


# --- same answers as a single row ------------------------------------------------------------------


def test_the_job_lookup_answers_exactly_as_the_single_row_lookups(
    loan, bank_b_loan, bank_officer, registration, enterprise_b, bank_b, enterprise_b_user
):
    lookup = imports.JobLookup(bank_officer).prefetch(ImportJob.Kind.REPORTS, [])  # nothing prefetched
    assert (
        lookup.loan(f"  {loan.contract_number} ") == loan
    )  # found by the fallback, as loan_by_contract does
    assert lookup.loan(bank_b_loan.contract_number) is None  # another bank's loan: not found, never touched
    prefetched = imports.JobLookup(bank_officer).prefetch(
        ImportJob.Kind.REPORTS,
        [{"contract_number": loan.contract_number}, {"contract_number": bank_b_loan.contract_number}],
    )
    assert prefetched.loans == {loan.contract_number: loan}
    other = make_registration(enterprise_b, bank_b, enterprise_b_user)
    lookup = imports.JobLookup(bank_officer).prefetch(
        ImportJob.Kind.FILINGS,
        [{"registration_id": str(registration.pk)}, {"registration_id": str(other.pk)}],
    )
    assert lookup.registration(registration.pk) == registration
    with pytest.raises(NotFound):
        lookup.registration(other.pk)


def test_a_filing_row_naming_another_banks_registration_gets_the_single_entry_answer(
    bank_officer, registration, enterprise_b, bank_b, enterprise_b_user, django_capture_on_commit_callbacks
):
    other = make_registration(enterprise_b, bank_b, enterprise_b_user)
    rows = [
        [
            other.pk,
            "X-1",
            "1000000",
            "800000",
            "",
            "2026-11-24",
            "2027-10-20",
            "3.85",
            "按月付息、到期还本",
            "a|b|2026-11-20",
        ]
    ]
    upload = report_csv(rows, header=[label for _, label in imports.FILING_COLUMNS])
    job = queued(
        bank_officer, None, "keep_good", django_capture_on_commit_callbacks, kind="filings", upload=upload
    )
    job = imports.import_run(job.pk)
    assert (job.ok_rows, job.error_rows) == (0, 1)
    assert job.errors["rows"][0]["error"] == NotFound().message
    assert not LoanFiling.objects.filter(contract_number="X-1").exists()


# --- transactions ----------------------------------------------------------------------------------


def test_all_or_nothing_judges_each_row_after_the_rows_before_it_and_then_rolls_all_back(
    loan, bank_officer, django_capture_on_commit_callbacks
):
    day = str(today())
    job = queued(
        bank_officer,
        repayments(loan, ["600000.00", "600000.00", "1.00"], day),
        "all_or_nothing",
        django_capture_on_commit_callbacks,
    )
    audits = AuditEvent.objects.count()
    job = imports.import_run(job.pk)
    assert (job.ok_rows, job.error_rows) == (0, 1)
    assert job.errors["rows"][0]["row"] == 3 and "超过贷款余额" in job.errors["rows"][0]["error"]
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == "1000000.00"
    assert not LoanEvent.objects.filter(loan=loan, kind="repayment").exists()
    assert AuditEvent.objects.count() == audits + 1  # only the job's own "finished" event


def test_keep_good_keeps_every_good_row_around_a_refused_one(
    loan, bank_officer, django_capture_on_commit_callbacks
):
    day = str(today())
    job = queued(
        bank_officer,
        repayments(loan, ["600000.00", "600000.00", "1.00"], day),
        "keep_good",
        django_capture_on_commit_callbacks,
    )
    job = imports.import_run(job.pk)
    assert (job.ok_rows, job.error_rows) == (2, 1)
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == "399999.00"
    assert LoanEvent.objects.filter(loan=loan, kind="repayment").count() == 2


@pytest.mark.parametrize(("mode", "kept"), [("keep_good", 2), ("all_or_nothing", 0)])
def test_a_crash_mid_file_keeps_the_committed_chunks_only_in_keep_good_and_the_rerun_resumes_after_them(
    loan, bank_officer, mode, kept, monkeypatch, django_capture_on_commit_callbacks
):
    """Chunk by chunk commits (with the job's processed count) in keep-the-good-rows; one transaction
    in all-or-nothing. The next run (the lease ran out) imports each row exactly once."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    day = str(today())
    job = queued(bank_officer, repayments(loan, ["1.00"] * 5, day), mode, django_capture_on_commit_callbacks)
    real, calls = services.loan_report_repayment, []

    def crash_on_third(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(services, "loan_report_repayment", crash_on_third)
    with pytest.raises(RuntimeError):
        imports.import_run(job.pk)
    assert LoanEvent.objects.filter(loan=loan, kind="repayment").count() == kept
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.ok_rows, job.attempts) == ("running", kept, kept, 1)
    assert imports.import_run(job.pk).status == "running"  # the lease is live: not taken again
    ImportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    job = imports.import_run(job.pk)
    assert (job.status, job.total_rows, job.ok_rows, job.attempts) == ("done", 5, 5, 2)
    assert LoanEvent.objects.filter(loan=loan, kind="repayment").count() == 5
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == "999995.00"


# --- where the import runs -------------------------------------------------------------------------


def test_without_a_broker_the_page_says_the_import_runs_in_the_request(
    client_for, bank_officer, bank_a_profile
):
    assert (
        not imports.runs_in_background()
    )  # the suite, like a server without REDIS_URL, runs tasks in-process
    body = client_for(bank_officer).get("/lenders/imports/").content.decode()
    assert "未配置后台任务队列" in body and "导入在提交后直接进行" in body
    assert "导入在后台进行" not in body


def test_with_a_broker_the_page_says_the_import_runs_in_the_background(
    client_for, bank_officer, bank_a_profile, monkeypatch
):
    from yunfu_ipfund.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    assert imports.runs_in_background()
    body = client_for(bank_officer).get("/lenders/imports/").content.decode()
    assert "导入在后台进行" in body and "未配置后台任务队列" not in body


def test_without_a_broker_the_submitting_request_runs_the_import_to_the_end(
    client_for, loan, bank_officer, django_capture_on_commit_callbacks
):
    day = str(today())
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bank_officer).post(
            "/lenders/imports/",
            {"kind": "reports", "mode": "keep_good", "file": report_csv(repayments(loan, ["1.00"] * 3, day))},
        )
    job = ImportJob.objects.latest("id")
    assert response.status_code == 302 and response["Location"].endswith(f"/lenders/imports/{job.pk}/")
    assert (job.status, job.ok_rows) == (ImportJob.Status.DONE, 3)


def test_a_registration_number_beyond_any_id_is_a_row_error_not_a_crash(
    bank_officer, registration, django_capture_on_commit_callbacks
):
    rows = [
        [
            "9" * 25,
            "X-2",
            "1000000",
            "800000",
            "",
            "2026-11-24",
            "2027-10-20",
            "3.85",
            "按月付息、到期还本",
            "a|b|2026-11-20",
        ]
    ]
    upload = report_csv(rows, header=[label for _, label in imports.FILING_COLUMNS])
    job = queued(
        bank_officer, None, "keep_good", django_capture_on_commit_callbacks, kind="filings", upload=upload
    )
    job = imports.import_run(job.pk)
    assert (job.status, job.ok_rows, job.error_rows) == (ImportJob.Status.DONE, 0, 1)
    assert job.errors["rows"][0]["error"] == NotFound().message


@pytest.mark.parametrize(("mode", "appends"), [("all_or_nothing", 1), ("keep_good", 3)])
def test_the_audit_chain_lock_is_taken_once_per_commit_after_the_rows_ran(
    loan, bank_officer, mode, appends, monkeypatch, django_capture_on_commit_callbacks
):
    """The chain's append lock is held to the end of the transaction that takes it: all-or-nothing
    takes it once, after every row ran (the portal's other audited writes do not wait for the rows);
    keep-the-good-rows once per committed chunk. One audit event per row all the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    day = str(today())
    job = queued(bank_officer, repayments(loan, ["1.00"] * 6, day), mode, django_capture_on_commit_callbacks)
    audited = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        job = imports.import_run(job.pk)
    assert job.ok_rows == 6
    sqls = [q["sql"] for q in ctx.captured_queries]
    locks = [i for i, sql in enumerate(sqls) if "pg_advisory_xact_lock" in sql]
    rows = [i for i, sql in enumerate(sqls) if 'INSERT INTO "lenders_loanevent"' in sql]
    assert len(locks) == appends + 1  # + the job's own finishing event
    assert locks[0] > rows[-1] if mode == "all_or_nothing" else locks[0] > rows[1]
    assert AuditEvent.objects.count() - audited == 6 + 1
