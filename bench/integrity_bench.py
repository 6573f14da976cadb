"""Times `verify_ledger` and `verify_audit_chain` on the province-scale dataset (issue 12; not a test):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yf_bench_integrity .venv/bin/python \
        bench/integrity_bench.py --scale 0.1

It reuses bench/fund_bench.py's generator (the database is dropped and re-created: a throwaway one whose
name starts with yf_bench), scaled by --scale (1.0: 10,000 claims' ledger, 190,000 postings, 500,000
entries, 100,000 covered loans), adds --events-per-posting audit events per posting (default 2, chained
with the audit key, loaded by COPY), then times each verification (--repeat runs, median) and prints the
figures. Goal: under 60 s each at --scale 1.0.
"""

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import fund_bench  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--events-per-posting", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    return parser.parse_args()


def audit_events(n):
    """n chained audit events (every field filled as audit_record does), loaded with COPY."""
    from django.db import connection
    from django.utils import timezone

    from yunfu_ipfund.audit.hashing import GENESIS, compute_hash, current_key_id
    from yunfu_ipfund.audit.models import AuditEvent

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(MAX(id), 0), (SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1) "
            "FROM audit_auditevent"
        )
        last_id, previous = cursor.fetchone()
    previous = previous or GENESIS
    start = timezone.now() - dt.timedelta(days=365)
    key_id = current_key_id()
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    rows = []
    for i in range(1, n + 1):
        event = AuditEvent(
            id=last_id + i,
            at=start + dt.timedelta(seconds=i),
            actor_name="系统",
            organisation_name="",
            code="fund.entry.post",
            action="记账",
            object_type="fund.posting",
            object_id=str(i),
            object_repr=f"凭证 #{i}",
            reason="",
            data={"key": f"bench-{i}"},
            prev_hash=previous,
            key_id=key_id,
        )
        event.hash = compute_hash(previous, event)
        previous = event.hash
        rows.append(event)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY audit_auditevent ({', '.join(columns)}) FROM STDIN") as copy:
            for e in rows:
                values = []
                for f in AuditEvent._meta.concrete_fields:
                    v = getattr(e, f.attname)
                    values.append(f.get_db_prep_value(v, connection) if f.name == "data" else v)
                copy.write_row([v.dumps(v.obj) if hasattr(v, "dumps") else v for v in values])
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [last_id + n])


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times), result


def main():
    args = parse_args()
    sys.argv = [sys.argv[0]]
    base = fund_bench.parse_args()
    base.claims = max(1, int(10_000 * args.scale))
    base.loans = max(1, int(100_000 * args.scale))
    base.enterprises = max(1, int(15_000 * args.scale))
    name = fund_bench.setup_django()
    if not args.reuse:
        fund_bench.recreate_database(name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        call_command("migrate", verbosity=0)
        fund_bench.generate(base)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM fund_posting")
            postings = cursor.fetchone()[0]
        t0 = time.perf_counter()
        audit_events(postings * args.events_per_posting)
        print(f"  audit events generated in {time.perf_counter() - t0:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from fund.integrity import ledger_differences
    from yunfu_ipfund.audit.services import verify_chain

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM fund_posting), (SELECT COUNT(*) FROM fund_entry), "
            "(SELECT COUNT(*) FROM fund_dailymovement), (SELECT COUNT(*) FROM audit_auditevent)"
        )
        postings, entries, daily, events = cursor.fetchone()
    ledger = timed(ledger_differences, args.repeat)
    chain = timed(verify_chain, args.repeat)
    print(
        f"scale {args.scale}: {postings} postings, {entries} entries, {daily} daily rows, "
        f"{events} audit events"
    )
    print(
        f"  verify_ledger       median {ledger[0]:.2f} s, max {ledger[1]:.2f} s, {len(ledger[2])} differences"
    )
    print(f"  verify_audit_chain  median {chain[0]:.2f} s, max {chain[1]:.2f} s, {len(chain[2][1])} problems")


if __name__ == "__main__":
    main()
