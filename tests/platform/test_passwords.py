"""Passwords (等保 2.0 level 3): 12 characters of three classes, none of the last five, changed at first
login, after a reset and every PASSWORD_MAX_AGE_DAYS; accounts unused for ACCOUNT_INACTIVE_DAYS locked."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.factories import make_user
from yunfu_ipfund.accounts.models import PasswordHistory, User
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.accounts.services import lock_inactive_accounts
from yunfu_ipfund.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _messages(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def test_twelve_characters_is_the_boundary():
    assert _messages("Yunfu@2026d") == ["密码长度太短，至少需要 12 个字符。"]  # 11
    assert _messages("Yunfu@2026de") == []  # 12


@pytest.mark.parametrize(
    "password, ok",
    [
        ("yunfuportalpass", False),  # one class
        ("yunfuportal2026", False),  # two classes
        ("Yunfuportal2026", True),  # three
        ("yunfu-portal-2026", True),  # three (symbols)
        ("Yunfu@2026demo", True),  # the demo password: four
    ],
)
def test_three_of_four_character_classes(password, ok):
    messages = _messages(password)
    assert (messages == []) is ok
    if not ok:
        assert any("四类中的至少 3 类" in m for m in messages)


def test_none_of_the_last_five(bureau):
    user = make_user("rotating", bureau, Role.BUREAU_CLERK)
    passwords = [f"Rotate-2026-{i}x" for i in range(6)]
    for password in passwords:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert _messages(passwords[1], user) == ["新密码不能与最近 5 次使用过的密码相同。"]
    assert _messages(passwords[0], user) == []  # the sixth back is free again
    assert _messages(passwords[5], user) == ["新密码不能与最近 5 次使用过的密码相同。"]  # the current one


def test_an_account_made_without_history_cannot_keep_its_first_password(bureau):
    user = make_user("fresh", bureau, Role.BUREAU_CLERK)
    assert _messages("Yunfu-test-2026!", user) == ["新密码不能与最近 5 次使用过的密码相同。"]


def test_a_new_account_changes_its_password_at_first_login_and_only_that_page_opens(bureau):
    user = make_user("firstlogin", bureau, Role.BUREAU_CLERK)
    user.must_change_password = True
    user.save()
    client = Client()
    client.force_login(user)
    for path in ("/accounts/home/", "/notices/inbox/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/?required=1"
    page = client.get("/accounts/password/?required=1")
    assert page.status_code == 200 and "您须先修改密码" in page.content.decode()
    done = client.post(
        "/accounts/password/",
        {
            "old_password": "Yunfu-test-2026!",
            "new_password1": "Fresh-Start-2026",
            "new_password2": "Fresh-Start-2026",
        },
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/accounts/home/").status_code == 200
    assert AuditEvent.objects.filter(code="accounts.password_change", object_id=str(user.pk)).count() == 1


def test_logout_stays_open_while_the_change_is_due(bureau):
    user = make_user("leaving", bureau, Role.BUREAU_CLERK)
    user.must_change_password = True
    user.save()
    client = Client()
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_password_older_than_ninety_days_must_be_changed(bureau, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = make_user("ageing", bureau, Role.BUREAU_CLERK)
    user.set_password("Ageing-Pass-2026")
    user.save()
    changed = user.password_changed_at
    client = Client()
    with time_machine.travel(changed + dt.timedelta(days=90) - dt.timedelta(seconds=5)):
        client.force_login(user)
        assert client.get("/accounts/home/").status_code == 200
    with time_machine.travel(changed + dt.timedelta(days=90, seconds=1)):
        client.force_login(user)
        response = client.get("/accounts/home/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/password/")


def test_an_account_unused_for_ninety_days_is_locked(bureau, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 90
    used = make_user("used", bureau, Role.BUREAU_CLERK)
    idle = make_user("idle", bureau, Role.BUREAU_CLERK)
    start = timezone.now()
    User.objects.filter(pk=used.pk).update(last_login=start - dt.timedelta(days=89, hours=23))
    User.objects.filter(pk=idle.pk).update(last_login=start - dt.timedelta(days=90, minutes=1))
    with time_machine.travel(start):
        lock_inactive_accounts()
    used.refresh_from_db()
    idle.refresh_from_db()
    assert used.is_active and not idle.is_active
    event = AuditEvent.objects.get(code="accounts.lock_inactive", object_id=str(idle.pk))
    assert event.reason == "超过 90 日未登录使用，账号已锁定；须经管理操作申请审批后启用。"


def test_the_inactivity_lock_is_a_daily_check():
    from yunfu_ipfund.notices.checks import all_daily_checks

    assert lock_inactive_accounts in all_daily_checks()
