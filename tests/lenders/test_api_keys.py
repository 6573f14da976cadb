"""Bank API keys (issue 11 item 6): hashed at rest, shown once, named, expiring, revoked when the
holder's rights change, audited; only the holder lists or revokes them."""

import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from lenders.apikeys import authentication as auth
from lenders.apikeys.models import ApiKey
from lenders.services import tokens
from yunfu_ipfund.accounts import actions as accounts_actions
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.accounts.services import password_changed
from yunfu_ipfund.accounts.signals import send_security_event
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Forbidden, ValidationFailed

API_URL = "/api/filings/"
LIST_URL = "/lenders/api-token/"
NEW_URL = "/lenders/api-token/new/"


def call(plain):
    client = APIClient()
    if plain is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client.get(API_URL)


def refused(response, code):
    assert response.status_code == 401, response.content
    error = response.json()["error"]
    assert error["code"] == code
    return error["message"]


@pytest.fixture
def issued(bank_officer):
    return tokens.api_key_issue(by=bank_officer, name="信贷系统对接")


def test_a_fresh_key_works_and_answers_as_its_holder(issued, bank_officer):
    key, plain = issued
    assert call(plain).status_code == 200
    assert key.user == bank_officer and key.organisation_id == bank_officer.organisation_id


def test_the_database_holds_no_usable_key(issued):
    key, plain = issued
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM apikeys_apikey")
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = dict(zip(columns, rows[0], strict=True))
    secret = plain.split(".", 1)[1]
    for value in stored.values():
        assert plain not in str(value) and secret not in str(value)
    assert stored["digest"] != plain and len(stored["digest"]) == 64
    # Whatever is stored, presented as a key, does not authenticate.
    for candidate in (stored["digest"], f"yfk_{stored['prefix']}.{stored['digest']}", stored["prefix"]):
        assert call(candidate).status_code == 401
    # A well-formed key with the right prefix but another secret is unknown.
    forged = f"yfk_{stored['prefix']}.{'A' * 43}"
    assert refused(call(forged), "api_key_unknown") == auth.MSG_UNKNOWN


def test_no_audit_event_holds_the_plain_key(issued):
    _key, plain = issued
    for event in AuditEvent.objects.all():
        assert plain not in str(event.data) and plain not in event.object_repr


def test_a_missing_or_malformed_key_is_401_in_chinese(db):
    response = call(None)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "未登录或令牌无效。"
    assert (
        refused(call("0123456789abcdef0123456789abcdef01234567"), "api_key_malformed") == auth.MSG_MALFORMED
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token a b")
    assert refused(client.get(API_URL), "api_key_malformed") == auth.MSG_MALFORMED


def test_a_revoked_key_is_401_naming_when_and_why(issued, bank_officer):
    key, plain = issued
    tokens.api_key_revoke(by=bank_officer, key=key, reason="对接系统下线")
    message = refused(call(plain), "api_key_revoked")
    assert "信贷系统对接" in message and "对接系统下线" in message and "撤销" in message


def test_a_refused_key_names_its_holder_and_the_401_says_how_to_authenticate(issued, bank_officer):
    key, plain = issued
    tokens.api_key_revoke(by=bank_officer, key=key, reason="对接系统下线")
    with pytest.raises(auth.ApiKeyRefused) as exc:
        auth.check(plain)
    assert exc.value.holder == bank_officer
    response = call(plain)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    with pytest.raises(auth.ApiKeyRefused) as exc:
        auth.check("yfk_000000000000.nothing")
    assert exc.value.holder is None


def test_an_expired_key_is_401(issued):
    key, plain = issued
    with time_machine.travel(key.expires_at + dt.timedelta(seconds=1)):
        message = refused(call(plain), "api_key_expired")
    assert "到期" in message and f"{timezone.localtime(key.expires_at):%Y-%m-%d}" in message
    with time_machine.travel(key.expires_at - dt.timedelta(seconds=1)):
        assert call(plain).status_code == 200


def test_the_expiry_defaults_to_the_setting_and_is_bounded(bank_officer, settings):
    settings.API_KEY_DEFAULT_DAYS = 180
    settings.API_KEY_MAX_DAYS = 365
    key, _plain = tokens.api_key_issue(by=bank_officer, name="默认")
    assert timezone.localtime(key.expires_at).date() == today() + dt.timedelta(days=181)  # through day 180
    latest = today() + dt.timedelta(days=365)
    tokens.api_key_issue(by=bank_officer, name="最长", expires_on=latest)
    with pytest.raises(ValidationFailed) as exc:
        tokens.api_key_issue(by=bank_officer, name="太长", expires_on=latest + dt.timedelta(days=1))
    assert exc.value.message == tokens.MSG_EXPIRY_TOO_FAR.format(latest=f"{latest:%Y-%m-%d}", days=365)
    with pytest.raises(ValidationFailed) as exc:
        tokens.api_key_issue(by=bank_officer, name="过去", expires_on=today())
    assert exc.value.message == tokens.MSG_EXPIRY_PAST.format(today=f"{today():%Y-%m-%d}")


def test_a_name_is_required_and_unique_among_live_keys(issued, bank_officer):
    with pytest.raises(ValidationFailed) as exc:
        tokens.api_key_issue(by=bank_officer, name="  ")
    assert exc.value.message == tokens.MSG_NAME_REQUIRED
    with pytest.raises(ValidationFailed) as exc:
        tokens.api_key_issue(by=bank_officer, name="信贷系统对接")
    assert exc.value.message == tokens.MSG_NAME_TAKEN.format(name="信贷系统对接")


def test_only_bank_users_get_keys(bureau_clerk, enterprise_user):
    for user in (bureau_clerk, enterprise_user):
        with pytest.raises(Forbidden) as exc:
            tokens.api_key_issue(by=user, name="x")
        assert exc.value.message == tokens.MSG_BANK_USERS_ONLY


def test_a_deactivated_holder_s_key_is_401_and_revoked(issued, bank_officer, administrator):
    key, plain = issued
    bank_officer.is_active = False
    bank_officer.save(update_fields=["is_active"])
    assert refused(call(plain), "api_key_user_inactive") == auth.MSG_INACTIVE.format(name=key.name)
    # The admin site's deactivation event revokes the keys for good, audited with the administrator.
    send_security_event(accounts_actions.ACCOUNT_DEACTIVATE, by=administrator, obj=bank_officer)
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == administrator
    assert key.revoke_reason == "持有人账号被停用"
    bank_officer.is_active = True
    bank_officer.save(update_fields=["is_active"])
    assert refused(call(plain), "api_key_revoked")


def test_a_role_change_revokes_the_holder_s_keys(issued, bank_officer):
    key, plain = issued
    bank_officer.groups.remove(Group.objects.get(name=Role.BANK_OFFICER))
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoke_reason == tokens.REASON_ROLES
    assert refused(call(plain), "api_key_revoked")


def test_a_role_granted_revokes_the_holder_s_keys_too(bank_supervisor):
    key, plain = tokens.api_key_issue(by=bank_supervisor, name="复核系统")
    Group.objects.get(name=Role.BANK_SUPERVISOR).user_set.remove(bank_supervisor)
    assert refused(call(plain), "api_key_revoked")


def test_a_password_change_stops_the_key(issued, bank_officer):
    key, plain = issued
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        bank_officer.set_password("Another-Passw0rd!")
        bank_officer.save()
        assert refused(call(plain), "api_key_password_changed") == auth.MSG_PASSWORD.format(name=key.name)
        password_changed(bank_officer, by=bank_officer)  # the change page's event
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoke_reason == "持有人修改了密码"


def test_a_password_reset_event_revokes_the_keys(issued, bank_officer, administrator):
    key, _plain = issued
    send_security_event(accounts_actions.PASSWORD_RESET, by=administrator, obj=bank_officer)
    key.refresh_from_db()
    assert key.revoke_reason == "持有人的密码被重置"


def test_a_holder_moved_to_another_organisation_cannot_use_the_key(issued, bank_officer, bank_b):
    key, plain = issued
    bank_officer.organisation = bank_b
    bank_officer.save(update_fields=["organisation"])
    assert refused(call(plain), "api_key_user_moved") == auth.MSG_MOVED.format(name=key.name)


def test_the_last_use_is_stamped_at_most_once_a_minute(issued):
    key, plain = issued
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert call(plain).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        call(plain)
    key.refresh_from_db()
    assert key.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        call(plain)
    key.refresh_from_db()
    assert key.last_used_at == start + dt.timedelta(seconds=60)


def test_issue_and_revoke_are_audited(issued, bank_officer):
    key, _plain = issued
    tokens.api_key_revoke(by=bank_officer, key=key, reason="更换密钥")
    tokens.api_key_revoke(by=bank_officer, key=key, reason="再次撤销")  # a repeat changes nothing
    events = AuditEvent.objects.filter(object_id=str(key.pk), code__startswith="lenders.apikey.").order_by(
        "id"
    )
    assert [(e.code, e.actor_id) for e in events] == [
        ("lenders.apikey.issue", bank_officer.pk),
        ("lenders.apikey.revoke", bank_officer.pk),
    ]
    assert events[0].data["prefix"] == key.prefix and events[0].data["name"] == "信贷系统对接"
    assert events[1].reason == "更换密钥" and events[1].to_state == "revoked"


# --- the pages ---------------------------------------------------------------------------------------


def test_the_plain_key_is_shown_once_and_the_list_never_shows_it(client_for, bank_officer):
    client = client_for(bank_officer)
    expires = today() + dt.timedelta(days=30)
    response = client.post(NEW_URL, {"name": "信贷系统", "expires_on": f"{expires:%Y-%m-%d}"})
    assert response.status_code == 200
    key = ApiKey.objects.get(user=bank_officer)
    page = response.content.decode()
    plain = page.split('id="api-key-plain">', 1)[1].split("<", 1)[0]
    assert plain.startswith(f"yfk_{key.prefix}.") and call(plain).status_code == 200
    assert "只显示这一次" in page
    listing = client.get(LIST_URL).content.decode()
    assert plain not in listing and plain.split(".", 1)[1] not in listing and key.digest not in listing
    assert f"yfk_{key.prefix}…" in listing and "信贷系统" in listing and "有效" in listing
    assert f"{expires:%Y-%m-%d}（含当日）" in listing
    assert key.valid_through == expires


def test_the_create_form_refuses_a_too_late_expiry_in_chinese(client_for, bank_officer):
    response = client_for(bank_officer).post(NEW_URL, {"name": "x", "expires_on": "2099-01-01"})
    assert response.status_code == 400
    assert "到期日期不能晚于" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revocation_has_a_confirmation_step_and_needs_a_reason(client_for, bank_officer, issued):
    key, plain = issued
    client = client_for(bank_officer)
    url = f"/lenders/api-token/{key.pk}/revoke/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认撤销" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "系统迁移"})
    assert response.status_code == 302
    assert refused(call(plain), "api_key_revoked")
    listing = client.get(LIST_URL).content.decode()
    assert "已撤销" in listing and "系统迁移" in listing


def test_another_person_s_keys_are_neither_listed_nor_revocable(
    client_for, issued, bank_b_officer, bank_supervisor
):
    key, plain = issued
    for other in (bank_b_officer, bank_supervisor):  # another bank; the same bank, another person
        client = client_for(other)
        assert key.prefix not in client.get(LIST_URL).content.decode()
        url = f"/lenders/api-token/{key.pk}/revoke/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "试图撤销"}).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None and call(plain).status_code == 200


def test_the_key_pages_are_404_for_non_bank_users(client_for, bureau_clerk, issued):
    key, _plain = issued
    client = client_for(bureau_clerk)
    assert client.get(LIST_URL).status_code == 404
    assert client.post(NEW_URL, {"name": "x", "expires_on": ""}).status_code == 404
    assert client.get(f"/lenders/api-token/{key.pk}/revoke/").status_code == 404


def test_the_compatible_wrapper_returns_the_plain_key_once(bank_officer):
    first = tokens.api_token_issue(by=bank_officer)
    second = tokens.api_token_issue(by=bank_officer)
    assert first.key != second.key
    assert call(first.key).status_code == 200 and call(second.key).status_code == 200
    assert not hasattr(ApiKey.objects.get(pk=first.pk), "key")


def test_the_migration_deletes_the_former_plaintext_tokens(bank_officer):
    """DRF's tokens (rest_framework.authtoken, plaintext) are revoked by the keys' first migration, and
    one that was left behind does not authenticate anyway."""
    migration = import_module("lenders.apikeys.migrations.0001_initial")
    old = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        if "authtoken_token" not in connection.introspection.table_names(cursor):
            pytest.skip("rest_framework.authtoken is no longer installed: there is no table to empty")
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, now())",
            [old, bank_officer.pk],
        )
    assert call(old).status_code == 401
    with connection.schema_editor() as editor:
        migration.revoke_authtoken_tokens(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
