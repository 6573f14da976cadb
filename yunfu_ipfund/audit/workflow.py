"""The one transition contract: every workflow move of every model, declared once, made one way.

A model with a workflow declares `WORKFLOW = Workflow(Move(...), ...)` beside its `Status` choices.
Each `Move` names the states it leaves from, the state it reaches, its Chinese label (the button and
the audit event), the permission a person needs, what a repeat does, and guards (rules that depend on
the object and the person, e.g. four eyes). Then:

- services call `transition(obj, "move_name", by=user, ...)`: it locks the row, checks permission,
  source state, guards and the service's own rule check under the lock, stamps who/when, saves and
  appends the audit event in the same transaction. Nothing else writes a status.
- views call `available_moves(obj, user)` and render one button per move; they never restate a
  service's preconditions, because the guards that refuse the move are the guards that hide the button.

Repeats, the same way everywhere:
- the object is already in the move's target state: `NOOP` moves answer (locked, False), so a retried
  request does nothing twice; `CONFLICT` moves raise `Conflict` (409): somebody already made that
  decision, and a second person making it again must look first;
- the object is in some other state the move does not leave from: `Conflict` (409) when it changed
  since the caller read it (somebody acted in between), otherwise `DomainError` (400, the move is not
  possible from here).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from yunfu_ipfund.common.errors import (
    MSG_ALREADY_DONE,
    MSG_NO_ROLE,
    MSG_WRONG_STATE,
    Conflict,
    DomainError,
    Forbidden,
)

from .actions import AuditAction, audit_action
from .services import audit_record

NOOP = "noop"
CONFLICT = "conflict"

# Sent inside the move's transaction after it is saved and audited (`sender` the model, `obj`, `move`
# the Move, `from_state`, `by`): who must be told about a move (the parties' inboxes) listens here, so
# the services that make the moves do not each repeat it. A receiver that fails undoes the move.
moved = Signal()


@dataclass(frozen=True)
class Move:
    name: str
    sources: tuple
    target: str
    label: str
    # The permission a person needs (a PERM_* constant, or a tuple of them of which any one will do);
    # None: only the system makes this move.
    permission: str | tuple[str, ...] | None
    repeat: str = NOOP
    # Each guard takes (obj, user or None) and raises a DomainError (Forbidden for a person who may not,
    # DomainError for a rule of the object) to refuse; it is run by transition() and by available_moves().
    guards: tuple[Callable[[Any, Any], None], ...] = field(default=())

    @property
    def permissions(self):
        """The permissions of which any one admits a person (empty: a system move)."""
        if self.permission is None:
            return ()
        return (self.permission,) if isinstance(self.permission, str) else tuple(self.permission)

    def __post_init__(self):
        if self.repeat not in (NOOP, CONFLICT):
            raise ValueError(f"move {self.name}: repeat must be NOOP or CONFLICT")
        object.__setattr__(self, "sources", tuple(self.sources))


class Workflow:
    """The transition table of one model: its moves by name."""

    def __init__(self, *moves):
        self.moves = {}
        for move in moves:
            if move.name in self.moves:
                raise ValueError(f"move {move.name} declared twice")
            self.moves[move.name] = move

    def __contains__(self, name):
        return name in self.moves

    def move(self, name):
        try:
            return self.moves[name]
        except KeyError:
            raise ValueError(f"no move named {name!r}") from None

    def moves_from(self, state):
        return [move for move in self.moves.values() if state in move.sources]

    def targets(self, state):
        """The states one move can reach from `state` (the table as a dict, for docs and checks)."""
        return {move.target for move in self.moves_from(state)}

    def can_reach(self, state, target):
        return target in self.targets(state)

    def states(self):
        found = set()
        for move in self.moves.values():
            found.update(move.sources)
            found.add(move.target)
        return found


def move_action(model, move):
    """The audit action of a move: `<app>.<model>.<move>` with the move's label."""
    meta = model._meta
    return audit_action(f"{meta.app_label}.{meta.model_name}.{move.name}", move.label)


def _status_label(model, state):
    return dict(model._meta.get_field("status").choices).get(state, state)


def _not_permitted(move, user):
    if user is not None and not any(user.has_perm(permission) for permission in move.permissions):
        return Forbidden(MSG_NO_ROLE, code="no_role")
    return None


def refusal(obj, move, user):
    """Why `user` (None: the system) may not make `move` on `obj` now (a DomainError), or None.
    Pure: no lock, no write."""
    model = type(obj)
    error = _not_permitted(move, user)
    if error is not None:
        return error
    if obj.status not in move.sources:
        return DomainError(
            MSG_WRONG_STATE.format(current=_status_label(model, obj.status), action=move.label),
            code="wrong_state",
        )
    for guard in move.guards:
        try:
            guard(obj, user)
        except DomainError as error:
            return error
    return None


def available_moves(obj, user):
    """The moves `user` may make on `obj` now, in declaration order: what a detail page offers as buttons."""
    return [move for move in type(obj).WORKFLOW.moves.values() if refusal(obj, move, user) is None]


def available_move_names(obj, user):
    return {move.name for move in available_moves(obj, user)}


def lock(model, pk):
    """Re-read the row under SELECT ... FOR UPDATE (a no-op lock on SQLite, whose writes are serialised)."""
    return model.objects.select_for_update().get(pk=pk)


@transaction.atomic
def transition(
    obj,
    name,
    *,
    by,
    reason="",
    check=None,
    data=None,
    action: AuditAction | None = None,
    follows=False,
    **stamps,
):
    """Make the move `name` on `obj`. Returns (locked_obj, moved: bool). See the module docstring.

    `check(locked_obj)` runs the service's rules of the Measures under the lock and raises to refuse;
    `stamps` are set on the object (e.g. submitted_by=user, submitted_at=now); `action` overrides the
    move's own audit action where one move is recorded under a more precise code.
    `follows=True`: a system move (permission None) that follows from a move `by` has just made and
    that checked `by` (a covered loan following its claim): the person is recorded as the actor, and
    the permission is not asked again. A person can never make a system move directly.
    """
    model = type(obj)
    move = model.WORKFLOW.move(name)
    if follows and move.permission is not None:
        raise ValueError(f"move {name} is a person's move: it cannot follow another")
    locked = lock(model, obj.pk)
    error = None if follows else _not_permitted(move, by)
    if error is not None:
        raise error
    if locked.status == move.target and locked.status not in move.sources:
        if move.repeat == NOOP:
            return locked, False
        raise Conflict(
            MSG_ALREADY_DONE.format(current=_status_label(model, locked.status)), code="already_done"
        )
    error = refusal(locked, move, None if follows else by)
    if error is not None:
        if error.code == "wrong_state" and locked.status != obj.status:
            raise Conflict(str(error), code="wrong_state")
        raise error
    if check is not None:
        check(locked)
    from_state = locked.status
    locked.status = move.target
    for attribute, value in stamps.items():
        setattr(locked, attribute, value)
    locked.save()
    audit_record(
        by=by,
        action=action or move_action(model, move),
        obj=locked,
        from_state=from_state,
        to_state=move.target,
        reason=reason,
        data=data,
    )
    moved.send(sender=model, obj=locked, move=move, from_state=from_state, by=by)
    return locked, True
