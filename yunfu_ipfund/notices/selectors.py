from django.db.models import Q

from yunfu_ipfund.accounts.roles import user_roles
from yunfu_ipfund.accounts.selectors import sees_everything
from yunfu_ipfund.audit.services import object_label
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import NotFound

from .models import Message, Notice, Reminder


def unread_count(user):
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_context(user):
    """What every page shows of the user's inbox (registered with accounts' context processor)."""
    return {"unread_count": unread_count(user)}


def notices_visible_to(user):
    qs = Notice.objects.select_related("addressee")
    if sees_everything(user):
        return qs
    if not (user.is_authenticated and user.organisation_id):
        return qs.none()
    return qs.filter(Q(addressee_id=user.organisation_id) | Q(copied_to__id=user.organisation_id)).distinct()


def access_notice(user, pk):
    try:
        return notices_visible_to(user).get(pk=pk)
    except (Notice.DoesNotExist, ValueError):
        raise NotFound() from None


def notices_about(obj, user):
    return notices_visible_to(user).filter(subject_type=object_label(obj), subject_id=str(obj.pk))


def reminders_for(user):
    roles = user_roles(user)
    if not roles:
        return Reminder.objects.none()
    org_match = Q(recipient_org__isnull=True)
    if user.organisation_id:
        org_match |= Q(recipient_org_id=user.organisation_id)
    return Reminder.objects.filter(org_match, resolved_at__isnull=True, recipient_role__in=roles)


def reminder_tasks(user):
    today = local_today()
    return [
        {
            "title": r.title,
            "url": r.url,
            "due": r.due_date,
            "kind": "提醒",
            "overdue": r.due_date < today,
            "provisional": r.provisional,
        }
        for r in reminders_for(user).order_by("due_date")[:100]
    ]
