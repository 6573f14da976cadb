"""Case archives (案卷, issue 10 item 6): one ZIP per record for the bureau's files.

`Archive` writes the package: the notices' stored PDFs, the uploaded files, the audit trail and the
computation as JSON and as PDF, and `manifest.json` listing every file with its SHA-256, size and
source; `manifest.pdf` prints the same list and is sealed with the bureau's certificate
(notices.signing), so the list and through it every file is tamper-evident (docs/adr/0009-case-archive.md).
File contents are copied in chunks into a spooled temporary file: one stored file at a time, in memory
only while the package is small. `filing_archive` builds a filing's; compensation.archive a claim's.
"""

import datetime as dt
import hashlib
import json
import re
import tempfile
import zipfile

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import audit_record, compute_hash, object_label
from yunfu_ipfund.notices import pdf as notice_pdf
from yunfu_ipfund.notices import signing
from yunfu_ipfund.notices.selectors import notices_about

from . import actions

FORMAT = "yunfu-case-archive/1"
CHUNK = 64 * 1024
SPOOL_MAX = 16 * 1024 * 1024
GENERATED = "generated"

MANIFEST_TITLE = "案卷文件清单"
AUDIT_TITLE = "操作记录（审计轨迹）"
SIGNED_NOTE = "本清单 PDF 已由市场监督管理局电子印章签名，可在本平台“文书验证”页面核验。"
UNSIGNED_NOTE = "未配置签名证书，本清单未签名（仅开发和测试环境可能出现）。"
HASH_MISMATCH = "文件的 SHA-256 与上传时记录的不一致"
NOT_RENDERED = "文书文件尚未生成"
NO_EVENTS = "暂无操作记录"

AUDIT_FIELDS = [
    "id",
    "at",
    "actor_id",
    "actor_name",
    "organisation_name",
    "organisation_id_at_time",
    "code",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "from_state",
    "to_state",
    "reason",
    "ip",
    "data",
    "prev_hash",
    "hash",
]

PDF_STYLE = (
    "@page { size: A4 landscape; margin: 15mm; }"
    ' html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10pt; }'
    " h1 { font-size: 16pt; text-align: center; } table { width: 100%; border-collapse: collapse; }"
    " th, td { border: 0.5pt solid #000; padding: 2pt 4pt; vertical-align: top; word-break: break-all; }"
    ' .mono { font-family: "Noto Sans Mono CJK SC", "Noto Sans CJK SC", monospace; font-size: 8pt; }'
)

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(text):
    """A file name from `text` (a notice number, an original name): no path separators or controls."""
    return _UNSAFE.sub("_", str(text)).strip(" .") or "_"


def dumps(value):
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def html_table(title, header, rows, *, lead=()):
    """A small printable page: a title, lines of text and a table, every value escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="{cls}">{escape(v)}</td>' for cls, v in row) + "</tr>" for row in rows
    )
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lead)
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{PDF_STYLE}</style></head><body><h1>{escape(title)}</h1>{paragraphs}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def audit_rows(records):
    """The audit events about `records` (model instances), oldest first, every field as JSON; each
    event's own hash is recomputed (`hash_verified`)."""
    by_type = {}
    for record in records:
        by_type.setdefault(object_label(record), set()).add(str(record.pk))
    events = AuditEvent.objects.none()
    for object_type, ids in by_type.items():
        events = events | AuditEvent.objects.filter(object_type=object_type, object_id__in=ids)
    rows = []
    for event in events.order_by("id"):
        row = {name: getattr(event, name) for name in AUDIT_FIELDS}
        row["at"] = event.at.isoformat()
        row["hash_verified"] = compute_hash(event.prev_hash, event) == event.hash
        rows.append(row)
    return rows


def notices_of(records, user):
    found = None
    for record in records:
        qs = notices_about(record, user)
        found = qs if found is None else found | qs
    return found.order_by("issued_at", "id").distinct()


class Archive:
    """One package being written. `add_bytes` / `add_file` add a file and its manifest entry;
    `finish()` writes the manifests and returns the spooled ZIP (positioned at its start)."""

    def __init__(self, *, record, by, summary):
        self.record, self.by, self.summary = record, by, summary
        self.created_at = timezone.now()
        self.entries, self.missing = [], []
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)
        self.zip = zipfile.ZipFile(self.file, "w", compression=zipfile.ZIP_DEFLATED)
        self.manifest_sha256 = ""
        self.signed = False

    def _entry(self, path, digest, size, source, title, **extra):
        self.entries.append(
            {"path": path, "sha256": digest, "size": size, "source": source, "title": title, **extra}
        )

    def add_bytes(self, path, data, *, title, source=GENERATED):
        self.zip.writestr(path, data)
        self._entry(path, hashlib.sha256(data).hexdigest(), len(data), source, title)

    def add_file(self, path, field_file, *, title, source, stored_sha256=""):
        """Copy a stored file into the package chunk by chunk, hashing what was copied."""
        digest, size = hashlib.sha256(), 0
        with field_file.open("rb") as src, self.zip.open(path, "w", force_zip64=True) as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        extra = {}
        if stored_sha256 and stored_sha256 != digest.hexdigest():
            extra = {"stored_sha256": stored_sha256, "problem": HASH_MISMATCH}
        self._entry(path, digest.hexdigest(), size, source, title, **extra)

    def add_upload(self, folder, obj, field_file, *, title, name=""):
        """An uploaded file of `obj` (with its stored `sha256`) under `folder/`."""
        ext = field_file.name.rsplit(".", 1)[-1] if "." in field_file.name else "bin"
        path = f"{folder}/{obj.pk:06d}-{safe_name(name or title)}.{safe_name(ext)}"
        source = {"model": object_label(obj), "pk": obj.pk}
        self.add_file(path, field_file, title=title, source=source, stored_sha256=getattr(obj, "sha256", ""))

    def add_notices(self, notices):
        listing = []
        for notice in notices:
            item = {
                "id": notice.pk,
                "number": notice.number,
                "title": notice.title,
                "kind": notice.kind,
                "issued_at": notice.issued_at.isoformat(),
                "addressee": notice.addressee.name,
                "sha256": notice.sha256,
                "render_status": notice.render_status,
            }
            if notice.pdf:
                item["path"] = f"notices/{notice.pk:06d}-{safe_name(notice.number)}.pdf"
                self.add_file(
                    item["path"],
                    notice.pdf,
                    title=f"{notice.title}（{notice.number}）",
                    source={"model": "notices.notice", "pk": notice.pk},
                    stored_sha256=notice.sha256,
                )
            else:
                self.missing.append({"number": notice.number, "title": notice.title, "why": NOT_RENDERED})
            listing.append(item)
        self.add_bytes("notices/notices.json", dumps(listing), title="文书目录")

    def add_audit(self, records):
        rows = audit_rows(records)
        labels = {}  # object type -> state code -> its Chinese label (the PDF prints no codes)
        for record in records:
            status = getattr(type(record), "Status", None)
            labels[object_label(record)] = dict(status.choices) if status is not None else {}

        def state(r):
            named = labels.get(r["object_type"], {})
            return " → ".join(named.get(s, s) for s in (r["from_state"], r["to_state"]) if s)

        self.add_bytes("audit/audit.json", dumps(rows), title=AUDIT_TITLE)
        table = [
            [
                ("", str(r["id"])),
                ("", f"{timezone.localtime(dt.datetime.fromisoformat(r['at'])):%Y-%m-%d %H:%M:%S}"),
                ("", r["actor_name"] + (f"（{r['organisation_name']}）" if r["organisation_name"] else "")),
                ("", r["action"]),
                ("", r["object_repr"]),
                ("", state(r)),
                ("", r["reason"]),
                ("mono", r["hash"]),
            ]
            for r in rows
        ]
        html = html_table(
            AUDIT_TITLE,
            ["序号", "时间", "操作人", "操作", "对象", "状态", "理由", "哈希"],
            table,
            lead=[self.summary] + ([NO_EVENTS] if not rows else []),
        )
        self.add_bytes("audit/audit.pdf", notice_pdf.render_pdf_bytes(html), title=AUDIT_TITLE)

    def manifest(self):
        by = self.by
        org = getattr(by, "organisation", None)
        return {
            "format": FORMAT,
            "record": {"type": object_label(self.record), "id": self.record.pk, "summary": self.summary},
            "created_at": self.created_at.isoformat(),
            "created_by": {
                "id": by.pk,
                "name": by.display_name,
                "organisation": org.name if org else "",
            },
            "files": self.entries,
            "missing": self.missing,
        }

    def _manifest_pdf(self):
        rows = [
            [("", e["path"]), ("mono", e["sha256"]), ("", str(e["size"])), ("", _source(e["source"]))]
            for e in self.entries
        ]
        by = self.by
        lead = [
            self.summary,
            f"生成时间：{timezone.localtime(self.created_at):%Y-%m-%d %H:%M:%S}；生成人：{by.display_name}",
            f"共 {len(self.entries)} 个文件。",
            *[f"缺少：{m['title']}（{m['number']}）：{m['why']}" for m in self.missing],
        ]
        html = html_table(MANIFEST_TITLE, ["文件", "SHA-256", "字节数", "来源"], rows, lead=lead)
        return notice_pdf.render_pdf_bytes(html)

    def finish(self):
        """Write manifest.pdf (sealed) and manifest.json; close the ZIP; return the spooled file."""
        self.signed = signing.signing_configured()
        data = signing.seal(self._manifest_pdf())
        self.zip.writestr("manifest.pdf", data)
        self.manifest_sha256 = hashlib.sha256(data).hexdigest()
        manifest = self.manifest()
        manifest["signature"] = {
            "file": "manifest.pdf",
            "sha256": self.manifest_sha256,
            "size": len(data),
            "signed": self.signed,
            "note": SIGNED_NOTE if self.signed else UNSIGNED_NOTE,
        }
        self.zip.writestr("manifest.json", dumps(manifest))
        self.zip.close()
        self.file.seek(0)
        return self.file


def _source(source):
    if source == GENERATED:
        return "平台生成"
    return f"{source['model']} #{source['pk']}"


def filing_records(filing):
    """The filing and, once confirmed, its covered loan: whose notices and audit events it holds."""
    loan = getattr(filing, "covered_loan", None)
    return [filing] if loan is None else [filing, loan]


def build_filing_archive(*, filing, by):
    """The archive of one loan filing (finished): its and its covered loan's notices and audit trail, and
    its uploaded documents. The caller checked access."""
    archive = Archive(record=filing, by=by, summary=f"贷款备案 {filing.contract_number} 的案卷")
    records = filing_records(filing)
    record = {
        "type": object_label(filing),
        "id": filing.pk,
        "contract_number": filing.contract_number,
        "bank": filing.bank.name,
        "status": filing.status,
        "status_label": filing.get_status_display(),
    }
    archive.add_bytes("record.json", dumps(record), title="备案概况")
    archive.add_notices(notices_of(records, by))
    for doc in filing.documents.order_by("id"):
        archive.add_upload("documents", doc, doc.file, title=str(doc), name=doc.get_kind_display())
    archive.add_audit(records)
    archive.finish()
    return archive


def audit_download(*, by, obj, archive, action):
    """Record an archive's download, with the signed manifest's hash (in the caller's transaction)."""
    audit_record(
        by=by,
        action=action,
        obj=obj,
        data={
            "manifest_sha256": archive.manifest_sha256,
            "files": len(archive.entries),
            "signed": archive.signed,
            "created_at": archive.created_at.isoformat(),
        },
    )


def filing_archive(*, by, filing):
    """Build the filing's archive and record the download."""
    archive = build_filing_archive(filing=filing, by=by)
    with transaction.atomic():
        audit_download(by=by, obj=filing, archive=archive, action=actions.FILING_ARCHIVE)
    return archive


def archive_filename(reference):
    return f"{safe_name(reference)}-案卷-{timezone.localdate():%Y%m%d}.zip"
