"""The Measures in force, and the only way to change them.

- `policy_in_force(day)`: the version that applies on `day`, or a clear error.
- `policy_version_create` / `policy_version_update`: audited; versions stay contiguous (no overlap,
  no gap); a version that has already judged a record is frozen (`policy_mark_used`).
- `lpr_in_force(day)` and `rate_cap(day, policy)`: the interest-rate ceiling of Art 8-11.
- the holiday table's and the IP type table's writes (policy.holiday_services): a change of the holiday
  table counts again the open reminders it moves, audits each and tells their people.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.articles import ARTICLE_23, ARTICLE_24, implements
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.memo import memo_clear, memoized
from yunfu_ipfund.notices.reminders import alert_administrators, reminder_schedule

from .actions import LPR_CREATE, LPR_UPDATE, POLICY_VERSION_CREATE, POLICY_VERSION_UPDATE
from .holiday_services import (  # noqa: F401  (the holiday and IP type tables' writes, re-exported)
    holiday_day_delete,
    holiday_day_save,
    holiday_year_delete,
    holiday_year_save,
    ip_type_save,
    reminders_recount,
)
from .models import LprRate, PolicyVersion
from .reminders import POLICY_EXPIRY, POLICY_MISSING

MSG_NO_POLICY = "{day} 不在任何一版《管理办法》的施行期内（现有版本覆盖 {start} 至 {end}），无法按办法审核。"
MSG_NO_POLICY_AT_ALL = "系统中尚未录入任何一版《管理办法》。"
MSG_OVERLAP = "新版本的施行期与“{other}”重叠。"
MSG_GAP = "新版本须紧接上一版本：上一版本止于 {end}，新版本应自 {expected} 起施行。"
MSG_FROZEN = (
    "该版本已于 {at} 用于审核业务，不能再修改其参数。如需调整，请将本版本的失效日期改为今日或以后的某一天，"
    "再发布自次日起施行的新版本。"
)
MSG_END_IN_PAST = (
    "已用于审核业务的版本，失效日期不能早于今日（{today}）：此前已按本版本审核的业务不能改变依据。"
)
MSG_NO_LPR = "{day} 之前没有公布的1年期LPR，无法计算利率上限。"
MSG_LPR_FROZEN = (
    "该LPR报价已用于审核业务，不能修改：已据此作出的审核不能改变依据。如确属录入错误，请报市监局审核人员，"
    "由其对受影响的备案逐笔复核。"
)

# Fields an edit may never change on a version that has judged a record (everything but the prose).
PROSE_FIELDS = {"title", "document_number", "issuing_body", "legal_basis"}


def _all_versions():
    return list(PolicyVersion.objects.order_by("effective_from"))


@implements(ARTICLE_23)
def policy_in_force(day):
    """The version whose effective period contains `day` (a date, or a datetime taken in local time).

    The versions are a handful of rows: they are read in one query, once per request (common.memo;
    cleared when a version is saved or deleted), and on every call outside a request."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    versions = memoized("policy.versions", _all_versions)
    version = next((v for v in versions if v.effective_from <= day <= v.effective_to), None)
    if version is None:
        if not versions:
            raise DomainError(MSG_NO_POLICY_AT_ALL, code="no_policy")
        raise DomainError(
            MSG_NO_POLICY.format(day=day, start=versions[0].effective_from, end=versions[-1].effective_to),
            code="no_policy",
        )
    return version


# A version saved or deleted in a request is seen by the rest of that request.
post_save.connect(memo_clear, sender=PolicyVersion, dispatch_uid="memo_clear_save_PolicyVersion")
post_delete.connect(memo_clear, sender=PolicyVersion, dispatch_uid="memo_clear_delete_PolicyVersion")


def policy_mark_used(version):
    """Freeze a version: called by a service the first time the version judges a record."""
    if version.first_used_at is None:
        PolicyVersion.objects.filter(pk=version.pk, first_used_at__isnull=True).update(
            first_used_at=timezone.now()
        )
        version.refresh_from_db(fields=["first_used_at"])


def _check_contiguity(version):
    others = PolicyVersion.objects.exclude(pk=version.pk)
    overlap = others.filter(
        effective_from__lte=version.effective_to, effective_to__gte=version.effective_from
    ).first()
    if overlap:
        raise ValidationFailed(MSG_OVERLAP.format(other=overlap), code="policy_overlap")
    before = others.filter(effective_to__lt=version.effective_from).order_by("-effective_to").first()
    if before and before.effective_to + dt.timedelta(days=1) != version.effective_from:
        raise ValidationFailed(
            MSG_GAP.format(end=before.effective_to, expected=before.effective_to + dt.timedelta(days=1)),
            code="policy_gap",
        )
    after = others.filter(effective_from__gt=version.effective_to).order_by("effective_from").first()
    if after and version.effective_to + dt.timedelta(days=1) != after.effective_from:
        raise ValidationFailed(
            f"本版本须止于下一版本施行前一日（{after.effective_from - dt.timedelta(days=1)}）。",
            code="policy_gap",
        )


def _full_clean(version):
    try:
        version.full_clean()
    except ValidationError as exc:
        details = [{"field": f, "message": "；".join(m)} for f, m in exc.message_dict.items()]
        raise ValidationFailed(
            "政策参数有误：" + "；".join(d["message"] for d in details), details=details
        ) from None


def _snapshot(version):
    return {f.name: getattr(version, f.name) for f in PolicyVersion._meta.concrete_fields if f.name != "id"}


@transaction.atomic
def policy_version_create(*, by, reason, **fields):
    version = PolicyVersion(**fields)
    _full_clean(version)
    PolicyVersion.objects.select_for_update().all().exists()  # serialise version edits
    _check_contiguity(version)
    version.save()
    audit_record(by=by, action=POLICY_VERSION_CREATE, obj=version, reason=reason, data=_snapshot(version))
    return version


@transaction.atomic
def policy_version_update(*, by, version, reason, **changes):
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    before = _snapshot(locked)
    for field, value in changes.items():
        setattr(locked, field, value)
    changed = {k for k, v in _snapshot(locked).items() if v != before[k]}
    if not changed:
        return locked
    if locked.first_used_at:
        if changed - PROSE_FIELDS - {"effective_to"}:
            raise DomainError(
                MSG_FROZEN.format(at=f"{timezone.localtime(locked.first_used_at):%Y-%m-%d}"),
                code="policy_frozen",
            )
        # Every record this version judged is dated today or earlier, so ending it today or later
        # (to make room for a new version) changes nothing that was already decided.
        today = timezone.localdate()
        if "effective_to" in changed and locked.effective_to < today:
            raise DomainError(MSG_END_IN_PAST.format(today=today), code="policy_end_in_past")
    _full_clean(locked)
    _check_contiguity(locked)
    locked.save()
    audit_record(
        by=by,
        action=POLICY_VERSION_UPDATE,
        obj=locked,
        reason=reason,
        data={k: {"from": before[k], "to": getattr(locked, k)} for k in sorted(changed)},
    )
    return locked


def lpr_in_force(day):
    rate = LprRate.objects.filter(effective_date__lte=day).order_by("-effective_date").first()
    if rate is None:
        raise DomainError(MSG_NO_LPR.format(day=day), code="no_lpr")
    return rate


def rate_cap(day, policy):
    """Annual rate ceiling in percent: the 1-year LPR in force on `day` plus the policy's margin."""
    lpr = lpr_in_force(day)
    return lpr, lpr.one_year_rate + Decimal(policy.rate_margin_bp) / Decimal(100)


def lpr_mark_used(rate):
    if rate.first_used_at is None:
        LprRate.objects.filter(pk=rate.pk, first_used_at__isnull=True).update(first_used_at=timezone.now())


@transaction.atomic
def lpr_save(*, by, effective_date, one_year_rate, reason, rate=None):
    """Add an LPR quotation, or correct one that has not judged anything yet."""
    if rate is not None:
        rate = LprRate.objects.select_for_update().get(pk=rate.pk)
        if rate.first_used_at:
            raise DomainError(MSG_LPR_FROZEN, code="lpr_frozen")
        before = {"date": str(rate.effective_date), "rate": str(rate.one_year_rate)}
        rate.effective_date, rate.one_year_rate = effective_date, one_year_rate
    else:
        rate, before = LprRate(effective_date=effective_date, one_year_rate=one_year_rate), None
    try:
        rate.full_clean()
    except ValidationError as exc:
        raise ValidationFailed("LPR数据有误：" + "；".join(sum(exc.message_dict.values(), []))) from None
    rate.save()
    audit_record(
        by=by,
        action=LPR_UPDATE if before else LPR_CREATE,
        obj=rate,
        reason=reason,
        data={"before": before, "after": {"date": str(rate.effective_date), "rate": str(rate.one_year_rate)}},
    )
    return rate


EXPIRY_WARNINGS_DAYS = (30, 90, 180)


@implements(ARTICLE_23, ARTICLE_24)
def check_policy_expiry(today):
    """Daily: reminders 180, 90 and 30 days before the version in force expires while no later version
    exists (each threshold once, to the administrators and the bureau's approvers); an alert when no
    version is in force today. Returns the threshold reached, or None."""
    try:
        current = policy_in_force(today)
    except DomainError:
        alert_administrators(
            kind=POLICY_MISSING,
            discriminator=f"{today:%Y%m%d}",
            title="今日不在任何一版《管理办法》的施行期内",
            body="新的业务将无法按办法审核。请尽快发布新版本。",
            url=reverse("admin:policy_policyversion_changelist"),
        )
        return None
    if PolicyVersion.objects.filter(effective_from__gt=current.effective_to).exists():
        return None
    days_left = (current.effective_to - today).days
    threshold = next((t for t in EXPIRY_WARNINGS_DAYS if days_left <= t), None)
    if threshold is None:
        return None
    for role in (Role.ADMINISTRATOR, Role.BUREAU_APPROVER):
        reminder_schedule(
            kind=POLICY_EXPIRY,
            about=current,
            discriminator=f"{threshold}-{role}",
            once=True,
            due_date=current.effective_to,
            recipient_role=role,
            notify_workdays_before=(),
            escalate_role="",
            title=f"《{current.title}》将于 {current.effective_to} 失效（剩 {days_left} 天），尚无后续版本",
            body="请起草并发布新版《管理办法》，并在系统中录入新版本的参数。",
        )
    return threshold
