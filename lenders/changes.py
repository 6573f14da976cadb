"""Four eyes by last change (issue 11 item 5): who changed a bank record's content or its evidence, when,
and what, and the rule that the person who submits or countersigns did not change it since it was
prepared.

The bank officer prepares a record (a filing, a claim, a recovery report); the supervisor, another
person, countersigns or submits it. Who *created* the record is not enough: a supervisor who replaced
a piece of evidence or raised an amount and then submitted would have moved money on their own. So
every change of a record's content or evidence is a row (`RecordChange`: who, when, which fields, old
→ new), and a submission or countersignature is refused (403, `four_eyes_changed`) while the person
making it has changed the record since it was last prepared. The officer then reviews the changes and
prepares the record again (a row of kind PREPARE, which also makes them its preparer); after that the
supervisor may submit. The rows are also the record page's "修改记录".

The concrete tables live beside their records (`lenders.FilingChange`, `compensation.ClaimChange`);
the rule and the wording are here, once.
"""

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from yunfu_ipfund.audit.actions import audit_action
from yunfu_ipfund.common.errors import DomainError, Forbidden
from yunfu_ipfund.common.money import format_money

MSG_CHANGED_SINCE_PREPARED = (
    "四眼原则：{who}于 {when} {what}，在经办人复查并重新确认经办之前，修改人不能{move}。"
    "请经办人复查上述修改后确认经办，再由复核人员{move}。"
)
MSG_NOTHING_TO_REVIEW = "{record}自经办以来没有被他人修改，无需重新确认经办。"
MSG_OWN_CHANGES = "四眼原则：{record}中有您本人所作的修改（{what}），须由另一名经办人复查后确认经办。"
VALUE_LIMIT = 200
_UNIT = re.compile(r"（(元|%)）$")  # 未收回本金（元） → 未收回本金

# The officer's re-preparation after someone else changed a filing (the compensation records' codes are
# in compensation.changes).
FILING_PREPARE_AGAIN = audit_action("lenders.loanfiling.prepare_again", "复查修改后重新确认经办（备案）")


class ChangeKind(models.TextChoices):
    CONTENT = "content", "修改内容"
    EVIDENCE = "evidence", "更换材料"
    PREPARE = "prepare", "复查后确认经办"


class RecordChange(models.Model):
    """One change of a bank record (abstract: each record's table names its record)."""

    kind = models.CharField("类型", max_length=10, choices=ChangeKind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField("修改时间", default=timezone.now)
    # [{"field": name, "label": 中文名, "from": text, "to": text}] (amounts as 1,000.00)
    fields = models.JSONField("修改内容", default=list, blank=True)
    summary = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.changed_by} {self.get_kind_display()} {self.describe()}"

    def describe(self):
        """What changed, in one phrase: 将未收回本金由 150,000.00 改为 160,000.00；更换材料“借款合同”."""
        parts = [
            f"将{f['label']}由 {f['from'] or '（空）'} 改为 {f['to'] or '（空）'}"
            if "from" in f
            else f"修改{f['label']}"
            for f in self.fields
        ]
        if self.summary:
            parts.append(self.summary)
        return "；".join(parts) or self.get_kind_display()


def as_text(value):
    """A field's value as the change record shows it: amounts with thousands separators, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):  # an amount (two places) with separators, a rate as it is
        return format_money(value) if value.as_tuple().exponent == -2 else str(value.normalize())
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def labels_of(model, names):
    """{field name: its verbose name} for `names` of `model`, in that order (the change rows' labels)."""
    return {name: _UNIT.sub("", str(model._meta.get_field(name).verbose_name)) for name in names}


def field_changes(before, after, labels):
    """The fields of `labels` (name → 中文名, in display order) whose value differs between the dicts."""
    return [
        {"field": name, "label": label, "from": as_text(before.get(name)), "to": as_text(after.get(name))}
        for name, label in labels.items()
        if name in after and before.get(name) != after.get(name)
    ]


def record(changes, *, by, kind, fields=(), summary="", **record_fk):
    """Append one change row to `changes` (a RecordChange subclass's manager or model) for the record
    named in `record_fk`; nothing is written for a content change that changed nothing."""
    if kind == ChangeKind.CONTENT and not fields and not summary:
        return None
    return changes.objects.create(
        kind=kind, changed_by=by, fields=list(fields), summary=summary[:300], **record_fk
    )


def unreviewed_by(changes, user):
    """`user`'s changes (content or evidence) made after the record was last prepared, oldest first."""
    rows = list(changes.order_by("id"))
    last_prepare = max((r.pk for r in rows if r.kind == ChangeKind.PREPARE), default=0)
    return [
        r for r in rows if r.pk > last_prepare and r.kind != ChangeKind.PREPARE and r.changed_by_id == user.pk
    ]


def has_unreviewed_changes(changes, *, preparer_id):
    """Whether someone other than the preparer changed the record (content or evidence) since it was
    last prepared: what the officer is asked to review before preparing it again."""
    last = changes.filter(kind=ChangeKind.PREPARE).order_by("-id").values_list("id", flat=True).first()
    rest = changes.exclude(kind=ChangeKind.PREPARE).exclude(changed_by_id=preparer_id)
    return (rest.filter(id__gt=last) if last else rest).exists()


def prepare_again_refusal(changes, user, *, preparer_id, record):
    """Why `user` may not prepare the record again now (a DomainError), or None: there must be someone
    else's change to review, and a person never reviews their own change. `record`: 该备案, 该补偿申请…"""
    if not has_unreviewed_changes(changes, preparer_id=preparer_id):
        return DomainError(MSG_NOTHING_TO_REVIEW.format(record=record), code="nothing_to_review")
    mine = [] if user.pk == preparer_id else unreviewed_by(changes, user)  # the preparer's own are theirs
    if mine:
        return Forbidden(
            MSG_OWN_CHANGES.format(record=record, what="；".join(r.describe() for r in mine)),
            code="four_eyes_own_change",
        )
    return None


def refuse_if_changed_since_prepared(changes, user, *, move):
    """The four-eyes rule by last change: Forbidden (four_eyes_changed) when `user` changed the record
    since it was last prepared, naming who, when and what. `changes`: the record's change rows."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    mine = unreviewed_by(changes, user)
    if not mine:
        return
    name = getattr(user, "display_name", None) or user.get_full_name() or user.get_username()
    first, last = mine[0], mine[-1]
    when = timezone.localtime(first.changed_at).strftime("%Y-%m-%d %H:%M")
    if last is not first:
        when = f"{when} 至 {timezone.localtime(last.changed_at).strftime('%Y-%m-%d %H:%M')}"
    raise Forbidden(
        MSG_CHANGED_SINCE_PREPARED.format(
            who=name, when=when, what="；".join(r.describe() for r in mine), move=move
        ),
        code="four_eyes_changed",
        details=[
            {
                "changed_by": name,
                "changed_at": timezone.localtime(r.changed_at).isoformat(),
                "kind": r.kind,
                "message": r.describe(),
            }
            for r in mine
        ],
    )
