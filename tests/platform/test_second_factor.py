"""A second factor for every staff role (issue 11 item 2; accounts.second_factor): TOTP with django-otp,
enrolled at the first login, one-time recovery codes kept as keyed hashes, a lockout after 5 wrong codes,
a reset only through an administrative request another security administrator approves.

These tests log in with the password only, as production does (`real_second_factor`: the suite's
automatic verification of every login, tests/conftest.py, is off here)."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.conftest import postgres_only, run_in_parallel
from tests.factories import PASSWORD, make_user
from yunfu_ipfund.accounts import second_factor, services
from yunfu_ipfund.accounts.context_processors import nav_items
from yunfu_ipfund.accounts.models import AdminRequest, RecoveryCode, RecoveryCodeDevice
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.errors import Forbidden, ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

ROOT = Path(__file__).resolve().parents[2]
CODE_PAGE = "/accounts/second-factor/"
ENROL_PAGE = "/accounts/second-factor/enrol/"


@pytest.fixture
def security_admin(bureau):
    return make_user("anquan", bureau, Role.SECURITY_ADMIN, full_name="安全管理员")


@pytest.fixture
def security_admin2(bureau):
    return make_user("anquan2", bureau, Role.SECURITY_ADMIN, full_name="安全管理员二")


@pytest.fixture
def audit_admin(bureau):
    return make_user("shenji", bureau, Role.AUDIT_ADMIN, full_name="审计管理员")


STAFF = [
    "bank_officer",
    "bank_supervisor",
    "bureau_clerk",
    "bureau_approver",
    "finance_user",
    "administrator",
    "security_admin",
    "audit_admin",
]


def password_login(user):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def enrol_device(user):
    """A confirmed authenticator, as after enrolment (without the page)."""
    return TOTPDevice.objects.create(user=user, name="认证器应用", confirmed=True)


def code_of(device, offset=0):
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + offset * device.step
    return f"{totp.token():06d}"


def codes(user, prefix="accounts.second_factor"):
    return list(
        AuditEvent.objects.filter(object_id=str(user.pk), code__startswith=prefix)
        .order_by("id")
        .values_list("code", flat=True)
    )


def business_urls(user):
    """The role's home, its navigation (every business page it is offered) and a few more."""
    urls = [url for _label, url in nav_items(user)]
    return urls + [reverse("accounts:home"), reverse("accounts:tasks"), "/notices/inbox/", "/admin/"]


# --- a password-only session opens nothing ----------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF)
@pytest.mark.parametrize("enrolled", [False, True], ids=["first_login", "enrolled"])
def test_a_staff_session_with_the_password_only_opens_no_business_page(request, persona, enrolled):
    user = request.getfixturevalue(persona)
    if enrolled:
        enrol_device(user)
    client = password_login(user)
    target = CODE_PAGE if enrolled else ENROL_PAGE
    urls = business_urls(user)
    assert len(urls) >= 5
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{target}?next="), (url, response["Location"])
    # POSTs are refused outright, with the reason, in the page and in JSON.
    refused = client.post("/notices/inbox/read/", {"all": "1"})
    assert refused.status_code == 403
    assert second_factor.MSG_REQUIRED in refused.content.decode()
    as_json = client.post("/notices/inbox/read/", {}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 403
    assert as_json.json()["error"] == {
        "code": "second_factor_required",
        "message": second_factor.MSG_REQUIRED,
        "details": [],
    }
    # A session-authenticated API call is refused too (the token API is another matter, below).
    assert client.get("/api/filings/").status_code == 403
    # What stays open: the second factor's page, the password change and logout.
    assert client.get(target).status_code == 200
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:home"))["Location"].startswith("/accounts/login/")


def test_the_code_page_is_not_offered_navigation_while_the_code_is_owed(bank_officer):
    enrol_device(bank_officer)
    page = password_login(bank_officer).get(CODE_PAGE).content.decode()
    assert 'aria-label="主导航"' in page
    assert reverse("lenders:filing_list") not in page
    assert "动态验证码" in page


def test_the_bank_api_with_its_key_is_not_concerned_by_the_session_rule(bank_officer):
    from lenders.services import api_token_issue

    token = api_token_issue(by=bank_officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/filings/").status_code == 200


# --- enrolment -------------------------------------------------------------------------------------


def test_enrolment_refuses_a_wrong_code_accepts_the_right_one_and_shows_ten_recovery_codes_once(
    bureau_approver,
):
    client = password_login(bureau_approver)
    page = client.get(ENROL_PAGE).content.decode()
    device = TOTPDevice.objects.get(user=bureau_approver)
    assert not device.confirmed
    assert second_factor.secret_grouped(device) in page
    assert "<svg" in page and "云浮市知识产权质押融资风险补偿平台" in page
    uri = second_factor.otpauth_uri(device)
    assert uri.startswith("otpauth://totp/") and f"secret={second_factor.secret_base32(device)}" in uri

    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    refused = client.post(ENROL_PAGE, {"code": wrong})
    assert refused.status_code == 400
    assert second_factor.MSG_ENROL_WRONG_CODE in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("accounts:home")).status_code == 302

    accepted = client.post(ENROL_PAGE, {"code": code_of(device), "next": "/accounts/tasks/"})
    assert accepted.status_code == 200
    shown = accepted.context["codes"]
    assert len(shown) == 10 and len(set(shown)) == 10
    body = accepted.content.decode()
    assert all(code in body for code in shown) and "只显示这一次" in body
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("accounts:home")).status_code == 200  # the session is verified
    assert client.get(ENROL_PAGE).status_code == 302  # nothing to enrol again, nothing shown again
    assert codes(bureau_approver) == ["accounts.second_factor.failed", "accounts.second_factor.enrol"]

    # The next login asks for the code; the right one verifies the session.
    again = password_login(bureau_approver)
    assert again.get(reverse("accounts:home"))["Location"].startswith(CODE_PAGE)
    passed = again.post(CODE_PAGE, {"code": code_of(device, offset=1), "next": "/accounts/tasks/"})
    assert passed.status_code == 302 and passed["Location"] == "/accounts/tasks/"
    assert again.get(reverse("accounts:home")).status_code == 200
    assert codes(bureau_approver)[-1] == "accounts.second_factor.verify"


def test_recovery_codes_work_once_each_and_are_not_stored_in_plaintext(finance_user):
    client = password_login(finance_user)
    client.get(ENROL_PAGE)
    device = TOTPDevice.objects.get(user=finance_user)
    shown = client.post(ENROL_PAGE, {"code": code_of(device)}).context["codes"]

    # Not in the table: neither the code nor its undecorated form is in any column of any row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_recoverycode")
        rows = cursor.fetchall()
    assert len(rows) == 10
    stored = " ".join(str(value) for row in rows for value in row)
    for code in shown:
        assert code not in stored and code.replace("-", "") not in stored
    assert all(len(r.digest) == 64 for r in RecoveryCode.objects.all())

    first, second = shown[0], shown[1]
    one = password_login(finance_user)
    used = one.post(CODE_PAGE, {"code": first.lower()})  # read off paper: case and hyphen do not matter
    assert used.status_code == 302
    assert one.get(reverse("accounts:home")).status_code == 200
    assert RecoveryCodeDevice.objects.get(user=finance_user).codes_left() == 9

    two = password_login(finance_user)
    reused = two.post(CODE_PAGE, {"code": first})
    assert reused.status_code == 400
    assert second_factor.MSG_WRONG_CODE.format(left=4) in reused.content.decode()
    assert two.post(CODE_PAGE, {"code": second.replace("-", "")}).status_code == 302
    assert codes(finance_user)[-3:] == [
        "accounts.second_factor.recovery_code",
        "accounts.second_factor.failed",
        "accounts.second_factor.recovery_code",
    ]


# --- lockout ---------------------------------------------------------------------------------------


def test_five_wrong_codes_lock_the_second_factor_as_the_password_lockout_does(settings, bank_supervisor):
    device = enrol_device(bank_supervisor)
    client = password_login(bank_supervisor)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        response = client.post(CODE_PAGE, {"code": wrong})
        assert response.status_code == 400
        assert second_factor.MSG_WRONG_CODE.format(left=left) in response.content.decode()
    locked = client.post(CODE_PAGE, {"code": wrong})
    assert locked.status_code == 403
    bank_supervisor.refresh_from_db()
    message = second_factor.lock_message(bank_supervisor)
    assert message in locked.content.decode() and "连续错误 5 次" in message
    assert client.get(reverse("accounts:home"))["Location"].startswith("/accounts/login/")  # logged out

    # Even the right code is refused until the cool-off has passed, and the refusal counts nothing.
    again = password_login(bank_supervisor)
    assert message in again.get(CODE_PAGE).content.decode()
    refused = again.post(CODE_PAGE, {"code": code_of(device)})
    assert refused.status_code == 403 and message in refused.content.decode()
    assert codes(bank_supervisor) == ["accounts.second_factor.failed"] * 5 + ["accounts.second_factor.locked"]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)):
        later = password_login(bank_supervisor)
        assert later.post(CODE_PAGE, {"code": code_of(device)}).status_code == 302
        assert later.get(reverse("accounts:home")).status_code == 200
    bank_supervisor.refresh_from_db()
    assert bank_supervisor.otp_failures == 0


def test_a_code_is_accepted_once(bank_officer):
    device = enrol_device(bank_officer)
    code = code_of(device)
    assert password_login(bank_officer).post(CODE_PAGE, {"code": code}).status_code == 302
    replayed = password_login(bank_officer).post(CODE_PAGE, {"code": code})
    assert replayed.status_code == 400
    assert second_factor.MSG_WRONG_CODE.format(left=4) in replayed.content.decode()


def test_a_right_code_resets_the_count_of_wrong_ones(bank_officer):
    device = enrol_device(bank_officer)
    client = password_login(bank_officer)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        client.post(CODE_PAGE, {"code": wrong})
    assert client.post(CODE_PAGE, {"code": code_of(device)}).status_code == 302
    bank_officer.refresh_from_db()
    assert bank_officer.otp_failures == 0 and bank_officer.otp_locked_until is None


# --- reset: an administrative request, approved by a second security administrator -----------------


def test_a_reset_needs_a_second_security_administrator_and_the_holder_enrols_again(
    security_admin, security_admin2, administrator, bank_officer, bank_supervisor
):
    from yunfu_ipfund.notices.models import Message

    device = enrol_device(bank_officer)
    verified = password_login(bank_officer)
    verified.post(CODE_PAGE, {"code": code_of(device)})
    assert verified.get(reverse("accounts:home")).status_code == 200

    with pytest.raises(Forbidden) as not_security:
        services.admin_request_file(
            by=administrator, kind="reset_second_factor", target=bank_officer, reason="手机丢失"
        )
    assert not_security.value.message == second_factor.MSG_RESET_BY_SECURITY_ADMIN
    filed = services.admin_request_file(
        by=security_admin, kind="reset_second_factor", target=bank_officer, reason="手机丢失"
    )
    assert filed.get_kind_display() == "重置第二认证因素"
    with pytest.raises(Forbidden) as same:
        services.admin_request_approve(by=security_admin, request=filed, reason="")
    assert same.value.message == services.MSG_DECIDER_IS_REQUESTER
    assert TOTPDevice.objects.filter(user=bank_officer).exists()  # nothing changed

    services.admin_request_approve(by=security_admin2, request=filed, reason="已核实本人")
    filed.refresh_from_db()
    assert filed.status == AdminRequest.Status.APPROVED
    assert not TOTPDevice.objects.filter(user=bank_officer).exists()
    assert not RecoveryCodeDevice.objects.filter(user=bank_officer).exists()
    reset = AuditEvent.objects.get(code="accounts.second_factor.reset", object_id=str(bank_officer.pk))
    assert reset.actor == security_admin2
    told = set(
        Message.objects.filter(title__startswith="管理操作已生效").values_list(
            "recipient__username", flat=True
        )
    )
    assert {bank_officer.username, bank_supervisor.username, security_admin.username} <= told
    # The session the removed authenticator verified is no longer verified; the next login enrols again.
    assert verified.get(reverse("accounts:home"))["Location"].startswith(ENROL_PAGE)
    assert password_login(bank_officer).get(reverse("accounts:home"))["Location"].startswith(ENROL_PAGE)

    with pytest.raises(ValidationFailed) as nothing:
        services.admin_request_file(
            by=security_admin, kind="reset_second_factor", target=bank_officer, reason="再次"
        )
    assert nothing.value.message == second_factor.MSG_NOT_ENROLLED.format(user=bank_officer)


def test_a_reset_clears_a_lockout(security_admin, security_admin2, bureau_clerk):
    enrol_device(bureau_clerk)
    bureau_clerk.otp_locked_until = timezone.now() + dt.timedelta(minutes=20)
    bureau_clerk.save()
    filed = services.admin_request_file(
        by=security_admin, kind="reset_second_factor", target=bureau_clerk, reason="锁定"
    )
    services.admin_request_approve(by=security_admin2, request=filed)
    bureau_clerk.refresh_from_db()
    assert bureau_clerk.otp_locked_until is None and bureau_clerk.otp_failures == 0


# --- enterprise users may opt in ---------------------------------------------------------------------


def test_enterprise_users_are_not_forced_but_once_enrolled_need_the_code(enterprise_user):
    client = password_login(enterprise_user)
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 200 and f'href="{ENROL_PAGE}"' in home.content.decode()
    page = client.get(ENROL_PAGE)
    assert page.status_code == 200 and "启用后" in page.content.decode()
    device = TOTPDevice.objects.get(user=enterprise_user)
    assert client.post(ENROL_PAGE, {"code": code_of(device)}).status_code == 200
    later = password_login(enterprise_user)
    assert later.get(reverse("accounts:home"))["Location"].startswith(CODE_PAGE)


# --- the demo setting ---------------------------------------------------------------------------------


def test_demo_show_totp_shows_the_code_only_when_set(settings, finance_user):
    device = enrol_device(finance_user)
    client = password_login(finance_user)
    assert "演示环境" not in client.get(CODE_PAGE).content.decode()
    settings.DEMO_SHOW_TOTP = True
    page = client.get(CODE_PAGE).content.decode()
    assert "演示环境" in page and "demo-banner" in page
    assert second_factor.current_code(device) in page


def test_the_production_settings_refuse_demo_show_totp():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "TESTING", "PYTEST_CURRENT_TEST", "PYTEST_VERSION")
    }
    env.update(DEBUG="0", TESTING="0", DEMO_SHOW_TOTP="1", SECRET_KEY="x" * 60)
    result = subprocess.run(
        [sys.executable, "-c", "import yunfu_ipfund.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DEMO_SHOW_TOTP" in result.stderr and "refused in production" in result.stderr


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_codes_are_each_counted_and_lock_at_the_fifth(bank_officer):
    device = enrol_device(bank_officer)
    wrong = f"{(int(code_of(device)) + 500_000) % 1_000_000:06d}"
    results = run_in_parallel(*[lambda: second_factor.verify(user=bank_officer, token=wrong)] * 5)
    locked = [r for r in results if isinstance(r, second_factor.SecondFactorLocked)]
    refused = sorted(r.message for r in results if type(r) is ValidationFailed)
    assert len(locked) == 1
    assert refused == sorted(second_factor.MSG_WRONG_CODE.format(left=n) for n in (1, 2, 3, 4))
    bank_officer.refresh_from_db()
    assert bank_officer.otp_locked_until is not None


def test_new_recovery_codes_replace_the_old_ones_and_are_audited(bank_officer):
    device = enrol_device(bank_officer)
    client = password_login(bank_officer)
    assert client.get(reverse("accounts:recovery_codes"))["Location"].startswith(CODE_PAGE)
    client.post(CODE_PAGE, {"code": code_of(device)})
    old = second_factor.recovery_codes_reissue(user=bank_officer)
    assert "还有 10 个" in client.get(reverse("accounts:recovery_codes")).content.decode()
    new = client.post(reverse("accounts:recovery_codes")).context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert password_login(bank_officer).post(CODE_PAGE, {"code": old[0]}).status_code == 400
    assert password_login(bank_officer).post(CODE_PAGE, {"code": new[0]}).status_code == 302
    assert codes(bank_officer).count("accounts.second_factor.recovery_codes") == 2
