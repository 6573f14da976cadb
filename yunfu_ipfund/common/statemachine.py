"""One helper for every workflow move: lock the row, check the transition table, stamp, audit.

A model with a workflow declares `status` (a TextChoices field) and `TRANSITIONS`, a dict from each
state to the states it may move to. Services call `transition(...)`; nothing else writes a status.
"""

from django.db import transaction

from .errors import MSG_WRONG_STATE, Conflict, DomainError


def lock(model, pk):
    """Re-read the row under SELECT ... FOR UPDATE (a no-op lock on SQLite, whose writes are serialised)."""
    return model.objects.select_for_update().get(pk=pk)


def can_move(obj, to_state):
    return to_state in obj.TRANSITIONS.get(obj.status, ())


@transaction.atomic
def transition(obj, to_state, *, by, action, reason="", check=None, conflict_if=(), data=None, **stamps):
    """Move `obj` to `to_state`. Returns (locked_obj, moved: bool).

    - Re-reads the row under a lock so two people acting at once are serialised.
    - Already in `to_state`: a no-op (moved=False), so a retried request does nothing twice.
    - A state in `conflict_if` means someone else already took it elsewhere: Conflict (409).
    - `check(locked_obj)` runs the rules of the Measures under the lock; it raises DomainError to refuse.
    - `stamps` are set on the object (e.g. submitted_by=user, submitted_at=now).
    """
    from yunfu_ipfund.audit.services import audit_record

    locked = lock(type(obj), obj.pk)
    if locked.status == to_state:
        return locked, False
    labels = dict(type(locked)._meta.get_field("status").choices)
    if not can_move(locked, to_state):
        error = Conflict if locked.status in conflict_if else DomainError
        raise error(MSG_WRONG_STATE.format(current=labels.get(locked.status, locked.status), action=action), code="wrong_state")
    if check is not None:
        check(locked)
    from_state = locked.status
    locked.status = to_state
    for field, value in stamps.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(
        by=by, action=action, obj=locked, from_state=from_state, to_state=to_state, reason=reason, data=data
    )
    return locked, True
