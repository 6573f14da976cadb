"""The chain's anchor outside the database: each day's checkpoint of the head (date, last id, last hash,
count, key id) appended as one JSON line to settings.AUDIT_ANCHOR_DIR/checkpoints.jsonl (written by the
daily check of notices.checkpoint, which also issues it as a signed notice). Deleting the newest rows, or
rewriting the chain, even with the key, no longer matches an anchor written before (audit.services.
verify_chain). The file is only ever appended to; put the directory where the database role cannot write
(docs/operations.md)."""

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import AuditEvent

FILE_NAME = "checkpoints.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    date: str  # the day (Asia/Shanghai) it was taken, ISO
    last_id: int | None
    last_hash: str
    count: int
    key_id: str
    written_at: str = ""


def anchor_file():
    """The anchors' file, or None when no directory is configured (the tests, unless one sets it)."""
    directory = getattr(settings, "AUDIT_ANCHOR_DIR", "")
    return Path(directory) / FILE_NAME if directory else None


def chain_head(day=None):
    """The checkpoint of the chain as it is now."""
    last = AuditEvent.objects.order_by("-id").values("id", "hash", "key_id").first()
    return Checkpoint(
        date=(day or timezone.localdate()).isoformat(),
        last_id=last["id"] if last else None,
        last_hash=last["hash"] if last else "",
        count=AuditEvent.objects.count(),
        key_id=(last or {}).get("key_id") or settings.AUDIT_HMAC_KEY_ID,
        written_at=timezone.now().isoformat(timespec="seconds"),
    )


def append_anchor(checkpoint):
    """Append one checkpoint line (and fsync it). Returns the path, or None when none is configured."""
    path = anchor_file()
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(checkpoint), ensure_ascii=False, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def read_anchors():
    """Every checkpoint written so far, oldest first ([] when there is no file). A line that is not a
    checkpoint is returned as None, so the verifier reports it."""
    path = anchor_file()
    if path is None or not path.is_file():
        return []
    found = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        try:
            found.append(Checkpoint(**json.loads(text)))
        except (ValueError, TypeError):
            found.append(None)
    return found


def checkpoint_day(checkpoint):
    return dt.date.fromisoformat(checkpoint.date)
