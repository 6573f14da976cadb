"""Bulk import of repayment reports: time, queries, audit events and peak memory (not a test). One command:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yf_bench_import .venv/bin/python bench/import_bench.py

(DATABASE_URL defaults to that; the database is dropped and re-created, so it must be a throwaway
one: the name must start with yf_bench.) Options: --rows 1000 10000 (sizes to time, default both),
--loans N (covered loans the rows are spread over, default 2000), --modes all_or_nothing keep_good,
--memory-rows 20000 (one more run per --formats csv xlsx, keep-the-good-rows; 0 for none; every run
reports its peak memory), --code DIR ... (checkouts to run, default this one: give an
old checkout, e.g. a `git worktree add /tmp/old 6f38deb`, and this one to get before and after in one
run), --profile FILE (a pyinstrument HTML profile of the first run; pip install pyinstrument).

Each run is a child process (`--child`, with the checkout's code on sys.path): it migrates a fresh
database and writes one bank, its officer, a cooperating-bank profile and N covered loans with their
whole filing chain (registrations, filings, loans, the confirmation events) in bulk, then uploads a
CSV or XLSX of repayment rows (round-robin over the loans, so every loan gets several dated reports)
through `imports.import_job_create`, exactly as the page does, and times `imports.import_run(job)`,
which is what the Celery task runs: every row goes through `services.loan_report_repayment` and is
audited. Peak memory is the child's resident-set high-water mark (VmHWM) during `import_run`, the
mark being reset just before it (/proc/self/clear_refs), beside its resident set before the run.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yf_bench_import"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[1000, 10_000])
    parser.add_argument("--loans", type=int, default=2000)
    parser.add_argument(
        "--modes", nargs="+", default=["all_or_nothing", "keep_good"], choices=["all_or_nothing", "keep_good"]
    )
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--memory-rows", type=int, default=20_000)
    parser.add_argument("--code", nargs="+", default=[str(ROOT)], help="checkouts to run (before, after)")
    parser.add_argument("--profile", help="write a pyinstrument HTML profile of the first run to this file")
    parser.add_argument("--child", nargs=3, metavar=("ROWS", "MODE", "FORMAT"), help=argparse.SUPPRESS)
    return parser.parse_args()


def setup_django():
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("TESTING", "true")  # dev secret, locmem cache
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # enqueue only: the run is timed on its own below
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yunfu_ipfund.settings")
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    if not name.startswith("yf_bench"):
        sys.exit(f"refusing to drop database {name!r}: the benchmark database name must start with yf_bench")
    return name


def recreate_database(name):
    admin = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True)


def generate(loans):
    """One bank, its officer, and `loans` covered loans with their filing chain (bulk, no services)."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from applications.models import LoanRegistration
    from lenders.models import CooperatingBank, CoveredLoan, LoanEvent, LoanFiling
    from yunfu_ipfund.accounts.models import Organisation, User
    from yunfu_ipfund.accounts.roles import Role
    from yunfu_ipfund.common.dates import today
    from yunfu_ipfund.policy.models import PolicyVersion

    day = today()
    now = timezone.now()
    with transaction.atomic():
        bank = Organisation.objects.create(kind="bank", name="中国工商银行股份有限公司云浮分行")
        enterprise = Organisation.objects.create(kind="enterprise", name="云浮市云石科技有限公司")
        bureau = Organisation.objects.create(kind="bureau", name="云浮市市场监督管理局")
        officer = User.objects.create_user(
            "bench_officer", password="x", organisation=bank, full_name="李经办"
        )
        officer.groups.add(Group.objects.get(name=Role.BANK_OFFICER))
        approver = User.objects.create_user(
            "bench_approver", password="x", organisation=bureau, full_name="审批"
        )
        CooperatingBank.objects.create(
            organisation=bank,
            admitted_on=day - dt.timedelta(days=400),
            agreement_number="YFHZ-BENCH",
            agreement_valid_from=day - dt.timedelta(days=400),
            agreement_valid_to=day + dt.timedelta(days=1000),
            status_since=day - dt.timedelta(days=400),
            admitted_by=approver,
        )
        policy = PolicyVersion.objects.get(effective_from__lte=day, effective_to__gte=day)
        disbursed = day - dt.timedelta(days=60)
        registrations = LoanRegistration.objects.bulk_create(
            [
                LoanRegistration(
                    enterprise=enterprise,
                    bank=bank,
                    created_by=officer,
                    amount=Decimal("1000000.00"),
                    term_months=12,
                    purpose="购买原材料",
                    status=LoanRegistration.Status.ACCEPTED,
                )
                for _ in range(loans)
            ]
        )
        filings = LoanFiling.objects.bulk_create(
            [
                LoanFiling(
                    registration=r,
                    bank=bank,
                    enterprise=enterprise,
                    contract_number=f"HT-{i:06d}",
                    amount=Decimal("1000000.00"),
                    ip_amount=Decimal("800000.00"),
                    disbursed_on=disbursed,
                    maturity_on=disbursed + dt.timedelta(days=330),
                    annual_rate=Decimal("3.9"),
                    repayment_method="interest_monthly",
                    status=LoanFiling.Status.CONFIRMED,
                    prepared_by=officer,
                    first_submitted_on=disbursed + dt.timedelta(days=2),
                    decided_by=approver,
                    decided_at=now,
                )
                for i, r in enumerate(registrations)
            ]
        )
        covered = CoveredLoan.objects.bulk_create(
            [
                CoveredLoan(
                    filing=f,
                    bank=bank,
                    enterprise=enterprise,
                    policy_version=policy,
                    contract_number=f.contract_number,
                    amount=f.amount,
                    covered_amount=f.ip_amount,
                    fund_share=policy.fund_share,
                    disbursed_on=f.disbursed_on,
                    maturity_on=f.maturity_on,
                    outstanding_principal=f.amount,
                    covered_outstanding=f.ip_amount,
                    confirmed_at=now,
                )
                for f in filings
            ]
        )
        LoanEvent.objects.bulk_create(
            [
                LoanEvent(
                    loan=c,
                    kind=LoanEvent.Kind.CONFIRMED,
                    occurred_on=disbursed + dt.timedelta(days=5),
                    outstanding_after=c.outstanding_principal,
                    covered_outstanding_after=c.covered_outstanding,
                    status_after=c.status,
                    reported_by=approver,
                    note="备案确认，纳入风险补偿范围",
                )
                for c in covered
            ]
        )
    return officer, [c.contract_number for c in covered], disbursed


def repayment_csv(contracts, rows, disbursed):
    """`rows` repayment rows, round-robin over the loans, dated in order per loan (all in the past)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["借款合同编号", "报告类型", "日期", "金额", "风险分类", "展期后到期日", "逾期已结清", "说明"]
    )
    per_loan = -(-rows // len(contracts))
    for i in range(rows):
        loan, k = i % len(contracts), i // len(contracts)
        day = disbursed + dt.timedelta(days=10 + (k * 40) // per_loan)
        writer.writerow([contracts[loan], "还款", day.isoformat(), "100.00", "", "", "", f"第{k + 1}期"])
    return out.getvalue().encode("utf-8-sig")


def repayment_xlsx(contracts, rows, disbursed):
    """The same rows as an XLSX workbook (openpyxl write-only, as a bank's export would be)."""
    from openpyxl import Workbook

    text = repayment_csv(contracts, rows, disbursed).decode("utf-8-sig")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in csv.reader(io.StringIO(text)):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run_once(args, name, rows, mode, file_format="csv", profile_to=None):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from lenders import imports
    from lenders.models import ImportJob, LoanEvent
    from yunfu_ipfund.audit.models import AuditEvent

    connection.close()
    recreate_database(name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    officer, contracts, disbursed = generate(args.loans)
    if file_format == "xlsx":
        upload = SimpleUploadedFile("repayments.xlsx", repayment_xlsx(contracts, rows, disbursed))
    else:
        upload = SimpleUploadedFile(
            "repayments.csv", repayment_csv(contracts, rows, disbursed), content_type="text/csv"
        )
    job = imports.import_job_create(by=officer, kind="reports", mode=mode, file=upload)
    events_before, audit_before = LoanEvent.objects.count(), AuditEvent.objects.count()
    queries = [0]  # a count, not the statements: keeping 7 strings a row would weigh in the peak memory

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    profiler = None
    if profile_to:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    import gc

    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the resident-set high-water mark
    rss_before = _status_kb("VmRSS")
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        job = imports.import_run(job.pk)
    elapsed = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    if profiler:
        profiler.stop()
        Path(profile_to).write_text(profiler.output_html())
        print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])
    assert job.status == ImportJob.Status.DONE and job.ok_rows == rows, (job.status, job.ok_rows, job.message)
    events = LoanEvent.objects.count() - events_before
    audits = AuditEvent.objects.count() - audit_before
    assert events == rows, events
    return {
        "elapsed": elapsed,
        "queries": queries[0],
        "audits": audits,
        "rss_before_mb": rss_before / 1024,
        "peak_mb": peak / 1024,
        "size_kb": upload.size / 1024,
    }


def child(args):
    sys.path.insert(0, os.getcwd())  # the checkout the parent started this child in
    name = setup_django()
    import django

    django.setup()
    rows, mode, file_format = int(args.child[0]), args.child[1], args.child[2]
    print(json.dumps(run_once(args, name, rows, mode, file_format, profile_to=args.profile)))


def run_child(args, code, rows, mode, file_format):
    command = [
        sys.executable,
        str(ROOT / "bench" / "import_bench.py"),
        "--child",
        str(rows),
        mode,
        file_format,
    ]
    command += ["--loans", str(args.loans)] + (["--profile", args.profile] if args.profile else [])
    done = subprocess.run(command, cwd=code, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    args = parse_args()
    if args.child:
        return child(args)
    setup_django()  # checks the database name before any child drops it
    plan = [(rows, mode, "csv") for rows in args.rows for mode in args.modes]
    if args.memory_rows:
        plan += [(args.memory_rows, "keep_good", f) for f in args.formats]
    results = []
    for rows, mode, file_format in plan:
        for code in args.code:
            result = run_child(args, code, rows, mode, file_format)
            label = Path(code).name if len(args.code) > 1 else ""
            results.append((label, rows, mode, file_format, result))
            if "error" in result:
                print(
                    f"  {label} {rows:,} rows, {mode}, {file_format}: failed: {result['error']}", flush=True
                )
                continue
            print(
                f"  {label} {rows:,} rows, {mode}, {file_format}: {result['elapsed']:.1f} s, "
                f"{result['elapsed'] * 1000 / rows:.2f} ms/row, {result['queries'] / rows:.1f} queries/row, "
                f"{result['audits']:,} audit events, peak {result['peak_mb']:.0f} MB "
                f"(from {result['rss_before_mb']:.0f} MB)",
                flush=True,
            )
    print()
    print(f"Repayment rows over {args.loans:,} covered loans of one bank (PostgreSQL).")
    print("| Code | Rows | Mode | File | Total (s) | ms/row | Queries/row | Audit events | Peak RSS (MB) |")
    print("|---|---:|---|---|---:|---:|---:|---:|---:|")
    for label, rows, mode, file_format, r in results:
        if "error" in r:
            print(f"| {label} | {rows:,} | {mode} | {file_format} | failed: {r['error']} | | | | |")
            continue
        print(
            f"| {label} | {rows:,} | {mode} | {file_format} | {r['elapsed']:.1f} | "
            f"{r['elapsed'] * 1000 / rows:.2f} | {r['queries'] / rows:.1f} | {r['audits']:,} | "
            f"{r['peak_mb']:.0f} (from {r['rss_before_mb']:.0f}) |"
        )


if __name__ == "__main__":
    main()
