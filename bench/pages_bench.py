"""Every page of every role and every bank API list, served by gunicorn, against the bare view (not a test).

    .venv/bin/python bench/pages_bench.py --scale 0.1 [--json OUT] [--old /tmp/old_tree] [--seconds 3]

The dataset is bench/fund_bench.py's province (15,000 enterprises, 220 banks, 100,000 covered loans with
their filing chains, 10,000 claims' worth of ledger postings: ~500,000 entries) times --scale, built once
in its own database (--db, default yf_bench_pages_<scale>) and reused on the next run (--rebuild to
start again). Seeded on top: the banks' cooperation agreements, one user per role with a session, and a
bank API key for the bank officer (issued by the bank key service).

The portal is served by gunicorn (2 sync workers) on a loopback port with bench/pagesite's settings:
the portal's own settings and URLs plus a bare view (HttpResponse("ok") through the same middleware)
and a middleware that reports the statements each request sent (X-Bench-Queries). For each page, a
bounded load loop (2 client threads, one request each at a time) alternates slices of the bare view
and of the page (--rounds of --seconds/--rounds/2 each), so both share the same moment of a CPU that
other work shares too. ratio = the page's requests per second / the bare view's; ms = the page's mean
time per request at that load.

--old PATH serves a second tree (e.g. `git worktree add /tmp/old 6f38deb`) against the same database,
measured page by page in the same run: the before and after of docs/benchmarks.md.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

BASE_URL = "postgres://postgres@127.0.0.1:5432"
PROVINCE = dict(enterprises=15_000, banks=220, loans=100_000, claims=10_000)
PREFIX = "bench_pages_"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--db", help="database name (default yf_bench_pages_<scale>); kept between runs")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the dataset again")
    parser.add_argument("--seconds", type=float, default=3.0, help="load time per page, bare view included")
    parser.add_argument("--rounds", type=int, default=3, help="bare/page alternations per page")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--tree",
        default=str(ROOT),
        help="the code to measure (default this checkout; e.g. a worktree of a commit when others' edits "
        "in the working tree are half-done)",
    )
    parser.add_argument("--old", help="a tree of older code to serve and measure beside this one")
    parser.add_argument("--only", help="measure only pages whose label contains this text")
    parser.add_argument("--json", help="write the results here")
    return parser.parse_args()


# --- the dataset ------------------------------------------------------------------------------------


def _database_exists(name):
    out = subprocess.run(
        ["psql", f"{BASE_URL}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip() == "1"


def _dataset_ready():
    from yunfu_ipfund.accounts.models import User

    try:
        return User.objects.filter(username=f"{PREFIX}bank_officer").exists()
    except Exception:  # noqa: BLE001 - a half-built database: build it again
        return False


def build(args, name):
    """Create, migrate and fill the database (fund_bench's generator), then seed the bench's users."""
    import fund_bench
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", f"{BASE_URL}/postgres", "-q", "-c", sql], check=True)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    sizes = {k: max(1, round(v * args.scale)) for k, v in PROVINCE.items()}
    fund_bench.generate(argparse.Namespace(events_per_loan=1, **sizes))
    seed()
    print(f"  dataset at scale {args.scale} built in {time.perf_counter() - t0:.0f} s", flush=True)


def seed():
    """The banks' agreements, one user per role, the enterprise's profile."""
    import datetime as dt

    from django.contrib.auth.models import Group
    from django.db import connection

    from lenders.models import CooperatingBank
    from tests.factories import make_profile
    from yunfu_ipfund.accounts.models import Organisation, User
    from yunfu_ipfund.accounts.roles import Role

    orgs = {kind: Organisation.objects.filter(kind=kind).order_by("pk").first() for kind in Organisation.Kind}
    users = {}
    for role in Role:
        org = orgs["bureau"]
        if role == Role.ENTERPRISE_USER:
            org = orgs["enterprise"]
        elif role in (Role.BANK_OFFICER, Role.BANK_SUPERVISOR):
            org = orgs["bank"]
        elif role == Role.FINANCE:
            org = orgs["finance"]
        user = User.objects.create_user(
            f"{PREFIX}{role.value}", password="bench-pages-1", organisation=org, full_name=role.label
        )
        user.is_staff = role == Role.ADMINISTRATOR
        user.save()
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    day = dt.date(2026, 11, 26)
    CooperatingBank.objects.bulk_create(
        CooperatingBank(
            organisation=org,
            admitted_on=day - dt.timedelta(days=400),
            agreement_number=f"YFHZ-BENCH-{org.pk}",
            agreement_valid_from=day - dt.timedelta(days=400),
            agreement_valid_to=day + dt.timedelta(days=1000),
            admitted_by=users[Role.BUREAU_APPROVER],
        )
        for org in Organisation.objects.filter(kind="bank")
    )
    make_profile(orgs["enterprise"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sessions():
    """A logged-in session cookie per role (the test client's login, stored where the portal keeps them)."""
    import fund_bench
    from django.test import Client

    from yunfu_ipfund.accounts.models import User
    from yunfu_ipfund.accounts.roles import Role

    cookies = {}
    for role in Role:
        client = Client()
        user = User.objects.get(username=f"{PREFIX}{role.value}")
        fund_bench.login_verified(client, user)
        cookies[role.value] = client.cookies["sessionid"].value
    return cookies


def bank_api_key():
    """A plain bank API key for the bank officer, through the bank key service (whatever it returns: a
    token object with .key, the plain key, or (record, key))."""
    from lenders.services import tokens
    from yunfu_ipfund.accounts.models import User

    officer = User.objects.get(username=f"{PREFIX}bank_officer")
    issued = tokens.api_token_issue(by=officer)
    if isinstance(issued, tuple):
        issued = next(x for x in issued if isinstance(x, str))
    return getattr(issued, "key", issued)


# --- the pages --------------------------------------------------------------------------------------


def pages():
    """(label, role or None, path): every page of every role, then the bank API's lists."""
    from django.urls import reverse

    from lenders.models import CoveredLoan, LoanFiling
    from yunfu_ipfund.accounts.models import User

    officer = User.objects.get(username=f"{PREFIX}bank_officer")
    own_loan = CoveredLoan.objects.filter(bank_id=officer.organisation_id).order_by("pk").first()
    own_filing = LoanFiling.objects.filter(bank_id=officer.organisation_id).order_by("pk").first()
    r = reverse
    rows = [
        ("login page", None, r("accounts:login")),
        ("public home", None, "/"),
        ("public statistics", None, r("fund:statistics")),
        ("public bank list", None, r("lenders:public_banks")),
        ("public claim notices", None, r("compensation:public_list")),
    ]
    homes = {
        "enterprise_user": "enterprise",
        "bank_officer": "bank officer",
        "bank_supervisor": "bank supervisor",
        "bureau_clerk": "bureau clerk",
        "bureau_approver": "bureau approver",
        "finance": "finance",
        "administrator": "system administrator",
        "security_admin": "security administrator",
        "audit_admin": "audit administrator",
    }
    rows += [(f"home: {who}", role, r("accounts:home")) for role, who in homes.items()]
    rows += [
        (f"tasks: {who}", role, r("accounts:tasks")) for role, who in homes.items() if "admin" not in role
    ]
    rows += [
        ("enterprise: profile", "enterprise_user", r("applications:profile")),
        ("enterprise: IP assets", "enterprise_user", r("applications:asset_list")),
        ("enterprise: registrations", "enterprise_user", r("applications:registration_list")),
        ("enterprise: my loans", "enterprise_user", r("lenders:loan_list")),
        ("enterprise: notices", "enterprise_user", r("notices:list")),
        ("bank: incoming registrations", "bank_officer", r("applications:incoming")),
        ("bank: registrations to file", "bank_officer", r("lenders:registration_list")),
        ("bank: filing list", "bank_officer", r("lenders:filing_list")),
        ("bank: loan list", "bank_officer", r("lenders:loan_list")),
        ("bank: imports", "bank_officer", r("lenders:import_list")),
        ("bank: claims", "bank_officer", r("compensation:claim_list")),
        ("bank: inbox", "bank_officer", r("notices:inbox")),
        ("bank supervisor: filing list", "bank_supervisor", r("lenders:filing_list")),
        ("bureau: review queue", "bureau_clerk", r("lenders:review_queue")),
        ("bureau: filing list (all banks)", "bureau_clerk", r("lenders:filing_list")),
        ("bureau: loan list (all banks)", "bureau_clerk", r("lenders:loan_list")),
        ("bureau: non-performing loans", "bureau_clerk", r("lenders:loan_list") + "?status=non_performing"),
        ("bureau: bank list", "bureau_clerk", r("lenders:bank_list")),
        ("bureau: registrations", "bureau_clerk", r("applications:registration_list")),
        ("claims list, bureau, with queues", "bureau_clerk", r("compensation:claim_list")),
        ("bureau: payout queue", "bureau_clerk", r("compensation:queue")),
        ("bureau: notices", "bureau_clerk", r("notices:list")),
        ("approver: risk", "bureau_approver", r("fund:risk")),
        ("fund overview", "finance", r("fund:overview")),
        ("fund journal", "finance", r("fund:journal")),
        ("fund commitments", "finance", r("fund:commitment_list")),
        ("fund reconciliation", "finance", r("fund:period_list")),
        ("finance: loan list", "finance", r("lenders:loan_list")),
        ("finance: bank list", "finance", r("lenders:bank_list")),
        ("security: admin requests", "security_admin", r("accounts:admin_requests")),
        ("audit: events", "audit_admin", r("audit:events")),
    ]
    if own_loan:
        rows.append(("bank: loan detail", "bank_officer", r("lenders:loan_detail", args=[own_loan.pk])))
    if own_filing:
        rows.append(("bank: filing detail", "bank_officer", r("lenders:filing_detail", args=[own_filing.pk])))
    rows += [
        ("API GET /api/claims/", "api", "/api/claims/"),
        ("API GET /api/filings/", "api", "/api/filings/"),
        ("API GET /api/loans/", "api", "/api/loans/"),
    ]
    return rows


# --- serving and load -------------------------------------------------------------------------------


class Server:
    """gunicorn, 2 sync workers, serving `tree` with pagesite's settings on 127.0.0.1:port."""

    def __init__(self, tree, port, env):
        self.port = port
        env = dict(env, DJANGO_SETTINGS_MODULE="pagesite.settings", PYTHONPATH=f"{tree}:{BENCH}")
        self.log_path = Path(f"/tmp/pages_bench_gunicorn_{port}.log")
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--chdir",
                str(tree),
                "--log-level",
                "warning",
                "--timeout",
                "120",
                "yunfu_ipfund.wsgi:application",
            ],
            env=env,
            cwd=str(tree),  # gunicorn puts the directory it starts in on the path, before --chdir
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _, _ = request(port, "/__bench__/bare", {})
                if status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn for {tree} did not answer on port {port} (see {self.log_path})")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


def request(port, path, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        body = response.read()
        return response.status, response.getheader("X-Bench-Queries"), body
    finally:
        conn.close()


def load(port, path, headers, seconds, clients):
    """(requests completed, elapsed seconds, total request seconds) of `clients` threads for `seconds`."""
    done, spent = [0] * clients, [0.0] * clients
    stop_at = time.perf_counter() + seconds

    def client(i):
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            request(port, path, headers)
            spent[i] += time.perf_counter() - t
            done[i] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), time.perf_counter() - started, sum(spent)


def measure(port, path, headers, args):
    request(port, path, headers)  # warm-up (a cache filled, a worker's first import)
    request(port, "/__bench__/bare", headers)
    status, queries, body = request(port, path, headers)  # the page's status and queries, warm
    slice_ = args.seconds / args.rounds / 2
    bare = [0, 0.0]
    page = [0, 0.0, 0.0]
    for _ in range(args.rounds):
        n, elapsed, _ = load(port, "/__bench__/bare", headers, slice_, args.clients)
        bare[0] += n
        bare[1] += elapsed
        n, elapsed, spent = load(port, path, headers, slice_, args.clients)
        page[0] += n
        page[1] += elapsed
        page[2] += spent
    ratio = (page[0] / page[1]) / (bare[0] / bare[1])
    ms = 1000 * page[2] / max(page[0], 1)
    return {
        "status": status,
        "ratio": round(ratio, 3),
        "ms": round(ms, 1),
        "queries": int(queries) if queries else None,
        "bytes": len(body),
    }


def main():
    args = parse_args()
    sys.path[:0] = [args.tree, str(BENCH)]
    os.chdir(args.tree)  # Celery's app puts the current directory at the head of the path
    name = args.db or f"yf_bench_pages_{str(args.scale).replace('.', '_')}"
    if not name.startswith(("yf_bench", "bench")):
        sys.exit(f"refusing to use database {name!r}: the benchmark database name must start with yf_bench")
    env = dict(
        os.environ,
        DATABASE_URL=f"{BASE_URL}/{name}",
        TESTING="true",  # dev secret, plain static storage, API rates unthrottled; DEBUG stays off
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pagesite.settings"
    if not _database_exists(name):
        subprocess.run(["psql", f"{BASE_URL}/postgres", "-q", "-c", f'CREATE DATABASE "{name}"'], check=True)
    import django

    django.setup()
    if args.rebuild or not _dataset_ready():
        build(args, name)
    else:
        from django.core.management import call_command

        try:
            call_command("migrate", verbosity=0)  # the tree's newest migrations (served by both trees)
        except Exception as exc:  # noqa: BLE001 - a migration in the making: measure what is there
            print(f"  migrate failed ({exc}); measuring the database as it is", flush=True)
    cookies = sessions()
    key = bank_api_key()
    rows = pages()
    if args.only:
        rows = [row for row in rows if args.only in row[0]]
    from django.db import connection

    connection.close()
    trees = [("after", Path(args.tree))] + ([("before", Path(args.old))] if args.old else [])
    servers = {}
    try:
        for i, (tag, tree) in enumerate(trees):
            servers[tag] = Server(tree, args.port + i, env)
        api_header = _api_header(servers["after"].port, key)
        results = []
        for label, role, path in rows:
            if role == "api":
                headers = api_header
            elif role:
                headers = {"Cookie": f"sessionid={cookies[role]}"}
            else:
                headers = {}
            row = {"label": label, "path": path, "role": role or "public"}
            for tag in ("after", "before"):
                if tag in servers:
                    m = measure(servers[tag].port, path, headers, args)
                    row.update(m if tag == "after" else {f"before_{k}": v for k, v in m.items()})
            results.append(row)
            _print_row(row)
    finally:
        for server in servers.values():
            server.stop()
    if args.json:
        Path(args.json).write_text(
            json.dumps({"scale": args.scale, "pages": results}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    print()
    print(_table(results, bool(args.old)))


def _api_header(port, key):
    """The bank API's header for the key (Token or Api-Key, whichever the portal takes)."""
    for scheme in ("Token", "Api-Key", "Bearer"):
        headers = {"Authorization": f"{scheme} {key}"}
        if request(port, "/api/loans/", headers)[0] == 200:
            return headers
    sys.exit("the bank API refused the bench's key under every scheme tried")


def _print_row(row):
    before = f"  (before: {row['before_ms']} ms, ×{row['before_ratio']})" if "before_ms" in row else ""
    flag = "" if row["status"] == 200 else f"  [HTTP {row['status']}]"
    if row.get("before_status", 200) != 200:
        flag += f"  [before: HTTP {row['before_status']}]"
    print(
        f"  {row['label']:<40} {row['ms']:>8} ms  ×{row['ratio']:<6} {row['queries']} queries{flag}{before}",
        flush=True,
    )


def _table(results, with_before):
    if with_before:
        lines = [
            "| Page or call | role | before ms | before × bare | before queries "
            "| after ms | after × bare | after queries |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            lines.append(
                f"| {r['label']} | {r['role']} | {r['before_ms']} | {r['before_ratio']} "
                f"| {r['before_queries']} "
                f"| {r['ms']} | {r['ratio']} | {r['queries']} |"
            )
    else:
        lines = ["| Page or call | role | ms at load | × bare view | queries |", "|---|---|---:|---:|---:|"]
        for r in results:
            lines.append(f"| {r['label']} | {r['role']} | {r['ms']} | {r['ratio']} | {r['queries']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    socket.setdefaulttimeout(120)
    main()
