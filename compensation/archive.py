"""A claim's case archive (案卷, issue 10 item 6): its notices and those of its public notice batch,
recoveries and clawback; every evidence file ever uploaded for it (replaced ones too) and the recovery
and clawback evidence; the audit trail of the claim and those records; the stored computations; and the
signed manifest (lenders.archive, docs/adr/0009-case-archive.md). Bureau and finance users only: the
view checks that before calling `claim_archive`, which records the download in the audit log."""

from django.db import transaction

from lenders.archive import Archive, audit_download, dumps, html_table, notices_of
from lenders.archive import archive_filename as zip_name
from yunfu_ipfund.notices import pdf as notice_pdf

from . import actions
from .models import Recovery

COMPUTATION_TITLE = "补偿金额计算"
RECOVERY_TITLE = "追偿返还金额计算"
NO_COMPUTATION = "尚无补偿金额计算（申请尚未复审）。"


def related_records(claim):
    """The claim and the records hanging off it, whose notices and audit events the archive holds."""
    records = [claim]
    if claim.batch_id:
        records.append(claim.batch)
    records.extend(
        claim.recoveries.exclude(status=Recovery.Status.DRAFT).order_by("id")
    )  # drafts: the bank's
    clawback = getattr(claim, "clawback", None)
    if clawback is not None:
        records.append(clawback)
    return records


def _steps_rows(computation):
    return [
        [
            ("", s.get("label", "")),
            ("", s.get("formula", "")),
            ("", s.get("amount", "")),
            ("", s.get("article", "")),
        ]
        for s in computation.get("steps", [])
    ]


def _computation_pdf(claim, recoveries):
    lead = [f"补偿申请 {claim.reference}"]
    rows = _steps_rows(claim.computation or {})
    if not claim.computation:
        lead.append(NO_COMPUTATION)
    elif claim.approved_amount is not None:
        lead.append(f"补偿金额：{notice_pdf.format_money(claim.approved_amount)} 元")
    for recovery in recoveries:
        if recovery.computation:
            rows.append([("", f"{RECOVERY_TITLE}（追偿报告 #{recovery.pk}）"), ("", ""), ("", ""), ("", "")])
            rows.extend(_steps_rows(recovery.computation))
    html = html_table(COMPUTATION_TITLE, ["项目", "计算方法", "金额（元）", "依据"], rows, lead=lead)
    return notice_pdf.render_pdf_bytes(html)


def _record(claim):
    return {
        "type": "compensation.claim",
        "id": claim.pk,
        "reference": claim.reference,
        "status": claim.status,
        "status_label": claim.get_status_display(),
        "bank": claim.bank.name,
        "enterprise": claim.covered_loan.enterprise.name,
        "contract_number": claim.covered_loan.contract_number,
        "unrecovered_principal": str(claim.unrecovered_principal),
        "approved_amount": None if claim.approved_amount is None else str(claim.approved_amount),
        "paid_amount": None if claim.paid_amount is None else str(claim.paid_amount),
        "close_reason": claim.close_reason,
        "closed_at": claim.closed_at.isoformat() if claim.closed_at else None,
    }


def build_claim_archive(*, claim, by):
    """The archive of `claim` (an `Archive`, finished: `.file` is the ZIP). The caller checked access."""
    archive = Archive(record=claim, by=by, summary=f"补偿申请 {claim.reference} 的案卷")
    records = related_records(claim)
    recoveries = [r for r in records if r._meta.model_name == "recovery"]
    archive.add_bytes("record.json", dumps(_record(claim)), title="申请概况")
    archive.add_notices(notices_of(records, by))
    for item in claim.evidence.filter(not_applicable=False).exclude(file="").order_by("id"):
        archive.add_upload("evidence", item, item.file, title=str(item), name=item.get_kind_display())
    for record in records[1:]:
        if getattr(record, "evidence", None) and record._meta.model_name in ("recovery", "clawback"):
            title = f"{record._meta.verbose_name} #{record.pk} 证明材料"
            archive.add_upload("evidence", record, record.evidence, title=title, name=title)
    computation = {
        "claim": claim.computation or None,
        "recoveries": [{"id": r.pk, "computation": r.computation or None} for r in recoveries],
    }
    archive.add_bytes("computation/computation.json", dumps(computation), title=COMPUTATION_TITLE)
    archive.add_bytes(
        "computation/computation.pdf", _computation_pdf(claim, recoveries), title=COMPUTATION_TITLE
    )
    archive.add_audit(records)
    archive.finish()
    return archive


def claim_archive(*, by, claim):
    """Build the claim's archive and record the download (with the signed manifest's hash)."""
    archive = build_claim_archive(claim=claim, by=by)
    with transaction.atomic():
        audit_download(by=by, obj=claim, archive=archive, action=actions.CLAIM_ARCHIVE)
    return archive


def archive_filename(claim):
    return zip_name(claim.reference)
