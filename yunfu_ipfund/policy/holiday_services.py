"""Changes of the holiday table and of the IP type table, audited, and what follows a change of the
holiday table: every open reminder whose due date was counted in working days over the changed period
is counted again (notices.reminders.reminder_redate), the move is audited, and its people are told.

The admin saves through these (policy.admin); they are re-exported by policy.services.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from yunfu_ipfund.accounts.selectors import users_with_role, users_with_role_anywhere
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.articles import ARTICLE_2, ARTICLE_17, implements
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.memo import memo_clear
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.notices.reminders import reminder_redate
from yunfu_ipfund.notices.services import notify_users

from .actions import (
    HOLIDAY_DAY_CREATE,
    HOLIDAY_DAY_DELETE,
    HOLIDAY_DAY_UPDATE,
    HOLIDAY_YEAR_CREATE,
    HOLIDAY_YEAR_DELETE,
    IP_TYPE_CREATE,
    IP_TYPE_UPDATE,
    REMINDER_RECOUNT,
)
from .models import HolidayDay, HolidayYear, IPTypeEntry

# Art 2 names what IP pledge financing is; these are not it, whatever family a row would claim.
ART_2_EXCLUDED = {
    "copyright": "著作权",
    "software_copyright": "软件著作权",
    "plant_variety": "植物新品种",
    "trade_secret": "商业秘密",
}
MSG_IP_TYPE_EXCLUDED = (
    "“{name}”不能登记为知识产权类型：《管理办法》第二条规定，知识产权质押融资仅指以专利权、商标专用权、"
    "地理标志出质的贷款，著作权、软件著作权、植物新品种、商业秘密不在范围内。"
)
MSG_DEADLINE_MOVED_TITLE = "期限调整：{title}"
MSG_DEADLINE_MOVED_BODY = (
    "因节假日表调整（{change}），该事项自 {start} 起 {n} 个工作日的截止日由 {old} 改为 {new}。"
)

# Sent for each reminder moved by a change of the holiday table (reminder=, old_due=, new_due=), so an app
# that keeps the same due date on its own record (a filing's review deadline) can follow: policy knows no
# app (a call that would point up the layers is an event the lower layer publishes).
reminder_redated = Signal()


def follow_due_fields(model, *fields):
    """An app whose record keeps the same due date as its reminder (a filing's review deadline, a claim's
    payment deadline) declares which fields: when a change of the holiday table moves the reminder, the
    record's field that held the old date moves with it, so the page and the to-do never disagree."""
    label = f"{model._meta.app_label}.{model._meta.model_name}"

    def follow(sender, *, reminder, old_due, new_due, **kwargs):
        if reminder.subject_type != label or not reminder.subject_id:
            return
        records = model._default_manager.filter(pk=reminder.subject_id)
        for field in fields:
            records.filter(**{field: old_due}).update(**{field: new_due})

    reminder_redated.connect(follow, weak=False, dispatch_uid=f"follow-due-{label}")


post_save.connect(memo_clear, sender=IPTypeEntry, dispatch_uid="memo_clear_save_IPTypeEntry")
post_delete.connect(memo_clear, sender=IPTypeEntry, dispatch_uid="memo_clear_delete_IPTypeEntry")


def _clean(obj, what):
    try:
        obj.full_clean()
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise ValidationFailed(f"{what}有误：" + "；".join(messages)) from None


# --- recounting the reminders after a change of the holiday table -------------------------------


def _counted_over(start, end):
    """Open reminders counted in working days whose counted span touches [start, end]: counted forward
    over a day in (counted from, due], or back over a day in [due, counted from)."""
    forward = Q(due_workdays__gt=0, due_counted_from__lt=end, due_date__gte=start)
    back = Q(due_workdays__lt=0, due_counted_from__gt=start, due_date__lte=end)
    return (
        Reminder.objects.select_for_update()
        .filter(resolved_at__isnull=True, due_counted_from__isnull=False, due_workdays__isnull=False)
        .filter(forward | back)
        .order_by("id")
    )


def _people(reminder):
    if not reminder.recipient_role:
        return []
    if reminder.recipient_org_id:
        return list(users_with_role(reminder.recipient_org, reminder.recipient_role))
    return list(users_with_role_anywhere(reminder.recipient_role))


@implements(ARTICLE_17)
def reminders_recount(*, by, start, end, change):
    """Count again every open reminder counted over [start, end] (`change` says what changed, in
    Chinese, for the audit and the message). Returns the reminders moved, each audited, and tells each
    one's people in their inbox."""
    moved = []
    for reminder in _counted_over(start, end):
        due = add_workdays(reminder.due_counted_from, reminder.due_workdays)
        old, was_provisional = reminder.due_date, reminder.provisional
        if due == old and due.provisional == was_provisional:
            continue
        reminder_redate(reminder, due)
        audit_record(
            by=by,
            action=REMINDER_RECOUNT,
            obj=reminder,
            reason=change,
            data={
                "from": str(old),
                "to": str(due.plain()),
                "counted_from": str(reminder.due_counted_from),
                "workdays": reminder.due_workdays,
                "provisional": due.provisional,
            },
        )
        if due != old:
            notify_users(
                _people(reminder),
                title=MSG_DEADLINE_MOVED_TITLE.format(title=reminder.title)[:200],
                body=MSG_DEADLINE_MOVED_BODY.format(
                    change=change, start=reminder.due_counted_from, n=reminder.due_workdays, old=old, new=due
                ),
                url=reminder.url,
            )
        reminder_redated.send(sender=Reminder, reminder=reminder, old_due=old, new_due=due)
        moved.append(reminder)
    return moved


def _recount_days(by, days, change):
    days = sorted(set(days))
    moved = []
    for day in days:
        moved += [r for r in reminders_recount(by=by, start=day, end=day, change=change) if r not in moved]
    return moved


# --- the holiday table ---------------------------------------------------------------------------


def _day_change(day, verb):
    return f"{verb} {day.date:%Y-%m-%d} {day.get_kind_display()}{(' ' + day.name) if day.name else ''}"


@transaction.atomic
def holiday_day_save(*, by, date, kind, name="", day=None):
    """Add a day to the holiday table (`day` None) or change one; the reminders counted over the old
    and the new date are counted again. Returns the day, with `moved_reminders`."""
    if day is not None:
        locked = HolidayDay.objects.select_for_update().get(pk=day.pk)
        before = {"date": str(locked.date), "kind": locked.kind, "name": locked.name}
        old_date = locked.date
    else:
        locked, before, old_date = HolidayDay(), None, None
    locked.date, locked.kind, locked.name = date, kind, name or ""
    _clean(locked, "节假日")
    locked.save()
    after = {"date": str(locked.date), "kind": locked.kind, "name": locked.name}
    audit_record(
        by=by,
        action=HOLIDAY_DAY_UPDATE if before else HOLIDAY_DAY_CREATE,
        obj=locked,
        data={"before": before, **after} if before else after,
    )
    change = _day_change(locked, "修改为" if before else "新增")
    locked.moved_reminders = _recount_days(by, {locked.date} | ({old_date} if old_date else set()), change)
    return locked


@transaction.atomic
def holiday_day_delete(*, by, day):
    """Remove a day from the holiday table; the reminders counted over it are counted again."""
    locked = HolidayDay.objects.select_for_update().get(pk=day.pk)
    change = _day_change(locked, "删除")
    audit_record(by=by, action=HOLIDAY_DAY_DELETE, obj=locked, data={"date": str(locked.date)})
    date = locked.date
    locked.delete()
    return _recount_days(by, {date}, change)


@transaction.atomic
def holiday_year_save(*, by, year, source, entry=None):
    """Declare a year entered completely (or correct its source); the deadlines in that year are no
    longer provisional and are counted again."""
    locked = HolidayYear.objects.select_for_update().get(pk=entry.pk) if entry else HolidayYear()
    locked.year, locked.source = year, source
    _clean(locked, "节假日年度")
    locked.save()
    audit_record(by=by, action=HOLIDAY_YEAR_CREATE, obj=locked, data={"year": locked.year, "source": source})
    locked.moved_reminders = reminders_recount(
        by=by,
        start=dt.date(locked.year, 1, 1),
        end=dt.date(locked.year, 12, 31),
        change=f"登记{locked.year}年度",
    )
    return locked


@transaction.atomic
def holiday_year_delete(*, by, entry):
    locked = HolidayYear.objects.select_for_update().get(pk=entry.pk)
    audit_record(by=by, action=HOLIDAY_YEAR_DELETE, obj=locked, data={"year": locked.year})
    year = locked.year
    locked.delete()
    return reminders_recount(
        by=by, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), change=f"删除{year}年度登记"
    )


# --- the IP type table (Art 2) --------------------------------------------------------------------


@implements(ARTICLE_2)
@transaction.atomic
def ip_type_save(*, by, code, name, family, sort=100, active=True, entry=None, reason=""):
    """Add an IP type to the table (a new Measures lists it in its version) or change one. The code of a
    type is fixed once saved: records store it."""
    if entry is not None:
        locked = IPTypeEntry.objects.select_for_update().get(pk=entry.pk)
        before = {
            "code": locked.code,
            "name": locked.name,
            "family": locked.family,
            "sort": locked.sort,
            "active": locked.active,
        }
        if code != locked.code:
            raise ValidationFailed(
                "知识产权类型的代码保存后不能修改（已登记的知识产权和政策版本引用该代码）。",
                code="ip_type_code_fixed",
            )
    else:
        locked, before = IPTypeEntry(), None
    if code in ART_2_EXCLUDED or any(label in (name or "") for label in ART_2_EXCLUDED.values()):
        raise ValidationFailed(MSG_IP_TYPE_EXCLUDED.format(name=name or code), code="ip_type_excluded")
    locked.code, locked.name, locked.family, locked.sort, locked.active = code, name, family, sort, active
    _clean(locked, "知识产权类型")
    locked.save()
    after = {
        "code": locked.code,
        "name": locked.name,
        "family": locked.family,
        "sort": locked.sort,
        "active": locked.active,
    }
    audit_record(
        by=by,
        action=IP_TYPE_UPDATE if before else IP_TYPE_CREATE,
        obj=locked,
        reason=reason,
        data={"before": before, "after": after} if before else after,
    )
    return locked
