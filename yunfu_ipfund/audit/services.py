"""Writing to the audit log. Called by services inside their own transaction."""

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone

from yunfu_ipfund.common.middleware import client_ip, current_request

from .actions import AuditAction
from .models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 770_101  # serialises appends so the chain never forks


def object_label(obj):
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _canonical(event):
    payload = {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "organisation": event.organisation_id_at_time,
        "action": event.action,
        **({"code": event.code} if event.code else {}),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "from": event.from_state,
        "to": event.to_state,
        "reason": event.reason,
        "ip": event.ip,
        "data": event.data,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(prev_hash, event):
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


@transaction.atomic
def audit_record(*, by, action: AuditAction, obj, from_state="", to_state="", reason="", data=None):
    """Append one event about `obj` (a model instance). `by` is a user, or None for the system.
    `action` is an AuditAction (code and label), declared by the app that records it."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit_record needs an AuditAction, not {action!r}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    request = current_request.get()
    actor = by if (by is not None and getattr(by, "is_authenticated", False)) else None
    org = getattr(actor, "organisation", None) if actor else None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_name=(actor.display_name if actor else "系统"),
        organisation_name=(org.name if org else ""),
        organisation_id_at_time=(org.pk if org else None),
        code=action.code,
        action=action.label,
        object_type=object_label(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        ip=client_ip(request),
        data=json.loads(json.dumps(data or {}, ensure_ascii=False, default=str)),
        prev_hash=previous,
    )
    event.hash = compute_hash(previous, event)
    event.save(force_insert=True)
    return event


def verify_chain(batch_size=5000):
    """Walk the chain; returns (checked_count, list of problems). A problem names the first broken row."""
    problems = []
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        checked += 1
        if event.prev_hash != previous:
            problems.append(f"事件 #{event.id}：前序哈希不符（其前一条记录被删除或篡改）。")
        elif compute_hash(event.prev_hash, event) != event.hash:
            problems.append(f"事件 #{event.id}：内容与哈希不符（该记录被篡改）。")
        previous = event.hash
        if problems:
            break
    return checked, problems
