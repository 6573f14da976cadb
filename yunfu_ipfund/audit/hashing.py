"""The audit chain's hash: an HMAC-SHA256, with a key that is not in the database, over a canonical
serialisation of EVERY stored field of an event but the hash itself (its id, its key id and the previous
event's hash included), so changing any field a page shows, deleting or reordering rows, or recomputing
the chain without the key is found by `verify_chain`.

HASHED_FIELDS is written out (not read from the model at run time): a new field of AuditEvent changes
what every stored hash covers, so it comes with a re-chaining migration; tests/platform/test_audit_chain.py
compares the list with the model's fields, so a new one cannot be forgotten.

Keys: settings.AUDIT_HMAC_KEY under settings.AUDIT_HMAC_KEY_ID, and the earlier keys of
settings.AUDIT_HMAC_OLD_KEYS for verification (docs/operations.md, "Rotating the audit key").
"""

import datetime as dt
import functools
import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64

HASHED_FIELDS = (
    "id",
    "at",
    "actor",
    "actor_name",
    "organisation_name",
    "organisation_id_at_time",
    "code",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "from_state",
    "to_state",
    "reason",
    "ip",
    "data",
    "prev_hash",
    "key_id",
)


class UnknownAuditKey(LookupError):
    """An event names a key id whose key is not configured."""


def current_key_id():
    return settings.AUDIT_HMAC_KEY_ID


def audit_keys():
    """{key id: key} of every key this process knows: the current one and the earlier ones."""
    keys = dict(getattr(settings, "AUDIT_HMAC_OLD_KEYS", {}) or {})
    keys[settings.AUDIT_HMAC_KEY_ID] = settings.AUDIT_HMAC_KEY
    return keys


@functools.cache
def hashed_columns(model):
    """[(name, attname, field)] of HASHED_FIELDS on `model` (the model, or a migration's historical one)."""
    return [
        (name, model._meta.get_field(name).attname, model._meta.get_field(name)) for name in HASHED_FIELDS
    ]


def _plain(field, value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if field.get_internal_type() == "GenericIPAddressField":
        return field.get_prep_value(value)
    return value


def canonical(event, *, prev_hash=None, model=None):
    """The bytes the HMAC covers: every field of HASHED_FIELDS, as sorted compact JSON. `event` is a model
    instance, or any object with the fields' attnames (the verifier's rows) when `model` is given."""
    payload = {
        name: _plain(field, getattr(event, attname))
        for name, attname, field in hashed_columns(model or type(event))
    }
    if prev_hash is not None:
        payload["prev_hash"] = prev_hash
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def hmac_hex(key, message):
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def compute_hash(prev_hash, event, *, key_id=None, model=None, keys=None):
    """The event's HMAC under the key named by `key_id` (default: the event's own key id)."""
    key_id = key_id or event.key_id
    key = (keys if keys is not None else audit_keys()).get(key_id)
    if not key:
        raise UnknownAuditKey(key_id)
    return hmac_hex(key, canonical(event, prev_hash=prev_hash, model=model))
