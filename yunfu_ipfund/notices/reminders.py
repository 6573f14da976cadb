"""Reminders: obligations with a deadline, each of a declared kind about one record.

An app declares its kinds as constants (`FILING_DEADLINE = reminder_kind("lenders.filing.deadline",
"备案报送期限")`, in `<app>/reminders.py` or beside its services) and schedules and resolves by kind
and record:

    reminder_schedule(kind=FILING_DEADLINE, about=filing, title=..., due_date=..., recipient_role=...)
    reminder_resolve(kind=FILING_DEADLINE, about=filing)
    reminder_resolve(about=filing)                       # every open reminder about the filing

Where one record has several reminders of a kind (one a recovery, one a year), a `discriminator`
tells them apart; `discriminator=None` in a query or a resolve means "any". The unique key is
derived, never written by hand: `<kind code>:<app_label.model>:<pk>[:<discriminator>]`.
"""

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.roles import SUPERVISOR_OF, Role
from yunfu_ipfund.audit.services import object_label
from yunfu_ipfund.common.codes import Code, Registry
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.workdays import add_workdays

from .models import Reminder


class ReminderKind(Code):
    pass


reminder_kind = Registry("reminder kind", ReminderKind)


def _subject(about):
    return (object_label(about), str(about.pk)) if about is not None else ("", "")


def _checked_kind(kind):
    if not isinstance(kind, ReminderKind):
        raise TypeError(f"a reminder kind from reminder_kind(code, label) is needed, not {kind!r}")
    return kind


def reminder_key(kind, about=None, discriminator=""):
    """The unique key of (kind, record, discriminator): 'lenders.filing.deadline:lenders.loanfiling:42'."""
    parts = [_checked_kind(kind).code]
    if about is not None:
        parts += list(_subject(about))
    if discriminator:
        parts.append(str(discriminator))
    return ":".join(parts)


def _matching(queryset, *, kind=None, about=None, discriminator=None):
    if kind is not None:
        queryset = queryset.filter(kind=_checked_kind(kind).code)
    if about is not None or kind is not None:
        subject_type, subject_id = _subject(about)
        queryset = queryset.filter(subject_type=subject_type, subject_id=subject_id)
    if discriminator is not None:
        queryset = queryset.filter(discriminator=str(discriminator))
    return queryset


def open_reminders(*, kind=None, about=None, discriminator=None):
    """Open reminders of `kind` (any kind when None) about `about`; `discriminator` None: any."""
    if kind is None and about is None:
        raise ValueError("kind or about")
    return _matching(
        Reminder.objects.filter(resolved_at__isnull=True), kind=kind, about=about, discriminator=discriminator
    )


def reminder_exists(*, kind, about=None, discriminator=""):
    """Whether this reminder was ever scheduled, open or resolved (for obligations raised only once)."""
    return Reminder.objects.filter(key=reminder_key(kind, about, discriminator)).exists()


@transaction.atomic
def reminder_schedule(
    *,
    kind,
    about=None,
    discriminator="",
    title,
    due_date,
    recipient_role,
    recipient_org=None,
    escalate_role=None,
    notify_workdays_before=(3, 1),
    body="",
    url="",
    action="",
    once=False,
):
    """Create (or refresh: same kind, record and discriminator) the reminder of one obligation.

    Idempotent: scheduling again never sends a reminder twice on a day it was already sent; a new due
    date re-arms escalation and action. With `once`, a reminder scheduled before (even if resolved
    since) is left as it is and returned: an alert raised once, not re-armed every day.
    """
    key = reminder_key(kind, about, discriminator)
    kind_code, discriminator = kind.code, str(discriminator or "")
    existing = Reminder.objects.filter(key=key).first()
    if once and existing is not None:
        return existing
    notify = sorted({add_workdays(due_date, -n) for n in notify_workdays_before} | {due_date})
    today = local_today()
    last_sent = existing.last_sent_on if existing else None
    upcoming = [d for d in notify if d >= today and (last_sent is None or d > last_sent)]
    subject_type, subject_id = _subject(about)
    if escalate_role is None:
        escalate_role = SUPERVISOR_OF.get(recipient_role, "")
    defaults = {
        "kind": kind_code,
        "discriminator": discriminator,
        "title": title,
        "body": body,
        "url": url,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "due_date": due_date,
        "provisional": getattr(due_date, "provisional", False),
        **_counted(due_date, notify_workdays_before),
        "notify_dates": [d.isoformat() for d in notify],
        "next_notify_on": upcoming[0] if upcoming else (today if last_sent is None else None),
        "recipient_org": recipient_org,
        "recipient_role": recipient_role,
        "escalate_role": escalate_role,
        "action": action,
        "resolved_at": None,
    }
    if existing and existing.due_date != due_date:
        defaults.update(escalated_at=None, action_done_at=None, last_error="")
    reminder, _created = Reminder.objects.update_or_create(key=key, defaults=defaults)
    return reminder


def _counted(due_date, notify_workdays_before):
    """The columns that let a due date counted in working days be counted again (WorkDate.origin)."""
    origin = getattr(due_date, "origin", None)
    return {
        "due_counted_from": origin[0] if origin else None,
        "due_workdays": origin[1] if origin else None,
        "notify_workdays_before": sorted({int(n) for n in notify_workdays_before}),
    }


@transaction.atomic
def reminder_redate(reminder, due_date):
    """Move an open reminder to `due_date` (counted again after a change of the holiday table), with its
    notify dates counted again from its `notify_workdays_before`; escalation and action are re-armed as
    by a new due date in reminder_schedule. Returns the reminder (saved)."""
    notify = sorted({add_workdays(due_date, -n) for n in reminder.notify_workdays_before} | {due_date})
    today = local_today()
    upcoming = [
        d for d in notify if d >= today and (reminder.last_sent_on is None or d > reminder.last_sent_on)
    ]
    reminder.due_date = due_date
    reminder.provisional = getattr(due_date, "provisional", False)
    reminder.notify_dates = [d.isoformat() for d in notify]
    reminder.next_notify_on = upcoming[0] if upcoming else (today if reminder.last_sent_on is None else None)
    reminder.escalated_at = reminder.action_done_at = None
    reminder.last_error = ""
    reminder.save(
        update_fields=[
            "due_date",
            "provisional",
            "notify_dates",
            "next_notify_on",
            "escalated_at",
            "action_done_at",
            "last_error",
        ]
    )
    return reminder


def reminder_resolve(*, kind=None, about=None, discriminator=""):
    """The obligation was met: stop reminding. Returns how many open reminders were resolved.

    `kind` + `about` (+ `discriminator`; None: every discriminator): that obligation; `about` alone:
    every open reminder about the record, of any kind.
    """
    qs = Reminder.objects.filter(resolved_at__isnull=True)
    if kind is not None:
        qs = _matching(qs, kind=kind, about=about, discriminator=discriminator)
    elif about is not None:
        qs = _matching(qs, about=about)
    else:
        raise ValueError("kind or about")
    return qs.update(resolved_at=timezone.now(), next_notify_on=None)


def alert_administrators(*, kind, title, body, about=None, discriminator="", due_date=None, url=""):
    """A system alert to every administrator, raised once per (kind, record, discriminator)."""
    return reminder_schedule(
        kind=kind,
        about=about,
        discriminator=discriminator,
        title=title,
        body=body,
        due_date=due_date or local_today(),
        recipient_role=Role.ADMINISTRATOR,
        notify_workdays_before=(),
        url=url,
        once=True,
    )


__all__ = [
    "ReminderKind",
    "reminder_kind",
    "reminder_key",
    "reminder_schedule",
    "reminder_resolve",
    "reminder_redate",
    "open_reminders",
    "reminder_exists",
    "alert_administrators",
]
