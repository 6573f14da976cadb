"""The transactional outbox: background work that survives the broker (issue 12, item 4).

`outbox_add` writes the work (a Celery task's name and arguments) as a row in the caller's
transaction; after commit `outbox_dispatch` publishes it with the broker's short timeouts. A broker
error is logged and swallowed: the row stays pending, the committed action still answers success, and
the beat task `notices.dispatch_outbox` (every minute) publishes what is due again, backing off
exponentially, until it is sent or MAX_ATTEMPTS have failed (the row is then failed and the
administrators are alerted once a day).

A message carries its row in its task id (`outbox-<pk>`): a task that is not idempotent (an e-mail)
runs inside `run_once(self.request.id)`, which skips a message whose work is already done; the render
and import tasks check their own record's state (a rendered notice, a job no longer queued).
"""

import contextlib
import datetime as dt
import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.common.dates import today as local_today

from .models import OutboxMessage
from .reminders import alert_administrators, reminder_kind

log = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox-"
MAX_ATTEMPTS = 8  # 1+2+4+8+16+32+60 minutes: about two hours of a broker away before giving up
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)
SWEEP_BATCH = 500

OUTBOX_FAILED = reminder_kind("notices.outbox.failed", "后台任务多次发送失败")


def task_id_for(pk):
    return f"{TASK_ID_PREFIX}{pk}"


def outbox_id_of(task_id):
    """The outbox row of a message's task id, or None for a task not published through the outbox."""
    if not task_id or not str(task_id).startswith(TASK_ID_PREFIX):
        return None
    tail = str(task_id)[len(TASK_ID_PREFIX) :]
    return int(tail) if tail.isdigit() else None


def backoff(attempts):
    """How long to wait after the `attempts`-th failed publication: 1, 2, 4 … minutes, at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def outbox_add(task_name, args):
    """Write the work in the current transaction (it disappears with a rollback) and publish it once
    the transaction commits."""
    row = OutboxMessage.objects.create(task_name=task_name, args=list(args), next_attempt_at=timezone.now())
    transaction.on_commit(lambda: outbox_dispatch(row.pk))
    return row


def outbox_dispatch(pk):
    """Publish one pending row: True when the broker took it, False when the publication failed (the
    row waits, or is failed after MAX_ATTEMPTS), None when there was nothing to do. Never raises for a
    broker error.

    The row is locked while it is published (a concurrent sweep skips it), and a row already sent, failed
    or locked by another dispatcher is left alone, so a row is published once."""
    failed = None
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if row is None or row.status != OutboxMessage.Status.PENDING:
            return None
        row.attempts += 1
        try:
            current_app.tasks[row.task_name].apply_async(args=row.args, task_id=task_id_for(row.pk))
        except Exception as exc:  # broker unreachable, timeout, unknown task: the row waits
            log.warning("outbox %s (%s): publication %s failed: %r", row.pk, row.task_name, row.attempts, exc)
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxMessage.Status.FAILED
                failed = row
            else:
                row.next_attempt_at = timezone.now() + backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        else:
            row.status = OutboxMessage.Status.SENT
            row.sent_at = timezone.now()
            row.save(update_fields=["attempts", "status", "sent_at"])
            return True
    if failed is not None:
        _alert(failed)
    return False


def due_rows(now=None):
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now or timezone.now()
    ).order_by("next_attempt_at", "id")


def outbox_dispatch_due(now=None):
    """The beat sweep: publish every pending row whose next attempt is due. Returns (sent, failed
    publications).

    While the broker stays down, the first failure of a sweep ends it (the other rows are due again at
    the next sweep: their attempts are not all spent on one minute of an outage)."""
    sent = failed = 0
    for pk in list(due_rows(now).values_list("pk", flat=True)[:SWEEP_BATCH]):
        result = outbox_dispatch(pk)
        if result:
            sent += 1
        elif result is False:
            failed += 1
            break
    return sent, failed


def _alert(row):
    """One alert a day to the administrators, whatever number of rows failed (an alert e-mail that
    itself fails does not raise another)."""
    try:
        with transaction.atomic():
            alert_administrators(
                kind=OUTBOX_FAILED,
                title="后台任务多次发送失败",
                body=(
                    f"发件箱任务 #{row.pk}（{row.task_name}）已尝试发送 {row.attempts} 次仍未成功，"
                    f"最近错误：{row.last_error}。请检查 Redis 与 Celery 进程，恢复后在后台"
                    "“发件箱任务”中查看并重新发送。"
                ),
                discriminator=local_today().isoformat(),
            )
    except Exception:  # the alert is best effort; the failed row is the record
        log.exception("outbox %s: alerting the administrators failed", row.pk)


def outbox_retry(pks):
    """Put failed rows back in the queue (the administrator's "重新发送"), with fresh attempts."""
    return OutboxMessage.objects.filter(pk__in=pks, status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )


@contextlib.contextmanager
def run_once(task_id):
    """Around a task that must not run twice for one outbox row: yields False when the row's work is
    already done (a redelivery, a second publication), else True, and records the work as done when
    the block ends without an error. Holds the row's lock meanwhile, so two deliveries do not overlap."""
    pk = outbox_id_of(task_id)
    if pk is None:
        yield True
        return
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=pk).first()
        if row is not None and row.done_at is not None:
            yield False
            return
        yield True
        if row is not None:
            row.done_at = timezone.now()
            row.save(update_fields=["done_at"])


def record_task_failure(task_id, exc):
    """A task of an outbox row gave up after its own retries: the row says so (the admin list shows it)."""
    pk = outbox_id_of(task_id)
    if pk is None:
        return
    OutboxMessage.objects.filter(pk=pk).update(
        status=OutboxMessage.Status.FAILED, last_error=f"执行失败：{type(exc).__name__}: {exc}"[:2000]
    )
