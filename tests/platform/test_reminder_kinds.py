"""Reminder kinds: codes with labels, the unique key derived from kind + record (+ discriminator), and
queries by columns (never by key prefix). The string key= path is TRANSITIONAL and still works."""

import datetime as dt

import pytest

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.notices import services
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.notices.reminders import (
    ReminderKind,
    alert_administrators,
    open_reminders,
    reminder_exists,
    reminder_key,
    reminder_kind,
    reminder_resolve,
    reminder_schedule,
)

pytestmark = pytest.mark.django_db

RETURN_DUE = reminder_kind("platform_test.recovery_return", "测试：追偿款待返还")
RECEIPT_DUE = reminder_kind("platform_test.recovery_receipt", "测试：追偿返还款待确认")
DUE = dt.date(2026, 11, 20)


def remind(kind, about, discriminator="", **extra):
    fields = dict(
        title=f"{kind.label} {discriminator}",
        due_date=DUE,
        recipient_role=Role.BANK_OFFICER,
        recipient_org=about if getattr(about, "kind", None) == "bank" else None,
    )
    fields.update(extra)
    return reminder_schedule(kind=kind, about=about, discriminator=discriminator, **fields)


def test_a_kind_is_a_code_with_a_label_registered_once():
    assert isinstance(RETURN_DUE, ReminderKind)
    assert (RETURN_DUE.code, str(RETURN_DUE)) == ("platform_test.recovery_return", "测试：追偿款待返还")
    assert reminder_kind("platform_test.recovery_return", "测试：追偿款待返还") == RETURN_DUE
    with pytest.raises(ValueError):
        reminder_kind("platform_test.recovery_return", "另一个标签")
    assert reminder_kind.label(RETURN_DUE.code) == "测试：追偿款待返还"


def test_the_key_is_derived_from_kind_record_and_discriminator(bank_a):
    expected = f"platform_test.recovery_return:accounts.organisation:{bank_a.pk}"
    assert reminder_key(RETURN_DUE, bank_a) == expected
    assert reminder_key(RETURN_DUE, bank_a, 7).endswith(f":{bank_a.pk}:7")
    assert reminder_key(RETURN_DUE, None, "2027") == "platform_test.recovery_return:2027"


def test_scheduling_stores_kind_subject_and_discriminator_as_columns(bank_a):
    reminder = remind(RETURN_DUE, bank_a, "3")
    assert (reminder.kind, reminder.subject_type, reminder.subject_id, reminder.discriminator) == (
        RETURN_DUE.code,
        "accounts.organisation",
        str(bank_a.pk),
        "3",
    )
    assert reminder.key == reminder_key(RETURN_DUE, bank_a, "3")


def test_the_same_kind_record_and_discriminator_is_one_reminder_another_discriminator_another(bank_a):
    first = remind(RETURN_DUE, bank_a, "1")
    assert remind(RETURN_DUE, bank_a, "1", title="改过的标题").pk == first.pk
    remind(RETURN_DUE, bank_a, "2")
    remind(RECEIPT_DUE, bank_a, "1")
    assert Reminder.objects.count() == 3
    assert Reminder.objects.get(pk=first.pk).title == "改过的标题"


def test_open_reminders_of_a_kind_about_a_record_are_found_by_columns(bank_a, bank_b):
    remind(RETURN_DUE, bank_a, "1")
    remind(RETURN_DUE, bank_a, "2")
    remind(RECEIPT_DUE, bank_a, "1")
    remind(RETURN_DUE, bank_b, "1")
    assert open_reminders(kind=RETURN_DUE, about=bank_a).count() == 2
    assert open_reminders(kind=RETURN_DUE, about=bank_a, discriminator="2").count() == 1
    assert open_reminders(about=bank_a).count() == 3
    assert open_reminders(kind=RETURN_DUE, about=bank_b).count() == 1
    with pytest.raises(ValueError):
        open_reminders()


def test_resolving_a_kind_resolves_only_that_kind_and_discriminator(bank_a):
    remind(RETURN_DUE, bank_a, "1")
    remind(RETURN_DUE, bank_a, "2")
    remind(RECEIPT_DUE, bank_a, "1")
    assert reminder_resolve(kind=RETURN_DUE, about=bank_a, discriminator="1") == 1
    assert set(open_reminders(about=bank_a).values_list("kind", "discriminator")) == {
        (RETURN_DUE.code, "2"),
        (RECEIPT_DUE.code, "1"),
    }


def test_resolving_a_kind_with_any_discriminator_resolves_all_of_that_kind(bank_a):
    remind(RETURN_DUE, bank_a, "1")
    remind(RETURN_DUE, bank_a, "2")
    remind(RECEIPT_DUE, bank_a, "1")
    assert reminder_resolve(kind=RETURN_DUE, about=bank_a, discriminator=None) == 2
    assert list(open_reminders(about=bank_a).values_list("kind", flat=True)) == [RECEIPT_DUE.code]


def test_resolving_without_a_discriminator_leaves_the_discriminated_ones(bank_a):
    remind(RETURN_DUE, bank_a)
    remind(RETURN_DUE, bank_a, "1")
    assert reminder_resolve(kind=RETURN_DUE, about=bank_a) == 1
    assert open_reminders(kind=RETURN_DUE, about=bank_a).get().discriminator == "1"


def test_a_resolved_reminder_scheduled_again_is_open_again_unless_once(bank_a):
    remind(RETURN_DUE, bank_a)
    reminder_resolve(kind=RETURN_DUE, about=bank_a)
    assert remind(RETURN_DUE, bank_a).resolved_at is None
    reminder_resolve(kind=RETURN_DUE, about=bank_a)
    assert remind(RETURN_DUE, bank_a, once=True).resolved_at is not None
    assert reminder_exists(kind=RETURN_DUE, about=bank_a)
    assert not reminder_exists(kind=RETURN_DUE, about=bank_a, discriminator="9")


def test_an_administrators_alert_is_raised_once_per_kind_and_discriminator(administrator):
    first = alert_administrators(kind=RECEIPT_DUE, discriminator="2027", title="a", body="b")
    reminder_resolve(kind=RECEIPT_DUE, discriminator="2027")
    again = alert_administrators(kind=RECEIPT_DUE, discriminator="2027", title="a", body="b")
    assert again.pk == first.pk and Reminder.objects.get(pk=first.pk).resolved_at is not None
    assert first.recipient_role == Role.ADMINISTRATOR and first.subject_type == ""


def test_a_kind_must_be_declared_and_a_hand_written_key_is_refused(bank_a):
    with pytest.raises(TypeError):
        reminder_schedule(
            kind="platform_test.recovery_return",
            about=bank_a,
            title="x",
            due_date=DUE,
            recipient_role=Role.BANK_OFFICER,
        )
    with pytest.raises(TypeError):
        reminder_schedule(
            kind=RETURN_DUE, key="x", about=bank_a, title="x", due_date=DUE, recipient_role=Role.BANK_OFFICER
        )
    with pytest.raises(TypeError):
        reminder_schedule(about=bank_a, title="x", due_date=DUE, recipient_role=Role.BANK_OFFICER)
    with pytest.raises(ValueError):
        reminder_resolve()
    with pytest.raises(TypeError):
        reminder_resolve(key="x", about=bank_a)


def test_the_services_module_still_offers_schedule_and_resolve():
    assert services.reminder_schedule is reminder_schedule
    assert services.reminder_resolve is reminder_resolve
