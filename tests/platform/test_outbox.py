"""Work that survives the queue (issue 12, item 4): with the broker down a committed action answers
success, its work waits as outbox rows, and the beat sweep publishes it once the broker is back,
backing off while it is not and giving up (administrators alerted) after the bound."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compensation.models import Claim
from fund.models import Posting
from lenders.imports import TASK_RUN_IMPORT
from lenders.models import ImportJob
from tests.factories import make_non_performing_loan as make_loan
from tests.factories import make_user
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.notices import outbox
from yunfu_ipfund.notices.models import Message, OutboxMessage, Reminder
from yunfu_ipfund.notices.services import TASK_SEND_EMAIL, notify_users

from . import brokers
from .brokers import broker_back

pytestmark = pytest.mark.django_db(transaction=True)

PENDING, SENT, FAILED = (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED)


@pytest.fixture
def broker_down():
    with brokers.broker_down() as app:
        yield app


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def email_user(org, name="mail_user"):
    user = make_user(name, org, Role.BUREAU_CLERK)
    user.email = f"{name}@example.cn"
    user.save(update_fields=["email"])
    return user


def test_instructing_and_confirming_a_payment_answer_success_with_the_broker_down(
    request, client_for, fast_pdf, bank_a, enterprise_a, bank_officer, finance_bureau, bureau
):
    from tests.factories import Flow, ensure_policies

    ensure_policies()  # the fund's opening: a transactional test before this one may have flushed it
    flow = Flow(*(request.getfixturevalue(name) for name in PERSONAS))
    flow.finance.email = "caiwu@example.cn"
    flow.finance.save(update_fields=["email"])
    claim = flow.decided(make_loan(bank_a, enterprise_a, bank_officer))  # eager: the broker is fine so far
    assert not OutboxMessage.objects.exists()

    request.getfixturevalue("broker_down")
    instruct = client_for(flow.approver).post(
        reverse("compensation:claim_action", args=[claim.pk, "instruct"])
    )
    assert instruct.status_code == 302, instruct.content.decode()[-3000:]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAYMENT_INSTRUCTED
    pay_url = reverse("compensation:claim_action", args=[claim.pk, "pay"])
    finance = client_for(flow.finance)
    confirm_page = finance.post(pay_url, {"voucher": "ZF-1"}).content.decode()  # 请确认 (after validation)
    confirmed = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm_page))
    pay = finance.post(pay_url, confirmed, follow=True)
    assert pay.status_code == 200
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert Posting.objects.filter(key=f"claim-{claim.pk}-payout").count() == 1

    rows = list(OutboxMessage.objects.all())
    assert rows and {row.status for row in rows} == {PENDING}
    assert {row.task_name for row in rows} >= {"notices.render_notice", TASK_SEND_EMAIL}
    for row in rows:  # one failed publication each, the next one a minute on
        assert row.attempts == 1 and "Connection refused" in row.last_error
        assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)


PERSONAS = ("bank_officer", "bank_supervisor", "bureau_clerk", "bureau_approver", "finance_user")


def test_a_waiting_email_is_sent_once_by_the_dispatch_when_the_broker_is_back(
    broker_down, bureau, time_machine
):
    user = email_user(bureau)
    with transaction.atomic():
        notify_users([user], title="测试通知", body="正文")
    row = OutboxMessage.objects.get()
    assert (row.task_name, row.status, row.args[0]) == (TASK_SEND_EMAIL, PENDING, [user.email])
    assert Message.objects.filter(recipient=user, title="测试通知").count() == 1  # the inbox has it
    assert mail.outbox == []

    with broker_back():
        assert outbox.outbox_dispatch_due() == (0, 0)  # not due yet: it backs off
        time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
        assert outbox.outbox_dispatch_due() == (1, 0)
        assert [m.to for m in mail.outbox] == [[user.email]]
        row.refresh_from_db()
        assert row.status == SENT and row.sent_at and row.done_at and row.attempts == 2
        # Nothing is published twice, and a redelivered message does not send the e-mail again.
        assert outbox.outbox_dispatch_due() == (0, 0)
        assert outbox.outbox_dispatch(row.pk) is None
        from celery import current_app

        current_app.tasks[TASK_SEND_EMAIL].apply(
            args=row.args, task_id=outbox.task_id_for(row.pk), throw=False
        )
    assert len(mail.outbox) == 1


def test_an_import_jobs_run_waits_in_the_outbox_and_runs_when_the_broker_is_back(
    broker_down, client_for, bank_officer, time_machine
):
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["借款合同编号", "报告类型", "日期", "金额", "风险分类", "展期后到期日", "逾期已结清", "说明"],
            ["HT-不存在", "还款", "2026-11-02", "100.00", "", "", "", ""],
        ]
    )
    upload = SimpleUploadedFile("reports.csv", out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response = client_for(bank_officer).post(
        reverse("lenders:import_list"), {"kind": "reports", "mode": "keep_good", "file": upload}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    row = OutboxMessage.objects.get(task_name=TASK_RUN_IMPORT)
    assert (row.args, row.status, row.attempts) == ([job.pk], PENDING, 1)

    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    with broker_back():
        assert outbox.outbox_dispatch_due() == (1, 0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.error_rows == 1


def test_the_dispatch_backs_off_exponentially_and_gives_up_after_the_bound(
    broker_down, bureau, administrator, time_machine
):
    user = email_user(bureau)
    with transaction.atomic():
        notify_users([user], title="第一封", body="")
    first = OutboxMessage.objects.get()
    waits = []
    for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
        first.refresh_from_db()
        before = first.next_attempt_at
        time_machine.move_to(before)
        assert outbox.outbox_dispatch_due() == (0, 1)  # the first failure ends the sweep
        first.refresh_from_db()
        assert first.attempts == attempt
        if first.status == PENDING:
            waits.append(round((first.next_attempt_at - before).total_seconds() / 60))
    assert waits == [2, 4, 8, 16, 32, 60]  # minutes; the first wait (1) followed the publication at commit
    assert first.status == FAILED and "Connection refused" in first.last_error
    alerts = Reminder.objects.filter(kind=outbox.OUTBOX_FAILED.code)
    assert alerts.count() == 1 and "后台任务多次发送失败" in alerts.get().title

    # A second row fails too on the same day: still one alert.
    with transaction.atomic():
        notify_users([user], title="第二封", body="")
    second = OutboxMessage.objects.get(status=PENDING)
    for _ in range(outbox.MAX_ATTEMPTS):
        second.refresh_from_db()
        if second.status != PENDING:
            break
        time_machine.move_to(max(second.next_attempt_at, timezone.now()))
        outbox.outbox_dispatch(second.pk)
    second.refresh_from_db()
    assert second.status == FAILED and alerts.count() == 1

    # The administrator puts them back; with the broker back they are sent.
    assert outbox.outbox_retry([first.pk, second.pk]) == 2
    with broker_back():
        assert outbox.outbox_dispatch_due() == (2, 0)
    assert sorted(m.subject for m in mail.outbox) == ["第一封", "第二封"]


def test_a_rolled_back_action_leaves_no_outbox_row(broker_down, bureau):
    user = email_user(bureau)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_users([user], title="不会发出", body="")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_without_a_broker_the_task_runs_after_commit_as_before(bureau):
    user = email_user(bureau)
    with transaction.atomic():
        notify_users([user], title="即时发送", body="")
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["即时发送"]
    assert not OutboxMessage.objects.exists()


def test_a_failing_email_is_retried_a_bounded_number_of_times_then_its_row_is_failed(
    broker_down, bureau, monkeypatch
):
    import smtplib

    from celery import current_app

    from yunfu_ipfund.notices import services

    user = email_user(bureau)
    with transaction.atomic():
        notify_users([user], title="重试", body="")
    row = OutboxMessage.objects.get()
    calls = []

    def flaky(addresses, subject, body):
        calls.append(subject)
        if len(calls) < 3:
            raise smtplib.SMTPServerDisconnected("邮件服务器断开")
        mail.send_mail(subject, body, None, addresses)

    monkeypatch.setattr(services, "deliver_email", flaky)
    task = current_app.tasks[TASK_SEND_EMAIL]
    # Eager, errors not propagated: Celery's retries run at once instead of after their backoff.
    retrying = brokers.make_app(task_always_eager=True, task_eager_propagates=False)
    with brokers.current(retrying):
        current_app.tasks[TASK_SEND_EMAIL].apply(
            args=row.args, task_id=outbox.task_id_for(row.pk), throw=False
        )
    assert len(calls) == 3 and [m.subject for m in mail.outbox] == ["重试"]
    row.refresh_from_db()
    assert row.done_at is not None

    def down(addresses, subject, body):
        calls.append(subject)
        raise smtplib.SMTPServerDisconnected("邮件服务器断开")

    monkeypatch.setattr(services, "deliver_email", down)
    with transaction.atomic():
        notify_users([user], title="一直失败", body="")
    failing = OutboxMessage.objects.get(args__1="一直失败")
    calls.clear()
    with brokers.current(retrying):
        current_app.tasks[TASK_SEND_EMAIL].apply(
            args=failing.args, task_id=outbox.task_id_for(failing.pk), throw=False
        )
    assert len(calls) == task.max_retries + 1 == 6
    failing.refresh_from_db()
    assert failing.status == FAILED and failing.done_at is None
    assert failing.last_error == "执行失败：SMTPServerDisconnected: 邮件服务器断开"
