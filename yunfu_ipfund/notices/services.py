"""Issuing notices, notifying people, and the sweep of reminders.

Scheduling and resolving reminders is `notices.reminders` (re-exported here). Slow work (the PDF,
e-mail) is queued after commit to the Celery tasks of `notices.tasks` by their names: that module
imports this one, so this one names them and does not import it.
"""

import datetime as dt
import logging
import secrets

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.accounts.selectors import users_with_role, users_with_role_anywhere
from yunfu_ipfund.audit.services import audit_record, object_label
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.workdays import workdays_between

from . import outbox, pdf, signing
from .actions import NOTICE_ISSUE, NOTICE_RERENDER
from .kinds import context_validate, get_kind
from .models import DocumentSequence, Message, Notice, Reminder
from .reminders import alert_administrators, reminder_resolve, reminder_schedule  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
MAX_RENDER_ATTEMPTS = 5

# The inbox message and the e-mail of a notice received: read by a signed-in user as well (the e-mail
# adds the link), so it never asks them to "log in to see it".
MSG_NOTICE_RECEIVED = "可在平台的“文书”中查看并下载（PDF，带电子签章）。"

TASK_RENDER_NOTICE = "notices.render_notice"
TASK_SEND_EMAIL = "notices.send_email"


def enqueue_after_commit(task_name, *args):
    """Queue the Celery task registered as `task_name` once the current transaction commits (never
    when it rolls back). Tasks are named, not imported: a task module imports its services, and the
    Celery app is the composition root's (`current_app`), which no layer imports.

    With a broker, the work is an outbox row written in this transaction and published after commit
    (notices.outbox): a broker that is down never turns the committed action into an error, the row
    waits for the beat sweep. Without one (eager: development, the suite) the task runs in-process
    after commit, as it always did."""
    if current_app.conf.task_always_eager:
        transaction.on_commit(lambda: current_app.tasks[task_name].delay(*args))
        return None
    return outbox.outbox_add(task_name, args)


# --- numbering and issuing ------------------------------------------------------------------------


def next_document_number(prefix, year):
    """Take the next number of a (prefix, year) sequence inside the caller's transaction.

    The sequence row is locked until the transaction ends, so concurrent issues queue here and
    numbers have neither gaps nor duplicates (a rolled-back issue gives its number back).
    """
    try:
        with transaction.atomic():
            DocumentSequence.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # created by a concurrent transaction in the meantime
    seq = DocumentSequence.objects.select_for_update().get(prefix=prefix, year=year)
    seq.last_number = F("last_number") + 1
    seq.save(update_fields=["last_number"])
    seq.refresh_from_db(fields=["last_number"])
    return seq.last_number


def format_document_number(prefix, year, number):
    return f"{prefix}〔{year}〕{number}号"


@transaction.atomic
def notice_issue(*, kind, subject, addressee, context, by, copied_to=(), title=None):
    """Issue a numbered official notice about `subject` to `addressee` (an Organisation).

    `context` (an instance of the kind's declared context, or a dict of its fields) is checked against
    the declaration here, so a missing or empty value fails the issue (NoticeContextError) instead of
    printing a blank or a repr, and is frozen into the notice as plain JSON so the document says what was
    decided at the time, whatever happens to the records later. The PDF is rendered after commit by a
    task; a failed render is retried by the beat task and never undoes the decision.
    """
    spec = get_kind(kind)
    context = context_validate(spec, context)
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    number = next_document_number(spec.prefix, year)
    notice = Notice.objects.create(
        kind=spec.code,
        title=title or spec.title,
        number=format_document_number(spec.prefix, year, number),
        prefix=spec.prefix,
        year=year,
        sequence=number,
        subject_type=object_label(subject),
        subject_id=str(subject.pk),
        addressee=addressee,
        context=context,
        issued_at=issued_at,
        issued_by=by if getattr(by, "is_authenticated", False) else None,
        verification_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(10)),
    )
    if copied_to:
        notice.copied_to.set([org for org in copied_to if org and org.pk != addressee.pk])
    audit_record(by=by, action=NOTICE_ISSUE, obj=notice, reason=notice.title, data={"number": notice.number})
    enqueue_after_commit(TASK_RENDER_NOTICE, notice.pk)
    url = reverse("notices:detail", args=[notice.pk])
    for org in [addressee, *notice.copied_to.all()]:
        notify_organisation(
            org,
            title=f"收到文书：{notice.title}（{notice.number}）",
            body=MSG_NOTICE_RECEIVED,
            url=url,
        )
    return notice


def notice_render(notice_id):
    """Render one notice's PDF, sign it with the bureau's certificate (notices.signing) and store the
    signed file with its hash. Idempotent: a rendered notice is left alone."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        if notice.render_status == Notice.RenderStatus.RENDERED:
            return notice
        notice.render_attempts += 1
        try:
            data = signing.seal(pdf.render_pdf_bytes(pdf.notice_html(notice)))
        except Exception as exc:  # any failure of the renderer or the seal: record it, retry later
            log.exception("rendering notice %s failed", notice.number)
            notice.render_status = Notice.RenderStatus.FAILED
            notice.render_error = f"{type(exc).__name__}: {exc}"[:2000]
            notice.save(update_fields=["render_status", "render_error", "render_attempts"])
            return notice
        notice.pdf.save(f"{notice.pk}.pdf", ContentFile(data), save=False)
        notice.sha256 = pdf.sha256_hex(data)
        notice.render_status = Notice.RenderStatus.RENDERED
        notice.render_error = ""
        notice.rendered_at = timezone.now()
        notice.save(
            update_fields=["pdf", "sha256", "render_status", "render_error", "rendered_at", "render_attempts"]
        )
        return notice


def notices_to_retry():
    return Notice.objects.filter(
        render_status__in=[Notice.RenderStatus.FAILED, Notice.RenderStatus.PENDING],
        render_attempts__lt=MAX_RENDER_ATTEMPTS,
        issued_at__lt=timezone.now() - dt.timedelta(minutes=2),
    ).values_list("pk", flat=True)


def notice_verify(number, code):
    """The public check: the notice with this number, if the code matches; else None."""
    number = (
        (number or "").strip().replace("[", "〔").replace("]", "〕").replace("(", "〔").replace(")", "〕")
    )
    code = (code or "").strip().upper()
    if not number or not code:
        return None
    notice = Notice.objects.select_related("addressee").filter(number=number).first()
    if notice is None or not secrets.compare_digest(notice.verification_code, code):
        return None
    return notice


# --- inbox and e-mail -----------------------------------------------------------------------------


def notify_users(users, *, title, body="", url=""):
    users = [u for u in users if u.is_active]
    messages = Message.objects.bulk_create(
        Message(recipient=u, title=title, body=body, url=url) for u in users
    )
    addresses = [u.email for u in users if u.email]
    if addresses:
        enqueue_after_commit(TASK_SEND_EMAIL, addresses, title, f"{body}\n\n{settings.SITE_URL}{url}")
    return messages


def notify_organisation(org, *, title, body="", url="", role=None):
    users = User.objects.filter(organisation=org, is_active=True)
    if role:
        users = users.filter(groups__name=role)
    return notify_users(list(users), title=title, body=body, url=url)


def deliver_email(addresses, subject, body):
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)


def message_mark_read(*, user, message_id=None):
    qs = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_id is not None:
        qs = qs.filter(pk=message_id)
    return qs.update(read_at=timezone.now())


# --- reminders ------------------------------------------------------------------------------------

_ACTIONS = {}


def register_action(name):
    """Decorator: a handler run by the sweep once a reminder's deadline has passed.

    The handler gets the locked Reminder and returns True when the obligation is settled (the
    reminder is then resolved). It runs in a savepoint: a DomainError is recorded, not raised.
    """

    def decorator(fn):
        _ACTIONS[name] = fn
        return fn

    return decorator


def _recipients(reminder, role):
    if not role:
        return []
    if reminder.recipient_org_id:
        return list(users_with_role(reminder.recipient_org, role))
    return list(users_with_role_anywhere(role))


def deadline_phrase(due, today):
    """'今天到期' / '还剩 3 个工作日' / '已逾期 2 天': deadlines run in working days, lateness in days."""
    if due == today:
        return "今天到期"
    if due > today:
        return f"还剩 {workdays_between(today, due)} 个工作日"
    return f"已逾期 {(today - due).days} 天"


def _process(reminder, today):
    now = timezone.now()
    if reminder.next_notify_on and reminder.next_notify_on <= today:
        when = deadline_phrase(reminder.due_date, today)
        notify_users(
            _recipients(reminder, reminder.recipient_role),
            title=f"【提醒】{reminder.title}（截止 {reminder.due_date:%Y-%m-%d}，{when}）",
            body=reminder.body,
            url=reminder.url,
        )
        reminder.last_sent_on = today
        reminder.times_sent += 1
        later = sorted(
            dt.date.fromisoformat(d) for d in reminder.notify_dates if dt.date.fromisoformat(d) > today
        )
        reminder.next_notify_on = later[0] if later else None
    if reminder.due_date < today and reminder.escalated_at is None and not reminder.action:
        notify_users(
            _recipients(reminder, reminder.escalate_role),
            title=f"【逾期督办】{reminder.title}（截止 {reminder.due_date:%Y-%m-%d}，已逾期）",
            body=reminder.body,
            url=reminder.url,
        )
        reminder.escalated_at = now
    if reminder.action and reminder.due_date < today and reminder.action_done_at is None:
        handler = _ACTIONS.get(reminder.action)
        if handler is None:
            reminder.last_error = f"未注册的自动处理：{reminder.action}"
        else:
            try:
                with transaction.atomic():
                    settled = handler(reminder)
            except DomainError as exc:
                reminder.last_error = exc.message
            else:
                reminder.action_done_at = now
                reminder.last_error = ""
                if settled:
                    reminder.resolved_at = now
                    reminder.next_notify_on = None
    reminder.save()


def _due_filter(today):
    return Q(resolved_at__isnull=True) & (
        Q(next_notify_on__lte=today)
        | Q(due_date__lt=today, escalated_at__isnull=True, action="")
        | (Q(due_date__lt=today, action_done_at__isnull=True) & ~Q(action=""))
    )


def sweep_reminders(*, today=None, batch=200):
    """Send what is due, escalate what is overdue, run due actions. Safe to run twice or in parallel:
    each row is taken under FOR UPDATE SKIP LOCKED and its state says what was already done."""
    today = today or local_today()
    processed = 0
    while True:
        with transaction.atomic():
            rows = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(_due_filter(today))
                .exclude(last_sent_on=today, escalated_at__isnull=False)
                .order_by("due_date", "id")[:batch]
            )
            rows = [r for r in rows if _needs_work(r, today)]
            for reminder in rows:
                _process(reminder, today)
        processed += len(rows)
        if len(rows) < batch:
            return processed


def _needs_work(reminder, today):
    return (
        (reminder.next_notify_on is not None and reminder.next_notify_on <= today)
        or (reminder.due_date < today and reminder.escalated_at is None and not reminder.action)
        or (reminder.action and reminder.due_date < today and reminder.action_done_at is None)
    )


# --- re-rendering (same number, code and date; a new file) ----------------------------------------


@transaction.atomic
def notice_rerender(*, notice, by):
    """Render `notice` again and replace its stored PDF and hash, keeping its number, verification code
    and issue date (the document is the same decision; only the file is new), audited with the old and
    the new SHA-256. Raises what the renderer raises (MissingCJKFont without CJK fonts): the stored file
    is then left as it was. The old file is deleted once the new one is committed."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    old_sha256, old_name = notice.sha256, notice.pdf.name
    data = signing.seal(pdf.render_pdf_bytes(pdf.notice_html(notice)))
    notice.pdf.save(f"{notice.pk}.pdf", ContentFile(data), save=False)
    notice.sha256 = pdf.sha256_hex(data)
    notice.render_status = Notice.RenderStatus.RENDERED
    notice.render_error = ""
    notice.rendered_at = timezone.now()
    notice.save(update_fields=["pdf", "sha256", "render_status", "render_error", "rendered_at"])
    audit_record(
        by=by,
        action=NOTICE_RERENDER,
        obj=notice,
        reason=notice.title,
        data={
            "number": notice.number,
            "old_sha256": old_sha256,
            "new_sha256": notice.sha256,
            "fonts": pdf.cjk_fonts(data),
        },
    )
    if old_name and old_name != notice.pdf.name:
        storage = notice.pdf.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return notice
