"""Province-scale benchmark of the fund's figures and pages (not a test). One command:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yf_bench .venv/bin/python bench/fund_bench.py

(DATABASE_URL defaults to that; the database is dropped and re-created, so it must be a throwaway
one, never the portal's.) Options: --claims N (default 10000), --loans N (default 100000),
--repeat N (timed runs per measure, default 15), --reuse (keep an already generated database).

It migrates a fresh database, bulk-loads (COPY) 15,000 enterprises, 220 banks, 100,000 covered
loans with their whole filing chain (accepted registration, confirmed filing, covered loan; every
foreign key kept) and their history (--events-per-loan N: the confirmation, then a repayment every
30 days; default 1), and 10,000 claims' worth of ledger postings (19 postings / 50 entries a
claim: commitment, four payout instalments, a reversal and its re-payment, ten recovery returns, a
clawback, a release: 190,000 postings, 500,000 entries), then rebuilds the running balances and
daily totals the services keep, ANALYZEs, and times with the Django test client, logged in as a
finance user, the fund figures (now and as of a past date), the journal, the per-bank risk table,
side by side with a trivial view served the same way (same middleware, same session).

Not generated: the registrations' pledged assets and the filings' documents (no figure reads them).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # run as a script (bench/pages_bench.py imports the generator from its own tree)
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yf_bench"
TODAY = dt.date(2026, 11, 26)
PAST = dt.date(2024, 6, 30)


def login_verified(client, user):
    """Log `user` in on the test client with a verified second factor, as the portal asks of staff
    (django-otp): the benches measure the pages, not the code page they would be sent to."""
    from django.conf import settings

    client.force_login(user)
    if "django_otp" not in settings.INSTALLED_APPS:
        return  # an older tree, from before the second factor
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=15_000)
    parser.add_argument("--banks", type=int, default=220)
    parser.add_argument(
        "--events-per-loan",
        type=int,
        default=1,
        help="history per covered loan: the confirmation, then a repayment every 30 days (default 1)",
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="skip generation, time an existing yf_bench")
    return parser.parse_args()


def setup_django():
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("TESTING", "true")  # dev secret, plain static storage; DEBUG stays off
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yunfu_ipfund.settings")
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    if not name.startswith(("yf_bench", "bench")):
        sys.exit(f"refusing to drop database {name!r}: the benchmark database name must start with yf_bench")
    return name


def recreate_database(name):
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    admin = f"{url}/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True)


# --- generation -----------------------------------------------------------------------------------


def _copy(cursor, table, columns, rows):
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _generic_value(data_type, i):
    if data_type in ("integer", "bigint", "smallint"):
        return 0
    if data_type == "numeric":
        return Decimal("0")
    if data_type == "boolean":
        return False
    if data_type == "date":
        return TODAY
    if data_type.startswith("timestamp"):
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    if data_type in ("jsonb", "json"):
        return "{}"
    return f"b{i}"


def _required_columns(cursor, table):
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return cursor.fetchall()


def generate(args):
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from fund.models import Account
    from yunfu_ipfund.accounts.models import Organisation, User
    from yunfu_ipfund.accounts.roles import Role
    from yunfu_ipfund.policy.models import PolicyVersion

    rnd = random.Random(20261126)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        now = dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)
        _copy(
            cursor,
            "accounts_organisation",
            ["kind", "name", "uscc", "is_active", "created_at"],
            [
                ("enterprise", f"云浮市测试企业{i:05d}有限公司", None, True, now)
                for i in range(args.enterprises)
            ]
            + [("bank", f"测试银行{i:03d}云浮分行", None, True, now) for i in range(args.banks)]
            + [
                ("finance", "云浮市财政局", None, True, now),
                ("bureau", "云浮市市场监督管理局", None, True, now),
            ],
        )
        banks = list(Organisation.objects.filter(kind="bank").values_list("pk", flat=True))
        enterprises = list(Organisation.objects.filter(kind="enterprise").values_list("pk", flat=True))
        finance_org = Organisation.objects.get(kind="finance")
        finance = User.objects.create_user(
            "bench_finance", password="x", organisation=finance_org, full_name="财政"
        )
        finance.groups.add(Group.objects.get(name=Role.FINANCE))
        policy = PolicyVersion.objects.get(code="2025")

        # the filing chain, every foreign key kept: an accepted registration, a confirmed filing, the
        # covered loan, and its history (the confirmation, then repayments down to today's figures)
        statuses = ["active"] * 85 + ["overdue"] * 6 + ["non_performing"] * 4 + ["repaid"] * 5
        plans = []
        for _ in range(args.loans):
            amount = Decimal(rnd.randrange(100_000, 5_000_000, 1000))
            disbursed = dt.date(2021, 1, 1) + dt.timedelta(days=rnd.randrange(0, 2100))
            plans.append(
                (amount, disbursed, rnd.choice(statuses), rnd.choice(banks), rnd.choice(enterprises))
            )

        def rows_for(table, values_of):
            required = dict(_required_columns(cursor, table))
            rows = []
            for i, plan in enumerate(plans):
                row = {c: _generic_value(t, i) for c, t in required.items()}
                row.update(values_of(i, *plan))
                rows.append(row)
            columns = list(rows[0])
            _copy(cursor, table, columns, ([r[c] for c in columns] for r in rows))

        def ids(table):
            cursor.execute(f"SELECT id FROM {table} ORDER BY id")
            return [r[0] for r in cursor.fetchall()]

        rows_for(
            "applications_loanregistration",
            lambda i, amount, disbursed, status, bank, enterprise: dict(
                enterprise_id=enterprise,
                bank_id=bank,
                created_by_id=finance.pk,
                amount=amount,
                term_months=12,
                purpose="购买原材料",
                status="accepted",
                submitted_checks="[]",
                created_at=now,
                updated_at=now,
            ),
        )
        registrations = ids("applications_loanregistration")
        rows_for(
            "lenders_loanfiling",
            lambda i, amount, disbursed, status, bank, enterprise: dict(
                registration_id=registrations[i],
                bank_id=bank,
                enterprise_id=enterprise,
                contract_number=f"HT{i:07d}",
                amount=amount,
                ip_amount=amount,
                disbursed_on=disbursed,
                maturity_on=disbursed + dt.timedelta(days=365),
                annual_rate=Decimal("3.85"),
                repayment_method="interest_monthly",
                other_collateral="",
                status="confirmed",
                prepared_by_id=finance.pk,
                return_reasons="[]",
                checks_snapshot="[]",
                created_at=now,
                updated_at=now,
            ),
        )
        filings = ids("lenders_loanfiling")
        rows_for(
            "lenders_coveredloan",
            lambda i, amount, disbursed, status, bank, enterprise: dict(
                filing_id=filings[i],
                bank_id=bank,
                enterprise_id=enterprise,
                policy_version_id=policy.pk,
                contract_number=f"HT{i:07d}",
                amount=amount,
                covered_amount=amount,
                fund_share=Decimal("0.4"),
                disbursed_on=disbursed,
                maturity_on=disbursed + dt.timedelta(days=365),
                outstanding_principal=amount,
                covered_outstanding=Decimal(0) if status == "repaid" else amount,
                status=status,
                classification="normal",
                confirmed_at=now,
                updated_at=now,
            ),
        )
        loans = ids("lenders_coveredloan")
        event_rows = []
        for loan_id, (amount, disbursed, status, _, _) in zip(loans, plans, strict=True):
            final = Decimal(0) if status == "repaid" else amount
            count = args.events_per_loan
            for k in range(count):
                last = k == count - 1
                # confirmation on the disbursement day, then a report every 30 days; the last one
                # leaves the loan as it stands today
                after = final if last else (amount - (amount - final) * k / count).quantize(Decimal("0.01"))
                event_rows.append(
                    (
                        loan_id,
                        "confirmed" if k == 0 else "repayment",
                        min(disbursed + dt.timedelta(days=30 * k), TODAY),
                        after,
                        after,
                        status if last else "active",
                        "",
                        "",
                        now,
                    )
                )
        _copy(
            cursor,
            "lenders_loanevent",
            [
                "loan_id",
                "kind",
                "occurred_on",
                "outstanding_after",
                "covered_outstanding_after",
                "status_after",
                "classification",
                "note",
                "reported_at",
            ],
            event_rows,
        )
        print(
            f"  organisations, {len(registrations):,} registrations, {len(filings):,} filings, "
            f"{len(loans):,} covered "
            f"loans, {len(event_rows):,} loan events in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

        # the ledger: 10,000 claims' worth of postings
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM fund_posting")
        next_posting = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM fund_commitment")
        next_commitment = cursor.fetchone()[0] + 1
        postings, entries, commitments, returns = [], [], [], []

        def post(kind, day, lines, *, bank=None, commitment=None, ref=("", ""), reversal_of=None):
            nonlocal next_posting
            pid = next_posting
            next_posting += 1
            amount = sum(v for _, v in lines if v > 0)
            postings.append(
                (
                    pid,
                    kind,
                    day,
                    now,
                    ref[0],
                    ref[1],
                    bank,
                    commitment,
                    reversal_of,
                    None,
                    "系统",
                    None,
                    "基准数据",
                    f"bench-{pid}",
                    "0" * 64,
                    amount,
                )
            )
            entries.extend((pid, a, v) for a, v in lines)
            return pid

        post(
            "contribution",
            dt.date(2020, 9, 24),
            [(Account.CASH, Decimal("2000000000.00")), (Account.CONTRIBUTIONS, Decimal("-2000000000.00"))],
        )
        for month in range(74):
            day = dt.date(2020 + (9 + month) // 12, (9 + month) % 12 + 1, 21)
            post(
                "interest",
                day,
                [(Account.CASH, Decimal("15625.00")), (Account.INTEREST, Decimal("-15625.00"))],
            )
        for claim in range(args.claims):
            bank = rnd.choice(banks)
            ref = ("compensation.claim", str(claim + 1))
            start = dt.date(2021, 3, 1) + dt.timedelta(days=rnd.randrange(0, 1900))
            paid = Decimal(rnd.randrange(40_000, 400_000, 4)) / 1
            spare = Decimal("1000.00")
            cid = next_commitment
            next_commitment += 1
            commitments.append(
                (cid, "claim", paid + spare, ref[0], ref[1], bank, f"bench-commit-{cid}", "基准", None, now)
            )
            post(
                "commitment",
                start,
                [(Account.RESERVED, paid + spare), (Account.COMMITTED, -(paid + spare))],
                bank=bank,
                commitment=cid,
                ref=ref,
            )
            part = paid / 4
            pay = [
                (Account.COMPENSATION, part),
                (Account.CASH, -part),
                (Account.COMMITTED, part),
                (Account.RESERVED, -part),
            ]
            first = None
            for k in range(4):
                pid = post(
                    "payout", start + dt.timedelta(days=10 + k), pay, bank=bank, commitment=cid, ref=ref
                )
                first = first or pid
            post(
                "reversal",
                start + dt.timedelta(days=15),
                [(a, -v) for a, v in pay],
                bank=bank,
                commitment=cid,
                ref=ref,
                reversal_of=first,
            )
            post("payout", start + dt.timedelta(days=16), pay, bank=bank, commitment=cid, ref=ref)
            back = (paid * Decimal("0.03")).quantize(Decimal("0.01"))
            for k in range(10):
                post(
                    "recovery",
                    start + dt.timedelta(days=60 + 20 * k),
                    [(Account.CASH, back), (Account.RECOVERIES, -back)],
                    bank=bank,
                    ref=ref,
                )
            post(
                "clawback",
                start + dt.timedelta(days=300),
                [(Account.CASH, Decimal("100.00")), (Account.CLAWBACKS, Decimal("-100.00"))],
                bank=bank,
                ref=ref,
            )
            post(
                "release",
                start + dt.timedelta(days=301),
                [(Account.COMMITTED, spare), (Account.RESERVED, -spare)],
                bank=bank,
                commitment=cid,
                ref=ref,
            )
            due = start + dt.timedelta(days=400)
            settled = None if claim % 97 == 0 else now
            returns.append((bank, ref[0], ref[1], back, due, f"bench-return-{claim}", settled, now))
        _copy(
            cursor,
            "fund_commitment",
            [
                "id",
                "purpose",
                "amount",
                "reference_type",
                "reference_id",
                "bank_id",
                "key",
                "reason",
                "created_by_id",
                "created_at",
            ],
            commitments,
        )
        _copy(
            cursor,
            "fund_posting",
            [
                "id",
                "kind",
                "value_date",
                "booked_at",
                "reference_type",
                "reference_id",
                "bank_id",
                "commitment_id",
                "reversal_of_id",
                "actor_id",
                "actor_name",
                "instructed_by_id",
                "reason",
                "key",
                "fingerprint",
                "amount",
            ],
            postings,
        )
        _copy(cursor, "fund_entry", ["posting_id", "account", "amount"], entries)
        _copy(
            cursor,
            "fund_returndue",
            [
                "bank_id",
                "reference_type",
                "reference_id",
                "amount",
                "due_on",
                "key",
                "settled_at",
                "created_at",
            ],
            returns,
        )
        for table in ("fund_posting", "fund_commitment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        # the running balances and daily totals the services keep, rebuilt from the entries
        cursor.execute("DELETE FROM fund_dailymovement")
        cursor.execute("DELETE FROM fund_ledgeraccount")
        cursor.execute("DELETE FROM fund_bankbalance")
        cursor.execute("""
            INSERT INTO fund_dailymovement (account, bank_id, value_date, amount, entries)
            SELECT e.account, NULL, p.value_date, SUM(e.amount), COUNT(*) FROM fund_entry e
            JOIN fund_posting p ON p.id = e.posting_id GROUP BY e.account, p.value_date
            UNION ALL
            SELECT e.account, p.bank_id, p.value_date, SUM(e.amount), COUNT(*) FROM fund_entry e
            JOIN fund_posting p ON p.id = e.posting_id WHERE p.bank_id IS NOT NULL
            GROUP BY e.account, p.bank_id, p.value_date""")
        cursor.execute("""
            INSERT INTO fund_ledgeraccount (code, balance, updated_at)
            SELECT account, SUM(amount), now() FROM fund_entry GROUP BY account""")
        cursor.execute("""
            INSERT INTO fund_bankbalance (bank_id, account, balance)
            SELECT p.bank_id, e.account, SUM(e.amount)
            FROM fund_entry e JOIN fund_posting p ON p.id = e.posting_id
            WHERE p.bank_id IS NOT NULL GROUP BY p.bank_id, e.account""")
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE"
        )  # what autovacuum does after a bulk load: visibility map for index-only counts
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM fund_posting), (SELECT COUNT(*) FROM fund_entry), "
            "(SELECT COUNT(*) FROM fund_dailymovement), (SELECT COUNT(*) FROM lenders_coveredloan)"
        )
        counts = cursor.fetchone()
    print(
        f"  generated in {time.perf_counter() - started:.1f} s: "
        f"{counts[0]:,} postings, {counts[1]:,} entries, "
        f"{counts[2]:,} daily rows, {counts[3]:,} covered loans",
        flush=True,
    )
    return counts


# --- timing ---------------------------------------------------------------------------------------


def trivial(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def _urlpatterns():
    from django.urls import path

    from yunfu_ipfund.urls import urlpatterns as project

    return [path("bench/trivial/", trivial), *project]


urlpatterns = []  # filled in main() once Django is set up (ROOT_URLCONF points at this module)


def timed(fn, repeat):
    from django.db import connection

    fn()
    fn()  # warm
    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), len(seen)


def measure(args, counts):
    from django.test import Client, override_settings

    from fund.selectors import fund_figures
    from lenders.risk import bank_risk_table, fund_figures_with_cover
    from lenders.selectors import bank_portfolio_figures, covered_outstanding
    from yunfu_ipfund.accounts.models import User

    client = Client()
    login_verified(client, User.objects.get(username="bench_finance"))
    bank = (
        User.objects.get(username="bench_finance").organisation.__class__.objects.filter(kind="bank").first()
    )

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    rows = []
    with override_settings(ROOT_URLCONF=__name__):
        base, base_q = timed(page("/bench/trivial/"), args.repeat)
        rows.append(("trivial view (same middleware, logged in)", base, base_q))
        measures = [
            ("fund_figures() now (selector)", lambda: fund_figures()),
            (f"fund_figures(as_of={PAST}) (selector)", lambda: fund_figures(as_of=PAST)),
            (
                "fund_figures_with_cover() now: + lenders covered_outstanding",
                lambda: fund_figures_with_cover(),
            ),
            ("  of which lenders covered_outstanding() now", lambda: covered_outstanding()),
            (
                f"  of which lenders covered_outstanding(as_of={PAST})",
                lambda: covered_outstanding(as_of=PAST),
            ),
            ("bank_risk_table() now (selector, 220 banks)", lambda: bank_risk_table()),
            ("  of which lenders bank_portfolio_figures() now", lambda: bank_portfolio_figures()),
            (
                f"  of which lenders bank_portfolio_figures(as_of={PAST})",
                lambda: bank_portfolio_figures(as_of=PAST),
            ),
            (f"bank_risk_table(as_of={PAST}) (selector)", lambda: bank_risk_table(as_of=PAST)),
            ("GET /fund/ (figures now, 13-point SVG chart)", page("/fund/")),
            (f"GET /fund/?as_of={PAST}", page(f"/fund/?as_of={PAST}")),
            ("GET /fund/journal/ (page 1 of 50)", page("/fund/journal/")),
            ("GET /fund/journal/?page=2000 (deep page)", page("/fund/journal/?page=2000")),
            (
                "GET /fund/journal/?bank=…&kind=payout&date_from=2023-01-01",
                page(f"/fund/journal/?bank={bank.pk}&kind=payout&date_from=2023-01-01"),
            ),
            (
                "GET /fund/journal/?reference=… (by idempotency key)",
                page("/fund/journal/?reference=bench-777"),
            ),
            ("GET /fund/risk/ (per-bank table now)", page("/fund/risk/")),
            (f"GET /fund/risk/?as_of={PAST}", page(f"/fund/risk/?as_of={PAST}")),
        ]
        for label, fn in measures:
            ms, queries = timed(fn, args.repeat)
            rows.append((label, ms, queries))
    return base, rows


def report(args, counts, base, rows):
    lines = [
        "| Measure | Median (ms) | × trivial view | Queries |",
        "|---|---:|---:|---:|",
    ]
    for label, ms, queries in rows:
        lines.append(f"| {label} | {ms:.1f} | {ms / base:.1f} | {queries} |")
    header = (
        f"Dataset: {args.enterprises:,} enterprises, {args.banks} banks, {counts[3]:,} covered loans, "
        f"{args.claims:,} claims, {counts[0]:,} postings, {counts[1]:,} ledger entries, "
        f"{counts[2]:,} daily-total rows. Median of {args.repeat} runs after two warm-up runs."
    )
    return header, "\n".join(lines)


def main():
    args = parse_args()
    name = setup_django()
    if not args.reuse:
        recreate_database(name)
    import django

    django.setup()
    from django.core.management import call_command

    global urlpatterns
    urlpatterns = _urlpatterns()
    if not args.reuse:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"  migrated in {time.perf_counter() - t0:.1f} s", flush=True)
        counts = generate(args)
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT COUNT(*) FROM fund_posting), (SELECT COUNT(*) FROM fund_entry), "
                "(SELECT COUNT(*) FROM fund_dailymovement), (SELECT COUNT(*) FROM lenders_coveredloan)"
            )
            counts = cursor.fetchone()
    base, rows = measure(args, counts)
    header, table = report(args, counts, base, rows)
    print()
    print(header)
    print(table)


if __name__ == "__main__":
    main()
