"""Render and sign time, and size, of every official notice kind (not a test). One command:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yf_bench_notices .venv/bin/python bench/notices_bench.py

(DATABASE_URL defaults to that; the database is dropped and re-created, so it must be a throwaway
one whose name starts with yf_bench, never the portal's.) Options: --repeat N (timed runs per measure,
default 15), --json OUT (write the numbers), --reuse (keep an already seeded database).

It migrates a fresh database, writes a demo CA (`notices.signing.make_demo_ca`) into a temporary
directory and points the signing settings at it (NOTICE_SIGNING_PKCS12, NOTICE_SIGNING_PASSWORD,
NOTICE_TRUST_ROOTS, set before django.setup()), runs `manage.py seed_demo` (which issues notices of
many kinds through the real services, with MEDIA_ROOT in the temporary directory), takes the first
notice of every registered kind, and times for each kind, separately: the render
(`pdf.render_pdf_bytes(pdf.notice_html(notice))`), the seal (`signing.seal(data)` of that render) and
both together, as the render task does. A kind that seed_demo does not issue is reported as missing.
Baseline, in the same run and rendered the same way: a blank one-paragraph page in the notices' body
font, and one with a paragraph in each of the three faces the notices use (serif, serif bold, mono).
Sizes: the rendered PDF, the signed PDF, and the bytes of the embedded font programs in the render.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yf_bench_notices"
GOAL_MS = 500

BASELINE_ONE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 16pt; line-height: 28.9pt; }
</style></head><body><p>云浮市市场监督管理局。</p></body></html>"""

BASELINE_FACES = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 16pt; line-height: 28.9pt; }
.b { font-weight: 700; } .mono { font-family: "Noto Sans Mono CJK SC", "Noto Sans CJK SC", monospace; }
</style></head><body><p>云浮市市场监督管理局。</p><p class="b">云浮市市场监督管理局</p>
<p class="mono">ABCDEFGH23</p></body></html>"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", metavar="OUT", help="write the numbers as JSON to OUT")
    parser.add_argument("--reuse", action="store_true", help="skip migrate and seed_demo (database kept)")
    return parser.parse_args()


def uptime():
    env = {**os.environ, "TZ": "UTC"}  # django.setup() sets TZ to the portal's zone
    return subprocess.run(["uptime"], capture_output=True, text=True, env=env).stdout.strip()


def setup_environment(tmp):
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("TESTING", "true")  # dev secret, plain static storage; DEBUG stays off
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yunfu_ipfund.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per task run while seeding
    os.environ.pop("REDIS_URL", None)  # the render task runs in-process while seeding
    os.environ["VAR_DIR"] = str(tmp / "var")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    if not name.startswith(("yf_bench", "bench")):
        sys.exit(f"refusing to drop database {name!r}: the benchmark database name must start with yf_bench")
    # the signing module only needs django.conf lazily: the CA is made before django.setup()
    from yunfu_ipfund.notices.signing import DEMO_PASSWORD, make_demo_ca

    root, p12 = make_demo_ca(tmp / "ca")
    os.environ["NOTICE_SIGNING_PKCS12"] = str(p12)
    os.environ["NOTICE_SIGNING_PASSWORD"] = DEMO_PASSWORD
    os.environ["NOTICE_TRUST_ROOTS"] = str(root)
    return name


def recreate_database(name):
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    admin = f"{url}/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True)


def font_programs(data):
    """{font name: bytes as stored (compressed)} of the font programs (FontFile, FontFile2, FontFile3)
    a PDF embeds."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    seen, sizes = set(), {}

    def deref(value):
        return value.get_object() if hasattr(value, "get_object") else value

    def descriptor_files(font):
        fonts = [font]
        if "/DescendantFonts" in font:
            fonts += [deref(f) for f in deref(font["/DescendantFonts"])]
        for f in fonts:
            desc = f.get("/FontDescriptor")
            if desc is None:
                continue
            desc = deref(desc)
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in desc:
                    yield str(desc.get("/FontName", "?")).lstrip("/"), desc.raw_get(key)

    def walk_pages(node):
        node = deref(node)
        if node["/Type"] == "/Pages":
            for kid in node["/Kids"]:
                yield from walk_pages(kid)
        else:
            yield node

    for page in walk_pages(reader.root["/Pages"]):
        resources = deref(page.get("/Resources", {}))
        fonts = deref(resources.get("/Font", {}))
        for key in list(fonts.keys()):
            for name, ref in descriptor_files(deref(fonts.raw_get(key))):
                ident = getattr(ref, "reference", None) or id(ref)
                if ident in seen:
                    continue
                seen.add(ident)
                sizes[name] = sizes.get(name, 0) + len(deref(ref).encoded_data)
    return sizes


def font_kb(data):
    return round(sum(font_programs(data).values()) / 1024, 1)


def timed(fn, repeat):
    fn()  # warm-up (fonts, templates, pyhanko imports)
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p90 = samples[min(len(samples) - 1, round(0.9 * (len(samples) - 1)))]
    return {"median_ms": round(statistics.median(samples), 1), "p90_ms": round(p90, 1)}


def pdf_pages(data):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])


def issue_sample(code):
    """A notice of a kind seed_demo does not issue: issued through `notice_issue` with the context its
    builder makes from the realistic facts of the render test (tests/platform/test_notice_kinds_render.py,
    SAMPLES), to the first bank, copied to the finance bureau, as that test does (its subject is the
    finance bureau: see `sample_filter`)."""
    from django.test.utils import override_settings

    from tests.platform.test_notice_kinds_render import SAMPLES
    from yunfu_ipfund.accounts.models import Organisation
    from yunfu_ipfund.notices.services import notice_issue

    if code not in SAMPLES:
        return None
    bank = Organisation.objects.filter(kind="bank").order_by("pk").first()
    finance = Organisation.objects.filter(kind="finance").first()
    # the notice notifies the bank's users by e-mail, as a real one does: keep that off the console
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return notice_issue(
            kind=code, subject=finance, addressee=bank, context=SAMPLES[code](), by=None, copied_to=[finance]
        )


def sample_filter():
    """What marks the notices `issue_sample` issued (about the finance bureau, by no one), so that a
    --reuse run does not count them as seeded."""
    from django.db.models import Q

    from yunfu_ipfund.accounts.models import Organisation

    finance = Organisation.objects.filter(kind="finance").first()
    pk = str(finance.pk) if finance else ""
    return Q(subject_type="accounts.organisation", subject_id=pk, issued_by__isnull=True)


def measure(args):
    from yunfu_ipfund.notices import pdf, signing
    from yunfu_ipfund.notices.kinds import KINDS
    from yunfu_ipfund.notices.models import Notice

    assert signing.signing_configured(), "the demo CA is not configured"
    results = {"baseline": {}, "kinds": {}, "missing": []}
    for label, html in (("one paragraph, body font", BASELINE_ONE), ("three faces", BASELINE_FACES)):
        data = pdf.render_pdf_bytes(html)
        entry = timed(lambda html=html: pdf.render_pdf_bytes(html), args.repeat)
        entry.update(kb=round(len(data) / 1024, 1), font_kb=font_kb(data))
        results["baseline"][label] = entry
        print(f"  baseline {label}: {entry}", flush=True)
    for code, kind in sorted(KINDS.items()):
        if code.startswith("platform_test"):
            continue
        seeded = Notice.objects.filter(kind=code).exclude(sample_filter())
        notice = seeded.select_related("addressee").order_by("pk").first()
        source = "seed_demo"
        if notice is None:
            results["missing"].append(f"{code} ({kind.title})")
            notice = issue_sample(code)
            source = "sample"
        if notice is None:
            continue
        data = pdf.render_pdf_bytes(pdf.notice_html(notice))
        signed = signing.seal(data)
        assert signed != data and signing.verify_pdf(signed).valid, f"{code}: the seal is not valid"
        render = timed(lambda n=notice: pdf.render_pdf_bytes(pdf.notice_html(n)), args.repeat)
        sign = timed(lambda d=data: signing.seal(d), args.repeat)
        both = timed(lambda n=notice: signing.seal(pdf.render_pdf_bytes(pdf.notice_html(n))), args.repeat)
        entry = {
            "title": kind.title,
            "number": notice.number,
            "pages": pdf_pages(data),
            "render": render,
            "sign": sign,
            "render_sign": both,
            "kb": round(len(data) / 1024, 1),
            "signed_kb": round(len(signed) / 1024, 1),
            "font_kb": font_kb(data),
            "fonts_kb": {n: round(b / 1024, 1) for n, b in sorted(font_programs(data).items())},
            "source": source,
        }
        results["kinds"][code] = entry
        print(f"  {code}: {entry}", flush=True)
    return results


ARCHIVE_EVIDENCE_FILES = 30
ARCHIVE_EVIDENCE_KB = 200  # a scanned page or two per material


def measure_archive(args):
    """The case archive (`compensation.archive.build_claim_archive`: every notice, evidence file and
    audit event, the computation as PDF and JSON, the signed manifest) of the demo's closed claim, its
    evidence topped up to ARCHIVE_EVIDENCE_FILES files of ARCHIVE_EVIDENCE_KB each (rows written here:
    the bench's data, not the portal's)."""
    import hashlib

    from django.core.files.base import ContentFile

    from compensation.archive import build_claim_archive
    from compensation.evidence import REQUIRED_EVIDENCE
    from compensation.models import Claim, ClaimEvidence
    from yunfu_ipfund.accounts.models import User

    claim = Claim.objects.filter(status=Claim.Status.CLOSED).order_by("pk").first()
    approver = User.objects.get(username="shijianju_sh")
    if claim is None:
        return None
    officer = claim.evidence.order_by("pk").first().uploaded_by
    kinds = list(REQUIRED_EVIDENCE)
    have = claim.evidence.filter(not_applicable=False).exclude(file="").count()
    for i in range(have, ARCHIVE_EVIDENCE_FILES):
        data = b"%PDF-1.4\n% bench scan " + str(i).encode() + b"\n" + os.urandom(ARCHIVE_EVIDENCE_KB * 1024)
        item = ClaimEvidence(
            claim=claim,
            kind=kinds[i % len(kinds)],
            content_type="application/pdf",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            original_name=f"scan-{i}.pdf",
            uploaded_by=officer,
        )
        item.file.save("upload", ContentFile(data), save=False)
        item.save()
    files = claim.evidence.filter(not_applicable=False).exclude(file="").count()
    archive = build_claim_archive(claim=claim, by=approver)
    entry = timed(lambda: build_claim_archive(claim=claim, by=approver), max(3, args.repeat // 3))
    entry.update(
        claim=claim.reference,
        evidence_files=files,
        zip_kb=round(archive.file.seek(0, os.SEEK_END) / 1024, 1),
    )
    print(f"  archive: {entry}", flush=True)
    return entry


def report(args, results, before, after):
    base = results["baseline"]["one paragraph, body font"]
    lines = [
        "| Kind | Pages | Render median / p90 (ms) | Sign median / p90 (ms) "
        "| Render + sign median / p90 (ms) | PDF (KB) | Signed (KB) | Fonts (KB) | × blank page |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, b in results["baseline"].items():
        lines.append(
            f"| baseline: blank page, {label} | 1 | {b['median_ms']:.0f} / {b['p90_ms']:.0f} | — | — "
            f"| {b['kb']:.0f} | — | {b['font_kb']:.0f} | {b['kb'] / base['kb']:.1f} |"
        )
    over_time, over_size = [], []
    for code, k in results["kinds"].items():
        r, s, rs = k["render"], k["sign"], k["render_sign"]
        mark = "" if k["source"] == "seed_demo" else " †"
        lines.append(
            f"| {k['title']} (`{code}`){mark} | {k['pages']} | {r['median_ms']:.0f} / {r['p90_ms']:.0f} "
            f"| {s['median_ms']:.0f} / {s['p90_ms']:.0f} | **{rs['median_ms']:.0f}** / {rs['p90_ms']:.0f} "
            f"| {k['kb']:.0f} | {k['signed_kb']:.0f} | {k['font_kb']:.0f} | {k['kb'] / base['kb']:.1f} |"
        )
        if rs["median_ms"] > GOAL_MS:
            over_time.append(code)
        if k["kb"] > 2 * base["kb"]:
            over_size.append(code)
    header = (
        f"Median and p90 of {args.repeat} runs after one warm-up run; load average at the start: "
        f"`{before}`; at the end: `{after}`."
    )
    faces = {}
    for k in results["kinds"].values():
        for name, kb in k["fonts_kb"].items():
            faces.setdefault(name.split("+", 1)[-1], []).append(kb)
    per_face = "; ".join(f"{face} {min(kbs):.0f}–{max(kbs):.0f} KB" for face, kbs in sorted(faces.items()))
    notes = [
        f"Embedded font programs per face, over the kinds: {per_face or 'none'}.",
        f"Kinds over {GOAL_MS} ms (median render + sign): {', '.join(over_time) or 'none'}.",
        f"Kinds over twice the blank page's size: {', '.join(over_size) or 'none'}.",
        f"† registered kinds that seed_demo did not issue (issued here from the render test's SAMPLES): "
        f"{', '.join(results['missing']) or 'none'}.",
    ]
    archive = results.get("archive")
    if archive:
        lines += [
            "",
            f"| Archive package for a claim with {archive['evidence_files']} evidence files | "
            "Median / p90 (ms) | ZIP (KB) |",
            "|---|---:|---:|",
            f"| `build_claim_archive` of {archive['claim']} | {archive['median_ms']:.0f} / "
            f"{archive['p90_ms']:.0f} | {archive['zip_kb'] or '—'} |",
        ]
    return header, "\n".join(lines), notes


def main():
    args = parse_args()
    before = uptime()
    print(before, flush=True)
    with tempfile.TemporaryDirectory(prefix="yf-bench-notices-") as tmpdir:
        tmp = Path(tmpdir)
        name = setup_environment(tmp)
        if not args.reuse:
            recreate_database(name)
        import django

        django.setup()
        from django.core.management import call_command

        if not args.reuse:
            t0 = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"  migrated in {time.perf_counter() - t0:.1f} s", flush=True)
            t0 = time.perf_counter()
            call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
            print(f"  seed_demo in {time.perf_counter() - t0:.1f} s", flush=True)
        results = measure(args)
        results["archive"] = measure_archive(args)
    after = uptime()
    print(after, flush=True)
    header, table, notes = report(args, results, before, after)
    results.update(repeat=args.repeat, uptime_start=before, uptime_end=after)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print()
    print(header)
    print()
    print(table)
    print()
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
