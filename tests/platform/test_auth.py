"""Login (Chinese, throttled by django-axes), session expiry, password change, CSRF."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_the_login_page_is_in_chinese(client):
    html = client.get(LOGIN).content.decode()
    assert '<html lang="zh-CN">' in html
    for text in ("登录", "用户名", "密码", "本单位分配的账号"):
        assert text in html
    assert 'for="id_username"' in html and 'for="id_password"' in html


def test_a_wrong_password_is_refused_in_chinese_and_nobody_is_logged_in(client, bank_officer):
    response = client.post(LOGIN, {"username": bank_officer.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_logs_in_and_lands_on_the_workbench(client, bank_officer):
    response = client.post(LOGIN, {"username": bank_officer.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/home/"
    assert client.session["_auth_user_id"] == str(bank_officer.pk)


def test_login_does_not_redirect_to_another_site(client, bank_officer):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": bank_officer.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_axes_locks_the_account_after_the_failure_limit_with_a_chinese_page(client, bank_officer, settings):
    settings.AXES_COOLOFF_TIME = 0.25  # hours: the page must say 15 minutes, not a number of its own
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert client.post(LOGIN, {"username": bank_officer.username, "password": "nope"}).status_code == 200
    locked = client.post(LOGIN, {"username": bank_officer.username, "password": "nope"})
    assert locked.status_code in (403, 429)
    # even the right password is refused now
    response = client.post(LOGIN, {"username": bank_officer.username, "password": PASSWORD})
    assert response.status_code in (403, 429)
    html = response.content.decode()
    assert "账号已暂时锁定" in html
    assert "锁定 15 分钟" in html
    assert f"连续 {limit} 次登录失败" in html
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account_and_address_so_a_colleague_can_still_log_in(
    client, bank_officer, bank_supervisor
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": bank_officer.username, "password": "nope"})
    response = Client().post(LOGIN, {"username": bank_supervisor.username, "password": PASSWORD})
    assert response.status_code == 302


def test_the_lock_ends_after_the_cooloff_time(client, bank_officer):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(LOGIN, {"username": bank_officer.username, "password": "nope"})
        traveller.shift(dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
        response = Client().post(LOGIN, {"username": bank_officer.username, "password": PASSWORD})
    assert response.status_code == 302


def test_sessions_expire_after_thirty_minutes_of_inactivity_and_when_the_browser_closes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_an_idle_session_is_logged_out_and_an_active_one_is_kept(bank_officer):
    client = Client()
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        client.post(LOGIN, {"username": bank_officer.username, "password": PASSWORD})
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        assert not cookie["expires"] and not cookie["max-age"], "the cookie must die with the browser"
        for _ in range(3):  # activity every 20 minutes keeps the session alive
            traveller.shift(dt.timedelta(minutes=20))
            assert client.get("/accounts/home/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/accounts/home/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_user_changes_the_password_and_logs_in_with_the_new_one(bank_officer):
    client = Client()
    client.force_login(bank_officer)
    page = client.get("/accounts/password/")
    assert "修改密码" in page.content.decode()
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Yunfu-new-pass-2026",
            "new_password2": "Yunfu-new-pass-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert "_auth_user_id" in client.session, "changing the password keeps this session"
    fresh = Client()
    assert fresh.post(LOGIN, {"username": bank_officer.username, "password": PASSWORD}).status_code == 200
    assert (
        fresh.post(LOGIN, {"username": bank_officer.username, "password": "Yunfu-new-pass-2026"}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "new_password, message",
    [
        ("short1!", "密码长度太短"),
        ("12345678901", "密码只包含数字"),
        ("password123", "这个密码太常见了"),
    ],
)
def test_a_weak_new_password_is_refused_in_chinese(client_for, bank_officer, new_password, message):
    client = client_for(bank_officer)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_wrong_old_password_is_refused(client_for, bank_officer):
    response = client_for(bank_officer).post(
        "/accounts/password/",
        {
            "old_password": "not-it",
            "new_password1": "Yunfu-new-pass-2026",
            "new_password2": "Yunfu-new-pass-2026",
        },
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()


def test_logout_needs_a_post_and_ends_the_session(client_for, bank_officer):
    client = client_for(bank_officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


# --- CSRF -----------------------------------------------------------------------------------------


def test_a_login_post_without_the_csrf_token_is_refused(bank_officer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": bank_officer.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_login_post_with_the_csrf_token_from_the_form_succeeds(bank_officer):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        LOGIN, {"username": bank_officer.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/notices/inbox/read/", "/accounts/password/", "/accounts/logout/"])
def test_logged_in_forms_refuse_a_post_without_the_csrf_token(bank_officer, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bank_officer)
    assert client.post(url, {}).status_code == 403


def test_the_verify_form_refuses_a_post_without_the_csrf_token():
    assert Client(enforce_csrf_checks=True).post("/verify/", {"number": "x", "code": "y"}).status_code == 403
