"""三员分立: the insider attack on issue 11, replayed step by step, is refused at the first step that
needs a second administrator, and every step attempted is in the hash-chained audit trail.

The attack on today's main: the demo `admin` (administrator role only) (1) created `admin2` with the
bureau approver role, (2) reset the finance user's password in the admin site, (3) instructed the
payment of a claim as `admin2` and confirmed it as the finance user.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import postgres_only
from tests.factories import PASSWORD, Flow, ensure_policies, make_non_performing_loan, make_user
from tests.platform.conftest import atomic_refusal
from yunfu_ipfund.accounts.models import AdminRequest, User
from yunfu_ipfund.accounts.roles import MSG_ADMIN_AND_BUSINESS, MSG_BOTH_BANK_ROLES, Role, role_conflict
from yunfu_ipfund.accounts.services import MSG_NEEDS_REQUEST, MSG_NOT_FOR_YOURSELF
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import verify_chain
from yunfu_ipfund.common.errors import ValidationFailed

pytestmark = pytest.mark.django_db

# A refused change of a user's groups raises inside Django's m2m add (which opens no savepoint of its
# own), so each refusal below runs in a savepoint and the test goes on.

ATTACKER_PASSWORD = "Attack-2026-pass!"


@pytest.fixture
def sysadmin(bureau):
    user = make_user("admin", bureau, Role.ADMINISTRATOR, full_name="系统管理员")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def security_admins(bureau):
    return [make_user(name, bureau, Role.SECURITY_ADMIN) for name in ("anquan", "anquan2")]


def _codes(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id").values_list("code", flat=True))


def test_the_insider_takeover_is_refused_at_each_step_and_every_attempt_is_audited(
    sysadmin,
    security_admins,
    bureau,
    finance_bureau,
    bank_a,
    enterprise_a,
    bank_officer,
    bank_supervisor,
    bureau_clerk,
    bureau_approver,
    finance_user,
):
    ensure_policies()
    flow = Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)
    claim = flow.decided(make_non_performing_loan(bank_a, enterprise_a, bank_officer))
    approver_group = Group.objects.get(name=Role.BUREAU_APPROVER)
    admin = Client()
    admin.force_login(sysadmin)

    # 1. admin creates admin2 with the bureau approver role: the account is made, the role is not
    #    granted; a request waits for a second (security) administrator.
    response = admin.post(
        "/admin/accounts/user/add/",
        {
            "username": "admin2",
            "usable_password": "true",
            "password1": ATTACKER_PASSWORD,
            "password2": ATTACKER_PASSWORD,
            "organisation": bureau.pk,
            "full_name": "傀儡审核",
            "groups": [approver_group.pk],
            "request_reason": "临时增加审核人员",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "经另一名安全管理员批准后生效" in page
    admin2 = User.objects.get(username="admin2")
    assert list(admin2.groups.all()) == []
    assert admin2.must_change_password
    filed = AdminRequest.objects.get(target=admin2)
    assert (filed.kind, filed.role, filed.status, filed.requested_by) == (
        AdminRequest.Kind.GRANT_ROLE,
        Role.BUREAU_APPROVER,
        AdminRequest.Status.PENDING,
        sysadmin,
    )
    # ... and admin cannot approve it: the approval is a security administrator's (403).
    approve = admin.post(
        reverse("accounts:admin_request_decide", args=[filed.pk, "approve"]), {"reason": "同意"}
    )
    assert approve.status_code == 403
    assert "您的角色无权执行此操作。" in approve.content.decode()
    filed.refresh_from_db()
    assert filed.status == AdminRequest.Status.PENDING

    # ... nor give itself a business role, directly or by request (三员分立).
    with pytest.raises(ValidationFailed) as conflict, transaction.atomic():
        sysadmin.groups.add(approver_group)
    assert conflict.value.message == MSG_ADMIN_AND_BUSINESS.format(admin="系统管理员", business="市监局审核")
    own = admin.post(
        reverse("accounts:admin_requests"),
        {"kind": "grant_role", "username": "admin", "role": Role.BUREAU_APPROVER, "reason": "自批"},
    )
    assert own.status_code == 200 and MSG_NOT_FOR_YOURSELF in own.content.decode()

    # 2. admin resets the finance user's password in the admin site: refused, 403, nothing changed.
    password_url = f"/admin/accounts/user/{finance_user.pk}/password/"
    refused = admin.post(
        password_url,
        {"usable_password": "true", "password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD},
    )
    assert refused.status_code == 403
    assert MSG_NEEDS_REQUEST in refused.content.decode()
    assert admin.get(password_url).status_code == 403
    finance_user.refresh_from_db()
    assert finance_user.check_password(PASSWORD) and not finance_user.check_password(ATTACKER_PASSWORD)

    # 3. as admin2 (who must first change the password admin chose), instructing the payment is
    #    refused: admin2 holds no role (404: the claim does not exist for it); logging in as the finance
    #    user with the attacker's password fails.
    attacker = Client()
    login = attacker.post("/accounts/login/", {"username": "admin2", "password": ATTACKER_PASSWORD})
    assert login.status_code == 302
    instruct_url = reverse("compensation:claim_action", args=[claim.pk, "instruct"])
    forced = attacker.post(instruct_url)
    assert forced.status_code == 302 and forced["Location"] == "/accounts/password/?required=1"
    admin2.must_change_password = False
    admin2.save(update_fields=["must_change_password"])
    instructed = attacker.post(instruct_url)
    assert instructed.status_code == 404
    claim.refresh_from_db()
    assert claim.status == "decided"
    as_finance = Client().post(
        "/accounts/login/", {"username": finance_user.username, "password": ATTACKER_PASSWORD}
    )
    assert as_finance.status_code == 200 and "用户名或密码不正确" in as_finance.content.decode()

    # Every step attempted is in the hash-chained log.
    assert _codes(actor=sysadmin, object_type="accounts.adminrequest") == [
        "accounts.adminrequest.file",
    ]
    assert "accounts.user.create" in _codes(actor=sysadmin, object_id=str(admin2.pk))
    assert "admin.add" in _codes(actor=sysadmin, object_type="admin.logentry")
    assert _codes(actor=sysadmin, code="access.write_refused")  # the attempted approval
    assert "accounts.role_grant" not in _codes()
    refusals = AuditEvent.objects.filter(code="accounts.adminrequest.refused", object_id=str(finance_user.pk))
    assert [(r.actor, r.data["attempted"]) for r in refusals] == [(sysadmin, "admin_password_form")] * 2
    assert _codes(actor=admin2, code="accounts.login")
    attempt = AuditEvent.objects.get(actor=admin2, code="access.write_refused")
    assert attempt.data["path"] == instruct_url and attempt.data["status"] == 404
    assert _codes(code="accounts.login_failed", object_id=str(finance_user.pk))
    checked, problems = verify_chain()
    assert problems == [] and checked > 10


def test_a_second_security_administrator_grants_the_role_and_the_people_concerned_are_told(
    sysadmin, security_admins, bureau, bureau_approver
):
    from yunfu_ipfund.accounts import services
    from yunfu_ipfund.notices.models import Message

    clerk = make_user("newclerk", bureau)
    filed = services.admin_request_file(
        by=sysadmin, kind="grant_role", target=clerk, role=Role.BUREAU_CLERK, reason="新入职经办"
    )
    approved = services.admin_request_approve(by=security_admins[0], request=filed, reason="核实无误")
    assert approved.status == AdminRequest.Status.APPROVED and approved.decided_by == security_admins[0]
    assert set(clerk.groups.values_list("name", flat=True)) == {Role.BUREAU_CLERK}
    told = set(
        Message.objects.filter(title__startswith="管理操作已生效").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"newclerk", "bureau_approver", "admin"} <= told
    assert _codes(code="accounts.role_grant", object_id=str(clerk.pk)) == ["accounts.role_grant"]
    assert _codes(object_type="accounts.adminrequest", object_id=str(filed.pk)) == [
        "accounts.adminrequest.file",
        "accounts.adminrequest.approve",
    ]


@pytest.mark.parametrize(
    "roles, message",
    [
        (
            {Role.ADMINISTRATOR, Role.BUREAU_CLERK},
            MSG_ADMIN_AND_BUSINESS.format(admin="系统管理员", business="市监局经办"),
        ),
        (
            {Role.SECURITY_ADMIN, Role.FINANCE},
            MSG_ADMIN_AND_BUSINESS.format(admin="安全管理员", business="财政局"),
        ),
        (
            {Role.AUDIT_ADMIN, Role.BUREAU_APPROVER},
            MSG_ADMIN_AND_BUSINESS.format(admin="审计管理员", business="市监局审核"),
        ),
        ({Role.BANK_OFFICER, Role.BANK_SUPERVISOR}, MSG_BOTH_BANK_ROLES),
        ({Role.BUREAU_CLERK, Role.BUREAU_APPROVER}, None),
        ({Role.SECURITY_ADMIN}, None),
    ],
)
def test_the_role_rules(roles, message):
    assert role_conflict(roles) == message


def test_two_administrative_roles_are_never_one_person(bureau):
    user = make_user("both_admins", bureau, Role.SECURITY_ADMIN)
    with pytest.raises(ValidationFailed) as refused, transaction.atomic():
        user.groups.add(Group.objects.get(name=Role.AUDIT_ADMIN))
    assert (
        refused.value.message
        == "三员分立：系统管理员、安全管理员、审计管理员须由不同人员担任（审计管理员、安全管理员）。"
    )


def test_no_bank_account_holds_both_bank_roles_whatever_writes_the_groups(bank_a, bank_officer):
    supervisor = Group.objects.get(name=Role.BANK_SUPERVISOR)
    with pytest.raises(ValidationFailed) as direct, transaction.atomic():
        bank_officer.groups.add(supervisor)
    assert direct.value.message == MSG_BOTH_BANK_ROLES
    with pytest.raises(ValidationFailed), transaction.atomic():
        supervisor.user_set.add(bank_officer)  # from the group's side too
    assert set(bank_officer.groups.values_list("name", flat=True)) == {Role.BANK_OFFICER}


@postgres_only
def test_the_database_refuses_a_forbidden_role_combination_written_around_the_orm(bureau, bank_officer):
    """A row written straight into the groups table (no m2m signal) is refused by PostgreSQL."""
    through = User.groups.through
    supervisor = Group.objects.get(name=Role.BANK_SUPERVISOR)
    error = atomic_refusal(through.objects.create, user=bank_officer, group=supervisor)
    assert error is not None and "三员分立" in str(error)
    admin = make_user("raw_admin", bureau, Role.ADMINISTRATOR)
    error = atomic_refusal(through.objects.create, user=admin, group=Group.objects.get(name=Role.FINANCE))
    assert error is not None
    assert atomic_refusal(through.objects.create, user=admin, group=Group.objects.get(name=Role.AUDIT_ADMIN))
    clerk = make_user("raw_clerk", bureau, Role.BUREAU_CLERK)
    assert (
        atomic_refusal(through.objects.create, user=clerk, group=Group.objects.get(name=Role.BUREAU_APPROVER))
        is None
    )
