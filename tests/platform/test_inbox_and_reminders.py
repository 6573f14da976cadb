"""Inbox and e-mail after commit; reminders: idempotent scheduling, the sweep, escalation, actions."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from tests.conftest import postgres_only
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.notices.models import Message, Reminder
from yunfu_ipfund.notices.reminders import reminder_kind
from yunfu_ipfund.notices.services import (
    message_mark_read,
    notify_organisation,
    notify_users,
    register_action,
    reminder_resolve,
    reminder_schedule,
    sweep_reminders,
)

from .conftest import run_in_threads

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def with_email(bank_officer, bank_supervisor):
    bank_officer.email = "li@icbc.example"
    bank_officer.save()
    return bank_officer


# --- inbox and e-mail -----------------------------------------------------------------------------


def test_notify_users_writes_inbox_messages_now_and_sends_e_mail_only_after_commit(
    django_capture_on_commit_callbacks, with_email, bank_supervisor
):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            notify_users(
                [with_email, bank_supervisor], title="备案已确认", body="请查看确认书。", url="/notices/1/"
            )
        assert Message.objects.filter(title="备案已确认").count() == 2
        assert mail.outbox == []
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@icbc.example"]  # the supervisor has no address
    assert mail.outbox[0].subject == "备案已确认"
    assert "/notices/1/" in mail.outbox[0].body


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, with_email):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify_users([with_email], title="不应发送")
        raise RuntimeError
    assert mail.outbox == [] and not Message.objects.filter(title="不应发送").exists()


def test_inactive_users_are_not_notified(django_capture_on_commit_callbacks, with_email):
    with_email.is_active = False
    with_email.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify_users([with_email], title="x")
    assert not Message.objects.exists() and mail.outbox == []


def test_notify_organisation_reaches_only_that_role_of_that_organisation(
    bank_officer, bank_supervisor, bank_b_officer
):
    notify_organisation(bank_officer.organisation, title="请复核", role=Role.BANK_SUPERVISOR)
    assert list(Message.objects.values_list("recipient", flat=True)) == [bank_supervisor.pk]


def test_the_unread_count_is_shown_in_the_navigation_and_marking_read_clears_it(
    login_as, bank_officer, bank_b_officer
):
    notify_users([bank_officer], title="第一条")
    notify_users([bank_officer], title="第二条")
    notify_users([bank_b_officer], title="别人的")
    client = login_as(bank_officer)
    html = client.get("/accounts/home/").content.decode()
    assert 'aria-label="2 条未读"' in html
    inbox = client.get("/notices/inbox/").content.decode()
    assert "第一条" in inbox and "第二条" in inbox and "别人的" not in inbox

    first = Message.objects.get(title="第一条")
    client.post("/notices/inbox/read/", {"id": first.pk})
    assert 'aria-label="1 条未读"' in client.get("/accounts/home/").content.decode()
    client.post("/notices/inbox/read/", {"id": Message.objects.get(title="别人的").pk})
    assert Message.objects.get(title="别人的").read_at is None, "another user's message is untouched"
    response = client.post("/notices/inbox/read/")
    assert response.status_code == 302
    assert "条未读" not in client.get("/accounts/home/").content.decode()
    assert Message.objects.get(title="别人的").read_at is None


def test_message_mark_read_returns_how_many_it_marked(bank_officer):
    notify_users([bank_officer], title="a")
    notify_users([bank_officer], title="b")
    assert message_mark_read(user=bank_officer) == 2
    assert message_mark_read(user=bank_officer) == 0


# --- reminders ------------------------------------------------------------------------------------

DUE = D(
    2026, 10, 9
)  # Friday after the 2026 National Day week: notify on 29 Sep (3 wd), 8 Oct (1 wd) and 9 Oct


FILING_DEADLINE = reminder_kind("platform_test.filing_deadline", "测试：贷款备案截止")


def schedule(org, **extra):
    fields = dict(
        kind=FILING_DEADLINE,
        title="贷款备案截止",
        about=org,
        due_date=DUE,
        recipient_role=Role.BANK_OFFICER,
        recipient_org=org,
        url="/lenders/filings/42/",
    )
    fields.update(extra)
    return reminder_schedule(**fields)


@pytest.fixture
def scheduled(bank_a, bank_officer, bank_supervisor, bank_b_officer, bank_b_supervisor):
    with time_machine.travel(dt.datetime(2026, 9, 20, 1, 0, tzinfo=dt.UTC), tick=False):
        return schedule(bank_a)


def titles(user):
    return list(user.messages.order_by("id").values_list("title", flat=True))


def test_notify_dates_are_three_and_one_working_days_before_across_the_holiday(scheduled):
    assert scheduled.notify_dates == ["2026-09-29", "2026-10-08", "2026-10-09"]
    assert scheduled.next_notify_on == D(2026, 9, 29)
    assert scheduled.escalate_role == Role.BANK_SUPERVISOR


def test_scheduling_again_with_the_same_kind_and_record_changes_nothing(scheduled, bank_a):
    with time_machine.travel(dt.datetime(2026, 9, 21, 1, 0, tzinfo=dt.UTC), tick=False):
        again = schedule(bank_a)
    assert again.pk == scheduled.pk
    assert Reminder.objects.count() == 1
    assert again.notify_dates == scheduled.notify_dates


def test_the_sweep_sends_on_each_notify_date_once_and_escalates_to_the_same_banks_supervisor(
    scheduled, bank_officer, bank_supervisor, bank_b_officer, bank_b_supervisor
):
    expected_officer = []
    for day, sends in [
        (D(2026, 9, 28), False),
        (D(2026, 9, 29), True),
        (D(2026, 9, 30), False),
        (D(2026, 10, 5), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 9), True),
    ]:
        sweep_reminders(today=day)
        sweep_reminders(today=day)  # a second sweep the same day sends nothing twice
        if sends:
            expected_officer.append(day)
        assert len(titles(bank_officer)) == len(expected_officer), day
    assert "还剩 3 个工作日" in titles(bank_officer)[0]  # Sep 30, Oct 8, Oct 9 (Oct 1-7 off)
    assert "今天到期" in titles(bank_officer)[2]
    assert titles(bank_supervisor) == []

    sweep_reminders(today=D(2026, 10, 10))
    sweep_reminders(today=D(2026, 10, 12))
    assert len(titles(bank_supervisor)) == 1 and titles(bank_supervisor)[0].startswith("【逾期督办】")
    assert len(titles(bank_officer)) == 3
    assert titles(bank_b_officer) == [] and titles(bank_b_supervisor) == []


def test_rescheduling_on_a_day_it_was_already_sent_does_not_send_it_again(scheduled, bank_a, bank_officer):
    sweep_reminders(today=D(2026, 9, 29))
    with time_machine.travel(dt.datetime(2026, 9, 29, 8, 0, tzinfo=dt.UTC), tick=False):
        schedule(bank_a)  # the service that owns the obligation runs again (a retried request)
        sweep_reminders(today=D(2026, 9, 29))
    assert len(titles(bank_officer)) == 1
    sweep_reminders(today=D(2026, 10, 8))
    assert len(titles(bank_officer)) == 2


def test_a_resolved_reminder_is_neither_sent_nor_escalated(scheduled, bank_officer, bank_supervisor):
    reminder_resolve(kind=FILING_DEADLINE, about=scheduled_org(scheduled))
    for day in (D(2026, 9, 29), D(2026, 10, 9), D(2026, 10, 12)):
        sweep_reminders(today=day)
    assert titles(bank_officer) == [] and titles(bank_supervisor) == []


def scheduled_org(reminder):
    return reminder.recipient_org


def test_resolving_by_subject_closes_every_open_reminder_about_it(bank_a, bank_b):
    schedule(bank_a, discriminator="a1")
    schedule(bank_a, discriminator="a2")
    schedule(bank_b, discriminator="b1", about=bank_b)
    assert reminder_resolve(about=bank_a) == 2
    assert Reminder.objects.get(discriminator="b1").resolved_at is None


CALLS = []


@register_action("platform_test.close_public_notice")
def _close_public_notice(reminder):
    CALLS.append(reminder.discriminator)
    return True


@register_action("platform_test.refuses")
def _refuses(reminder):
    raise DomainError("公示期内收到异议，不能自动结束。")


def test_a_registered_action_runs_once_after_the_due_date_and_resolves_the_reminder(
    bank_a, bureau_clerk, bureau_approver
):
    CALLS.clear()
    with time_machine.travel(dt.datetime(2026, 9, 20, 1, 0, tzinfo=dt.UTC), tick=False):
        schedule(
            bank_a,
            discriminator="notice-7",
            recipient_role=Role.BUREAU_CLERK,
            recipient_org=None,
            action="platform_test.close_public_notice",
        )
    sweep_reminders(today=DUE)
    assert CALLS == []
    sweep_reminders(today=D(2026, 10, 10))
    sweep_reminders(today=D(2026, 10, 10))
    sweep_reminders(today=D(2026, 10, 12))
    assert CALLS == ["notice-7"]
    reminder = Reminder.objects.get(discriminator="notice-7")
    assert reminder.resolved_at is not None and reminder.action_done_at is not None
    assert titles(bureau_approver) == [], "a move the rules make is not escalated"


def test_a_refused_action_is_recorded_and_tried_again(bank_a, bureau_clerk):
    with time_machine.travel(dt.datetime(2026, 9, 20, 1, 0, tzinfo=dt.UTC), tick=False):
        schedule(
            bank_a,
            discriminator="notice-8",
            recipient_role=Role.BUREAU_CLERK,
            recipient_org=None,
            action="platform_test.refuses",
        )
    sweep_reminders(today=D(2026, 10, 12))
    reminder = Reminder.objects.get(discriminator="notice-8")
    assert reminder.last_error == "公示期内收到异议，不能自动结束。"
    assert reminder.action_done_at is None and reminder.resolved_at is None


def test_an_unknown_action_is_recorded_not_raised(bank_a):
    with time_machine.travel(dt.datetime(2026, 9, 20, 1, 0, tzinfo=dt.UTC), tick=False):
        schedule(bank_a, discriminator="x", action="nobody.registered_this")
    sweep_reminders(today=D(2026, 10, 12))
    assert "未注册" in Reminder.objects.get(discriminator="x").last_error


def test_open_reminders_show_as_tasks_to_the_right_people(login_as, scheduled, bank_officer, bank_b_officer):
    with time_machine.travel(dt.datetime(2026, 10, 12, 1, 0, tzinfo=dt.UTC), tick=False):
        html = login_as(bank_officer).get("/accounts/tasks/").content.decode()
        assert "贷款备案截止" in html and "已逾期" in html
        assert "贷款备案截止" not in login_as(bank_b_officer).get("/accounts/tasks/").content.decode()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_in_parallel_send_each_reminder_once(bank_a, bank_officer, bank_supervisor):
    with time_machine.travel(dt.datetime(2026, 9, 20, 1, 0, tzinfo=dt.UTC), tick=False):
        for i in range(30):
            schedule(bank_a, discriminator=f"parallel-{i}", title=f"事项{i}")
    results = []
    errors = run_in_threads(2, lambda i: results.append(sweep_reminders(today=D(2026, 9, 29), batch=7)))
    assert errors == []
    assert sum(results) == 30
    assert bank_officer.messages.count() == 30
    assert sorted(bank_officer.messages.values_list("title", flat=True)) == sorted(
        set(bank_officer.messages.values_list("title", flat=True))
    )
    assert set(Reminder.objects.values_list("times_sent", flat=True)) == {1}


def test_a_new_due_date_re_arms_reminding_and_escalation(scheduled, bank_a, bank_officer, bank_supervisor):
    sweep_reminders(today=D(2026, 10, 12))  # overdue: sent once (late) and escalated
    assert len(titles(bank_supervisor)) == 1
    with time_machine.travel(dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.UTC), tick=False):
        moved = schedule(bank_a, due_date=D(2026, 10, 23))  # returned for correction: a new deadline
    assert moved.escalated_at is None and moved.next_notify_on == D(2026, 10, 20)
    sweep_reminders(today=D(2026, 10, 20))
    sweep_reminders(today=D(2026, 10, 26))
    assert len(titles(bank_supervisor)) == 2


def test_a_reminder_says_how_many_working_days_are_left_across_a_holiday():
    import datetime as dt

    from yunfu_ipfund.notices.services import deadline_phrase

    # 2026-09-30 (Wed) to 2026-10-09 (Fri): Oct 1-7 are the National Day holiday;
    # Oct 8 and 9 are working days.
    assert deadline_phrase(dt.date(2026, 10, 9), dt.date(2026, 9, 30)) == "还剩 2 个工作日"
    assert deadline_phrase(dt.date(2026, 10, 9), dt.date(2026, 10, 9)) == "今天到期"
    assert deadline_phrase(dt.date(2026, 10, 9), dt.date(2026, 10, 12)) == "已逾期 3 天"
