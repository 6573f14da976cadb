"""Every security event in the hash-chained audit log (audit.security), kept at least
AUDIT_RETENTION_DAYS, read and exported by the audit administrator only."""

import csv
import io

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_user
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import verify_chain

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _codes(user):
    return list(
        AuditEvent.objects.filter(object_id=str(user.pk)).order_by("id").values_list("code", flat=True)
    )


@pytest.fixture
def auditor(bureau):
    user = make_user("shenji", bureau, Role.AUDIT_ADMIN)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def sysadmin(bureau):
    user = make_user("admin", bureau, Role.ADMINISTRATOR)
    user.is_staff = True
    user.save()
    return user


def test_login_failure_and_logout_are_audited(client, bank_officer):
    assert client.post(LOGIN, {"username": bank_officer.username, "password": "wrong"}).status_code == 200
    assert client.post(LOGIN, {"username": bank_officer.username, "password": PASSWORD}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert _codes(bank_officer) == ["accounts.login_failed", "accounts.login", "accounts.logout"]
    failed = AuditEvent.objects.get(code="accounts.login_failed")
    assert failed.actor is None and failed.action == "登录失败"


def test_a_failed_login_for_no_such_account_is_audited_too(client):
    client.post(LOGIN, {"username": "nobody", "password": "wrong"})
    event = AuditEvent.objects.get(code="accounts.login_failed")
    assert event.data == {"username": "nobody"} and event.object_repr == "nobody"


def test_the_lockout_is_audited(client, bank_officer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(LOGIN, {"username": bank_officer.username, "password": "nope"})
    assert "accounts.locked_out" in _codes(bank_officer)


def test_every_admin_site_change_is_in_the_chain(sysadmin, bank_a):
    client = Client()
    client.force_login(sysadmin)
    response = client.post(
        f"/admin/accounts/organisation/{bank_a.pk}/change/",
        {
            "kind": "bank",
            "name": "中国工商银行云浮分行（更名）",
            "uscc": bank_a.uscc or "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    logged = AuditEvent.objects.get(code="admin.change")
    assert logged.actor == sysadmin and logged.data["model"] == "accounts.organisation"
    assert logged.data["object_id"] == str(bank_a.pk)
    assert verify_chain()[1] == []


def test_the_audit_administrator_reads_and_exports_the_trail_and_nobody_else(
    auditor, sysadmin, bureau_approver, bank_officer
):
    reader = Client()
    reader.force_login(auditor)
    assert reader.get("/audit/").status_code == 200
    response = reader.get("/audit/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff审计日志校验：完整")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][:6] == ["编号", "时间", "操作人", "所属机构", "操作代码", "操作"]
    assert "accounts.login" in {row[4] for row in rows[2:]}
    assert AuditEvent.objects.filter(code="audit.export", actor=auditor).count() == 1
    for person in (sysadmin, bureau_approver, bank_officer):
        other = Client()
        other.force_login(person)
        assert other.get("/audit/export.csv").status_code == 404
    system = Client()
    system.force_login(sysadmin)
    assert system.get("/audit/").status_code == 404  # the system administrator does not read the trail


def test_the_audit_administrator_changes_nothing(auditor, bank_a):
    client = Client()
    client.force_login(auditor)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    refused = client.post(
        f"/admin/accounts/organisation/{bank_a.pk}/change/",
        {"kind": "bank", "name": "改名", "is_active": "on"},
    )
    assert refused.status_code == 403
    assert client.get("/admin/accounts/user/add/").status_code == 403


def test_audit_events_are_kept_at_least_180_days_and_nothing_deletes_them(settings, bank_officer):
    from django.db import DatabaseError, transaction

    assert settings.AUDIT_RETENTION_DAYS >= 180
    Client().post(LOGIN, {"username": bank_officer.username, "password": "wrong"})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_a_deactivation_and_a_change_of_organisation_in_the_admin_site_are_security_events(
    sysadmin, bureau_clerk, finance_bureau
):
    client = Client()
    client.force_login(sysadmin)
    form = {
        "username": bureau_clerk.username,
        "organisation": finance_bureau.pk,
        "date_joined_0": "2026-11-26",
        "date_joined_1": "09:00:00",
    }  # no "is_active": switched off; no groups: the clerk role is asked to be revoked
    response = client.post(
        f"/admin/accounts/user/{bureau_clerk.pk}/change/", {**form, "request_reason": "调离"}
    )
    assert response.status_code == 302
    bureau_clerk.refresh_from_db()
    assert not bureau_clerk.is_active and bureau_clerk.organisation == finance_bureau
    codes = _codes(bureau_clerk)
    assert "accounts.deactivate" in codes and "accounts.organisation_change" in codes
