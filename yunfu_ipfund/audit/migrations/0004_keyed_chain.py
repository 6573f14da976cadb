"""The audit chain becomes keyed and complete (audit.hashing): every event gets the id of the key it is
chained with, and the existing events are re-chained, ONCE, under the current key (settings.
AUDIT_HMAC_KEY / AUDIT_HMAC_KEY_ID), in id order, with every stored field in the hash.

This is a one-time re-anchoring: before it, the chain was a plain SHA-256 that left out object_repr and
organisation_name, so it proved less; the re-chaining trusts the rows as they are at migration time and
is recorded as an event of its own (audit.chain.reanchor, with the number of rows and the key id), the
first anchor of the new chain. Run `manage.py verify_audit_chain` BEFORE migrating (it verifies the old
chain with the old code) to know that what is re-anchored was intact (docs/operations.md).

The append-only trigger is switched off for the re-chaining only, by the owner role that runs migrations.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from yunfu_ipfund.audit.hashing import GENESIS, compute_hash

TABLE = "audit_auditevent"


def _guard_off(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only", params=None)
        return None
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='{TABLE}'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {name}")
    return triggers


def _guard_on(schema_editor, triggers):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only", params=None)
        return
    with schema_editor.connection.cursor() as cursor:
        for _name, sql in triggers:
            cursor.execute(sql)


def _next_id(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [TABLE])
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {TABLE}")
        return cursor.fetchone()[0]


def _write(connection, rows):
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {TABLE} SET key_id = %s, prev_hash = %s, hash = %s WHERE id = %s", rows)


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
        return
    key_id = settings.AUDIT_HMAC_KEY_ID
    previous = GENESIS
    count = 0
    last = None
    triggers = _guard_off(schema_editor)
    try:
        batch = []
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            event.key_id = key_id
            event.prev_hash = previous
            event.hash = compute_hash(previous, event)
            previous = event.hash
            last = event
            count += 1
            batch.append((key_id, event.prev_hash, event.hash, event.id))
            if len(batch) >= 2000:
                _write(schema_editor.connection, batch)
                batch = []
        if batch:
            _write(schema_editor.connection, batch)
    finally:
        _guard_on(schema_editor, triggers)
    if count == 0:
        return  # a fresh database: nothing to re-anchor
    event = AuditEvent(
        id=_next_id(schema_editor.connection),
        at=timezone.now(),
        actor_name="系统",
        code="audit.chain.reanchor",
        action="审计链一次性重新锚定",
        object_type="audit.auditevent",
        object_id=str(last.id),
        object_repr=f"审计链重新锚定（{count} 条记录）",
        reason="审计链改为带密钥的 HMAC 并覆盖全部字段：既有记录按迁移时的内容以现行密钥一次性重新链接。",
        data={"events": count, "key_id": key_id, "last_id": last.id},
        prev_hash=previous,
        key_id=key_id,
    )
    event.hash = compute_hash(previous, event)
    event.save(force_insert=True)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_action_code")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, max_length=40, verbose_name="密钥编号"),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]
