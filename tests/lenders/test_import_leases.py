"""Imports survive their worker (issue 12 item 4): a run holds a lease on its job; the sweep re-queues
a job whose lease ran out (its worker died) and fails it, with a message the bank sees, after
imports.MAX_ATTEMPTS runs; a job whose lease is live is left alone. With a real Celery worker process
killed (SIGKILL) in the middle of an import, the sweep and a new worker finish the job exactly once."""

import csv
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from lenders import imports
from lenders.models import ImportJob, LoanEvent
from tests.factories import ensure_policies
from yunfu_ipfund.audit.services import verify_chain
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.uploads import private_storage

REPORT_HEADER = ["借款合同编号", "报告类型", "日期", "金额", "风险分类", "展期后到期日", "逾期已结清", "说明"]


def report_csv(loan, n):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_HEADER)
    day = str(today())
    writer.writerows([loan.contract_number, "还款", day, "1.00", "", "", "", f"第{i}期"] for i in range(n))
    return SimpleUploadedFile("reports.csv", out.getvalue().encode("utf-8-sig"))


@pytest.fixture
def sent(monkeypatch):
    """The task messages the import module sends (enqueue_after_commit), recorded instead of sent."""
    calls = []
    monkeypatch.setattr(imports, "enqueue_after_commit", lambda name, *args: calls.append((name, *args)))
    return calls


def make_job(by, loan, n, mode, **fields):
    job = imports.import_job_create(by=by, kind="reports", mode=mode, file=report_csv(loan, n))
    if fields:
        ImportJob.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def ago(**kwargs):
    return timezone.now() - dt.timedelta(**kwargs)


# --- the sweep ------------------------------------------------------------------------------------


def test_a_running_job_whose_lease_expired_is_queued_again_and_sent(loan, bank_officer, sent):
    job = make_job(
        bank_officer, loan, 3, "keep_good", status="running", attempts=1, lease_expires_at=ago(seconds=1)
    )
    sent.clear()
    assert imports.import_jobs_recover() == (1, 0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    assert sent == [(imports.TASK_RUN_IMPORT, job.pk)]
    job = imports.import_run(job.pk)  # the task the sweep sent
    assert (job.status, job.ok_rows, job.attempts) == ("done", 3, 2)
    assert LoanEvent.objects.filter(loan=loan, kind="repayment").count() == 3


def test_a_running_job_whose_lease_is_live_is_left_alone(loan, bank_officer, sent):
    job = make_job(
        bank_officer,
        loan,
        3,
        "keep_good",
        status="running",
        attempts=1,
        lease_expires_at=timezone.now() + dt.timedelta(minutes=4),
    )
    sent.clear()
    assert imports.import_jobs_recover() == (0, 0)
    assert imports.import_run(job.pk).status == "running"  # a second delivery does not run it either
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1) and sent == []
    assert not LoanEvent.objects.filter(loan=loan, kind="repayment").exists()


def test_after_the_last_attempt_the_job_fails_and_the_bank_sees_why(loan, bank_officer, client_for, sent):
    job = make_job(
        bank_officer,
        loan,
        3,
        "keep_good",
        status="running",
        attempts=imports.MAX_ATTEMPTS,
        lease_expires_at=ago(seconds=1),
    )
    assert imports.import_jobs_recover() == (0, 1)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.message == f"导入进程中断，已重试 {imports.MAX_ATTEMPTS - 1} 次，请重新上传。"
    assert imports.import_run(job.pk).status == "failed"  # never run again
    page = client_for(bank_officer).get(f"/lenders/imports/{job.pk}/").content.decode()
    assert "导入进程中断，已重试 2 次，请重新上传。" in page


def test_a_keep_good_job_failing_after_committed_chunks_says_which_rows_were_imported(
    loan, bank_officer, sent
):
    job = make_job(
        bank_officer,
        loan,
        6,
        "keep_good",
        status="running",
        attempts=imports.MAX_ATTEMPTS,
        lease_expires_at=ago(seconds=1),
        total_rows=6,
        processed_rows=4,
        ok_rows=3,
    )
    imports.import_jobs_recover()
    job.refresh_from_db()
    assert job.status == "failed" and (job.processed_rows, job.ok_rows) == (4, 3)
    assert job.message == (
        "导入进程中断，已重试 2 次，请重新上传。"
        "中断前已处理前 4 个数据行（其中 3 行已导入，错误行见错误报告），重新上传时请只保留其后的行。"
    )


def test_a_job_queued_long_ago_whose_message_was_lost_is_sent_again(loan, bank_officer, sent):
    job = make_job(bank_officer, loan, 1, "keep_good")
    sent.clear()
    assert imports.import_jobs_recover() == (0, 0)  # just queued: its message is on its way
    ImportJob.objects.filter(pk=job.pk).update(created_at=ago(minutes=10))
    assert imports.import_jobs_recover() == (1, 0)
    assert imports.import_jobs_recover() == (0, 0)  # sent again at most once a lease
    assert sent == [(imports.TASK_RUN_IMPORT, job.pk)]


def test_the_beat_runs_the_sweep():
    from yunfu_ipfund.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert imports.TASK_RECOVER_IMPORTS in tasks
    assert imports.TASK_RECOVER_IMPORTS == "lenders.recover_import_jobs"


# --- a real worker killed mid-import --------------------------------------------------------------


@pytest.fixture
def seeded(transactional_db):
    """The policy versions and the fund's opening a transactional test's flush removed (before `loan`)."""
    ensure_policies()


def start_worker(log, **env):
    conf = connection.settings_dict
    url = (
        f"postgres://{conf['USER']}:{conf['PASSWORD'] or ''}@{conf['HOST'] or '127.0.0.1'}:"
        f"{conf['PORT'] or 5432}/{conf['NAME']}"
    )
    environment = os.environ | {
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        # where this process's private storage put the job's file (set up once per process)
        "MEDIA_ROOT": str(Path(private_storage.location).parent),
        "TESTING": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "yunfu_ipfund.settings",
    }
    environment.pop("MIGRATE_DATABASE_URL", None)
    script = Path(__file__).with_name("import_worker.py")
    return subprocess.Popen(  # noqa: S603 (our own script)
        [sys.executable, str(script)],
        env=environment | {k: str(v) for k, v in env.items()},
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, log, timeout=180, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    jobs = list(ImportJob.objects.values("id", "status", "processed_rows", "attempts", "message"))
    raise AssertionError(
        f"timed out waiting for {what} ({jobs}); the workers said:\n{log.read_text()[-3000:]}"
    )


def stop(worker, sig=signal.SIGTERM):
    if worker.poll() is None:
        worker.send_signal(sig)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL); skipped without it")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; skipped on SQLite")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["keep_good", "all_or_nothing"])
def test_a_worker_killed_mid_import_is_recovered_and_the_job_finishes_exactly_once(
    seeded, loan, bank_officer, mode, monkeypatch, time_machine, tmp_path
):
    from yunfu_ipfund.celery import app

    log, started = tmp_path / "workers.log", tmp_path / "rows-started"

    rows = 40
    sent = []
    monkeypatch.setattr(imports, "enqueue_after_commit", lambda name, *args: sent.append((name, *args)))
    job = make_job(bank_officer, loan, rows, mode)
    app.control.purge()
    first = start_worker(
        log, IMPORT_TEST_ROW_DELAY=0.25, IMPORT_TEST_CHUNK_ROWS=5, IMPORT_TEST_PROGRESS_FILE=started
    )
    try:
        app.send_task(imports.TASK_RUN_IMPORT, args=[job.pk])  # what the page's enqueue sends

        def mid_import():
            if not started.exists() or len(started.read_text().splitlines()) < 12:
                return False
            # keep-the-good-rows: two chunks committed, with the job's count
            return mode != "keep_good" or ImportJob.objects.get(pk=job.pk).processed_rows >= 10

        wait_for(mid_import, log, timeout=90, what="the first worker to be in the middle of the import")
        stop(first, signal.SIGKILL)
    finally:
        stop(first, signal.SIGKILL)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.attempts == 1
    imported = LoanEvent.objects.filter(loan=loan, kind="repayment").count()
    assert 10 <= imported < rows if mode == "keep_good" else imported == 0
    assert job.processed_rows == imported

    assert imports.import_jobs_recover() == (0, 0)  # the lease is still live
    time_machine.move_to(timezone.now() + imports.LEASE + dt.timedelta(seconds=5), tick=True)
    assert imports.import_jobs_recover() == (1, 0)
    assert sent[-1] == (imports.TASK_RUN_IMPORT, job.pk)
    second = start_worker(log)
    try:
        app.send_task(*sent[-1][:1], args=list(sent[-1][1:]))  # the sweep's message
        wait_for(
            lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE,
            log,
            what="the second worker to finish the job",
        )
    finally:
        stop(second)
    job.refresh_from_db()
    assert (job.total_rows, job.ok_rows, job.error_rows, job.attempts) == (rows, rows, 0, 2)
    events = LoanEvent.objects.filter(loan=loan, kind="repayment")
    assert events.count() == rows
    assert sorted(events.values_list("note", flat=True)) == sorted(f"第{i}期" for i in range(rows))
    loan.refresh_from_db()
    assert str(loan.outstanding_principal) == f"{1000000 - rows}.00"
    checked, problems = verify_chain()
    assert problems == [] and checked > rows
