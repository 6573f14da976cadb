"""Writing to the audit log (called by services inside their own transaction) and verifying it.

Every event's hash is an HMAC over all its stored fields and the previous event's hash (audit.hashing);
appends are serialised (a PostgreSQL advisory lock, taken for the rest of the transaction) so the chain
never forks and ids follow the chain. A change of key (settings.AUDIT_HMAC_KEY_ID) is recorded in the
chain: before the first event under the new key, a rotation event written with the OLD key announces the
new key id. `verify_chain` recomputes the chain and compares its head with every daily checkpoint
(audit.anchors).
"""

import contextvars
import json
from contextlib import contextmanager
from types import SimpleNamespace

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from yunfu_ipfund.common.middleware import client_ip, current_request

from .actions import AuditAction, audit_action
from .anchors import read_anchors
from .hashing import GENESIS, UnknownAuditKey, audit_keys, compute_hash, current_key_id, hashed_columns
from .models import AuditEvent

__all__ = [
    "GENESIS",
    "audit_batch",
    "audit_record",
    "audit_record_many",
    "compute_hash",
    "object_label",
    "verify_chain",
]

_ADVISORY_LOCK_KEY = 770_101  # serialises appends so the chain never forks

KEY_ROTATION = audit_action("audit.chain.key_rotation", "审计密钥轮换")
CHAIN_REANCHOR = audit_action("audit.chain.reanchor", "审计链一次性重新锚定")
CHECKPOINT = audit_action("audit.chain.checkpoint", "审计链每日检查点")

MSG_KEY_MISSING = (
    "审计密钥轮换需要旧密钥“{old}”：请在 AUDIT_HMAC_OLD_KEYS 中配置它（格式 编号:密钥），"
    "以便以旧密钥写入宣告新密钥“{new}”的轮换事件。"
)


def object_label(obj):
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def _next_id():
    """The new event's id, taken under the append lock, so ids follow the order of the chain."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 (our table)
        return cursor.fetchone()[0]


def _next_ids(n):
    """`n` new ids in increasing order, taken under the append lock (one query)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (our table)
        start = cursor.fetchone()[0]
        return list(range(start + 1, start + n + 1))


def _announces(event, key_id):
    return event.code == KEY_ROTATION.code and (event.data or {}).get("new_key_id") == key_id


def _append(event, previous, key_id):
    event.prev_hash = previous.hash if previous is not None else GENESIS
    event.key_id = key_id
    event.id = _next_id()
    event.hash = compute_hash(event.prev_hash, event)
    event.save(force_insert=True)
    return event


def _rotation(previous, new_key_id):
    """The event, under the previous event's key, that announces the new key id."""
    event = AuditEvent(
        at=timezone.now(),
        actor_name="系统",
        code=KEY_ROTATION.code,
        action=KEY_ROTATION.label,
        object_type=object_label(previous),
        object_id=str(previous.pk),
        object_repr=f"审计密钥 {previous.key_id} → {new_key_id}",
        data={"old_key_id": previous.key_id, "new_key_id": new_key_id},
    )
    try:
        return _append(event, previous, previous.key_id)
    except UnknownAuditKey as exc:
        raise ImproperlyConfigured(MSG_KEY_MISSING.format(old=previous.key_id, new=new_key_id)) from exc


def _head():
    """The newest event (under the append lock), after the rotation event a new key needs, and the key id."""
    _lock()
    previous = AuditEvent.objects.order_by("-id").only("id", "hash", "key_id", "code", "data").first()
    key_id = current_key_id()
    if previous is not None and previous.key_id != key_id and not _announces(previous, key_id):
        previous = _rotation(previous, key_id)
    return previous, key_id


def _event(*, by, action, obj, from_state, to_state, reason, data):
    """The event, not yet chained (no id, hashes or key id)."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit_record needs an AuditAction, not {action!r}")
    request = current_request.get()
    actor = by if (by is not None and getattr(by, "is_authenticated", False)) else None
    org = getattr(actor, "organisation", None) if actor else None
    return AuditEvent(
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
    )


def audit_record(*, by, action: AuditAction, obj, from_state="", to_state="", reason="", data=None):
    """Append one event about `obj` (a model instance). `by` is a user, or None for the system.
    `action` is an AuditAction (code and label), declared by the app that records it.

    Inside `audit_batch()` the event is collected (returned without its id and hash) and written with
    the batch's others when the batch ends, in the same transaction."""
    event = _event(
        by=by, action=action, obj=obj, from_state=from_state, to_state=to_state, reason=reason, data=data
    )
    batch = _batch.get()
    if batch is not None:
        batch.events.append(event)
        return event
    with transaction.atomic():
        previous, key_id = _head()
        return _append(event, previous, key_id)


@transaction.atomic
def audit_record_many(events):
    """Append `events` (unsaved AuditEvent rows, in order) to the chain exactly as that many calls of
    audit_record would: under the append lock, after the newest event (and the rotation event a new
    key needs), ids from the sequence in chain order, each event's HMAC over the one before it; one
    lock, one read of the head, one query for the ids and one INSERT per 500 events."""
    events = list(events)
    if not events:
        return events
    previous, key_id = _head()
    for event, pk in zip(events, _next_ids(len(events)), strict=True):
        event.prev_hash = previous.hash if previous is not None else GENESIS
        event.key_id = key_id
        event.id = pk
        event.hash = compute_hash(event.prev_hash, event)
        previous = event
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return events


class AuditBatch:
    """The events audit_record collected inside `audit_batch()`. `mark()` and `discard_after(mark)` let
    the caller drop the events of a unit of work it rolled back (a refused row of an import)."""

    def __init__(self):
        self.events = []

    def mark(self):
        return len(self.events)

    def discard_after(self, mark):
        del self.events[mark:]


_batch: contextvars.ContextVar[AuditBatch | None] = contextvars.ContextVar("audit_batch", default=None)


@contextmanager
def audit_batch():
    """Collect the audit events of the block and write them at its end (audit_record_many): for bulk
    work (an import's chunk of rows), one chain append instead of one per event. Open it INSIDE the
    transaction the events belong to, so they commit or roll back with it; an exception leaving the
    block discards them. A caller that rolls back part of the work itself (a savepoint) drops that
    part's events with `discard_after`."""
    if _batch.get() is not None:
        raise RuntimeError("audit_batch() is already open")
    batch = AuditBatch()
    token = _batch.set(batch)
    try:
        yield batch
    except BaseException:
        batch.events.clear()
        raise
    finally:
        _batch.reset(token)
    audit_record_many(batch.events)
    batch.events.clear()


# --- verification ---------------------------------------------------------------------------------


def _when(event):
    return f"事件 #{event.id}（{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}，{event.action}）"


def _chain_problem(event, previous, keys):
    """What is wrong with `event` after `previous` (None: the first event), or ''."""
    expected_prev = previous.hash if previous is not None else GENESIS
    if event.prev_hash != expected_prev:
        return f"{_when(event)}：前序哈希不符（其前一条记录被删除或篡改）。"
    if previous is not None and event.key_id != previous.key_id and not _announces(previous, event.key_id):
        return (
            f"{_when(event)}：密钥编号由“{previous.key_id}”变为“{event.key_id}”，"
            "但前一条记录不是宣告该密钥的轮换事件（链被以其他密钥改写）。"
        )
    if event.key_id not in keys:
        return (
            f"{_when(event)}：密钥编号“{event.key_id}”未配置，无法校验"
            "（请在 AUDIT_HMAC_OLD_KEYS 中配置该密钥）。"
        )
    expected = compute_hash(event.prev_hash, event, model=AuditEvent, keys=keys)
    if expected != event.hash:
        return (
            f"{_when(event)}：内容与哈希不符（该记录被篡改，或其后的哈希未用审计密钥重算）："
            f"存储的哈希 {event.hash[:12]}…，按现有内容应为 {expected[:12]}…。"
        )
    return ""


def _anchor_problems(anchors, seen, last, checked):
    """Compare each daily checkpoint with what the walk found (`seen`: {id: (hash, position)})."""
    problems = []
    for anchor in anchors:
        if anchor is None:
            problems.append("检查点文件中有一行无法识别（检查点文件被改动）。")
            continue
        if anchor.last_id is None:
            continue
        where = (
            f"{anchor.date} 的检查点（最新事件 #{anchor.last_id}，"
            f"哈希 {anchor.last_hash[:12]}…，共 {anchor.count} 条）"
        )
        found = seen.get(anchor.last_id)
        if found is None:
            after = f"事件 #{last.id} 之后" if last is not None else "全部"
            problems.append(
                f"{after}的记录缺失：{where}，数据库现有 {checked} 条"
                f"{f'、最新为 #{last.id}' if last is not None else ''}（最新的记录被删除）。"
            )
        elif found[0] != anchor.last_hash:
            problems.append(
                f"事件 #{anchor.last_id}：哈希 {found[0][:12]}… 与{where}不符（该事件或此前的记录被改写）。"
            )
        elif found[1] != anchor.count:
            problems.append(
                f"事件 #{anchor.last_id}：截至该事件现有 {found[1]} 条记录，{where}（此前的记录被删除）。"
            )
    return problems


def verify_chain(batch_size=5000):
    """Walk the chain and compare it with every daily checkpoint; returns (checked_count, problems).
    The first chain problem names the first bad event; each checkpoint that disagrees adds one."""
    keys = audit_keys()
    anchors = read_anchors()
    wanted = {a.last_id for a in anchors if a is not None and a.last_id is not None}
    seen = {}
    problems = []
    previous = None
    checked = 0
    attnames = [attname for _name, attname, _field in hashed_columns(AuditEvent)] + ["hash"]
    rows = AuditEvent.objects.order_by("id").values_list(*attnames)
    for values in rows.iterator(chunk_size=batch_size):
        event = SimpleNamespace(**dict(zip(attnames, values, strict=True)))
        checked += 1
        if not problems:
            problem = _chain_problem(event, previous, keys)
            if problem:
                problems.append(problem)
        if event.id in wanted:
            seen[event.id] = (event.hash, checked)
        previous = event
    problems += _anchor_problems(anchors, seen, previous, checked)
    return checked, problems
