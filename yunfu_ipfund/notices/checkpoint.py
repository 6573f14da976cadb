"""The daily checkpoint of the audit chain (issue 12, item 2): the head of the chain (date, last id,
last hash, count) anchored outside the database's reach, every morning, by the daily checks:

- appended as one JSON line to settings.AUDIT_ANCHOR_DIR (audit.anchors; `verify_audit_chain` compares
  the chain with every line), and
- issued as a signed notice (审计日志每日检查点, kind `audit_checkpoint`) to the bureau, copied to
  finance: a sealed PDF that leaves the database with the mail, so even the file store can be checked.

It lives in notices (above audit in .importlinter): it reads the chain's head from audit and issues a
notice. The daily check is registered by notices.checks.
"""

from dataclasses import dataclass, field

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.audit.anchors import append_anchor, chain_head, checkpoint_day
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.articles import ARTICLE_5, implements
from yunfu_ipfund.common.dates import today as local_today

from .kinds import NoticeKind, Table, body_date, register

AUDIT_CHECKPOINT = "audit_checkpoint"


@dataclass(frozen=True)
class CheckpointContext:
    """The day's head of the audit chain, every figure formatted (the hash in groups of eight)."""

    paragraphs: list[str]
    table: Table
    closing: list[str] = field(default_factory=list)


KIND = register(
    NoticeKind(
        code=AUDIT_CHECKPOINT,
        title="审计日志每日检查点",
        prefix="云市监知审",
        context=CheckpointContext,
    )
)


def grouped_hash(value):
    """A 64-digit hash as eight hyphenated groups of eight (readable, and wrapped only at a hyphen)."""
    return "-".join(value[i : i + 8] for i in range(0, len(value), 8)) if value else "（无）"


def checkpoint_context(checkpoint):
    day = checkpoint_day(checkpoint)
    return CheckpointContext(
        paragraphs=[
            f"截至{body_date(day)}，平台审计日志共 {checkpoint.count} 条记录。本检查点留存备查，"
            "用于日后核验审计日志未被删除或改写。审计日志哈希链的最新状态如下：",
        ],
        table=Table(
            head=["项目", "内容"],
            rows=[
                ["检查日期", body_date(day)],
                ["记录总数", f"{checkpoint.count} 条"],
                ["最新事件编号", f"#{checkpoint.last_id}" if checkpoint.last_id else "（无）"],
                ["最新事件哈希", grouped_hash(checkpoint.last_hash)],
            ],
        ),
        closing=["请妥善留存本检查点。审计日志校验结果与本检查点不一致的，应立即报告。"],
    )


@implements(ARTICLE_5)
def write_daily_checkpoint(today=None):
    """Append today's checkpoint to the anchor file and issue it as a notice (once a day, when the
    bureau's organisation exists). Returns the checkpoint."""
    from .models import Notice
    from .services import notice_issue

    today = today or local_today()
    checkpoint = chain_head(today)
    append_anchor(checkpoint)
    bureau = Organisation.objects.filter(kind=Organisation.Kind.BUREAU).order_by("pk").first()
    if bureau is None or checkpoint.last_id is None:
        return checkpoint
    if Notice.objects.filter(kind=AUDIT_CHECKPOINT, issued_at__date=today).exists():
        return checkpoint
    notice_issue(
        kind=AUDIT_CHECKPOINT,
        subject=AuditEvent.objects.get(pk=checkpoint.last_id),
        addressee=bureau,
        copied_to=list(Organisation.objects.filter(kind=Organisation.Kind.FINANCE)),
        context=checkpoint_context(checkpoint),
        by=None,
    )
    return checkpoint
