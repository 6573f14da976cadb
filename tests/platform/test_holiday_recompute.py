"""Issue 9: when staff change the holiday table, every open reminder whose due date was counted in
working days over the changed day is counted again, audited, and its people are told in their inbox."""

import datetime as dt

import pytest

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.models import Message, Reminder
from yunfu_ipfund.notices.reminders import reminder_kind, reminder_resolve, reminder_schedule
from yunfu_ipfund.policy import services
from yunfu_ipfund.policy.models import HolidayDay

pytestmark = [pytest.mark.django_db, pytest.mark.article(17)]

D = dt.date
TEST_DEADLINE = reminder_kind("tests.holiday_recount.deadline", "测试：工作日期限")
START = D(2026, 12, 31)  # Thu; 2027 is not in chinesecalendar: Mon-Fri until staff enter it


def schedule(about, user, *, due=None, discriminator=""):
    return reminder_schedule(
        kind=TEST_DEADLINE,
        about=about,
        discriminator=discriminator,
        title="报送材料期限",
        due_date=due if due is not None else add_workdays(START, 5),  # Fri 1, Mon 4 ... Thu 7 Jan 2027
        recipient_role=Role.ENTERPRISE_USER,
        recipient_org=about,
        notify_workdays_before=(1,),
    )


@pytest.fixture
def reminder(enterprise_a, enterprise_user):
    r = schedule(enterprise_a, enterprise_user)
    assert r.due_date == D(2027, 1, 7) and r.provisional
    assert (r.due_counted_from, r.due_workdays, r.notify_workdays_before) == (START, 5, [1])
    return r


def inbox(user):
    return list(Message.objects.filter(recipient=user).values_list("title", "body"))


def test_a_holiday_added_on_the_due_day_moves_the_reminder_and_tells_the_owner(
    administrator, reminder, enterprise_user
):
    day = services.holiday_day_save(by=administrator, date=D(2027, 1, 7), kind="holiday", name="测试假日")
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 8)
    assert reminder.notify_dates == ["2027-01-06", "2027-01-08"]  # one working day before: Wed 6
    assert [r.pk for r in day.moved_reminders] == [reminder.pk]
    [(title, body)] = inbox(enterprise_user)
    assert title == "期限调整：报送材料期限"
    assert (
        "2027-01-07" in body
        and "2027-01-08" in body
        and "5 个工作日" in body
        and "新增 2027-01-07 放假" in body
    )
    event = AuditEvent.objects.get(code="policy.holiday.reminder_recount", object_id=str(reminder.pk))
    assert event.data["from"] == "2027-01-07" and event.data["to"] == "2027-01-08"
    assert AuditEvent.objects.filter(code="policy.holiday_day.create").count() == 1


def test_the_day_removed_moves_it_back(administrator, reminder, enterprise_user):
    day = services.holiday_day_save(by=administrator, date=D(2027, 1, 7), kind="holiday")
    moved = services.holiday_day_delete(by=administrator, day=day)
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 7) and [r.pk for r in moved] == [reminder.pk]
    assert len(inbox(enterprise_user)) == 2
    assert not HolidayDay.objects.exists()
    assert AuditEvent.objects.filter(code="policy.holiday_day.delete").count() == 1


def test_a_holiday_the_day_after_the_due_day_moves_nothing(administrator, reminder, enterprise_user):
    day = services.holiday_day_save(by=administrator, date=D(2027, 1, 8), kind="holiday")
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 7) and day.moved_reminders == []
    assert inbox(enterprise_user) == []


def test_a_holiday_on_the_start_day_moves_nothing(administrator, enterprise_a, enterprise_user):
    r = schedule(enterprise_a, enterprise_user, due=add_workdays(D(2027, 1, 4), 3))  # Thu 7
    services.holiday_day_save(by=administrator, date=D(2027, 1, 4), kind="holiday")
    r.refresh_from_db()
    assert r.due_date == D(2027, 1, 7)


def test_a_make_up_working_day_inside_the_span_brings_the_deadline_forward(administrator, reminder):
    services.holiday_day_save(by=administrator, date=D(2027, 1, 2), kind="workday", name="调休上班")  # Sat
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 6)


def test_moving_a_holiday_counts_again_over_the_old_and_the_new_day(administrator, reminder):
    day = services.holiday_day_save(by=administrator, date=D(2027, 1, 7), kind="holiday")
    services.holiday_day_save(by=administrator, day=day, date=D(2027, 1, 20), kind="holiday")
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 7)


def test_resolved_reminders_and_calendar_due_dates_are_left_alone(
    administrator, enterprise_a, enterprise_b, enterprise_user
):
    resolved = schedule(enterprise_a, enterprise_user, discriminator="done")
    reminder_resolve(kind=TEST_DEADLINE, about=enterprise_a, discriminator="done")
    calendar = schedule(enterprise_b, enterprise_user, due=D(2027, 1, 7))  # a date, not counted
    assert calendar.due_counted_from is None
    services.holiday_day_save(by=administrator, date=D(2027, 1, 7), kind="holiday")
    assert Reminder.objects.get(pk=resolved.pk).due_date == D(2027, 1, 7)
    assert Reminder.objects.get(pk=calendar.pk).due_date == D(2027, 1, 7)


def test_declaring_the_year_makes_its_deadlines_final_without_moving_them(administrator, reminder):
    entry = services.holiday_year_save(by=administrator, year=2027, source="国办发明电〔2026〕X号")
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 7) and reminder.provisional is False
    assert [r.pk for r in entry.moved_reminders] == [reminder.pk]
    assert AuditEvent.objects.filter(code="policy.holiday_year.create").count() == 1


def test_a_bad_day_is_refused_in_chinese_and_nothing_moves(administrator, reminder):
    from yunfu_ipfund.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        services.holiday_day_save(by=administrator, date=D(2027, 1, 7), kind="vacation")
    assert caught.value.message.startswith("节假日有误")
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 7)


def test_each_move_is_published_for_the_apps_that_keep_the_due_date_too(administrator, reminder):
    from yunfu_ipfund.policy.holiday_services import reminder_redated

    seen = []

    def receiver(sender, reminder, old_due, new_due, **kwargs):
        seen.append((reminder.pk, old_due, new_due))

    reminder_redated.connect(receiver, weak=False)
    try:
        services.holiday_day_save(by=administrator, date=D(2027, 1, 7), kind="holiday")
    finally:
        reminder_redated.disconnect(receiver)
    assert seen == [(reminder.pk, D(2027, 1, 7), D(2027, 1, 8))]


def test_the_admin_saves_through_the_service_and_the_reminder_moves(login_as, administrator, reminder):
    client = login_as(administrator)
    response = client.post(
        "/admin/policy/holidayday/add/", {"date": "2027-01-07", "kind": "holiday", "name": "测试假日"}
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 8)
    day = HolidayDay.objects.get()
    response = client.post(f"/admin/policy/holidayday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.due_date == D(2027, 1, 7)
