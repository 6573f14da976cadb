"""Administrative requests (accounts.services): a change of rights made only when a different security
administrator approves it, through the workflow contract, audited, told to the people concerned."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_user
from yunfu_ipfund.accounts import services
from yunfu_ipfund.accounts.models import AdminRequest
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.errors import Conflict, Forbidden, ValidationFailed
from yunfu_ipfund.notices.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(bureau):
    return make_user("admin", bureau, Role.ADMINISTRATOR)


@pytest.fixture
def anquan(bureau):
    return make_user("anquan", bureau, Role.SECURITY_ADMIN)


@pytest.fixture
def anquan2(bureau):
    return make_user("anquan2", bureau, Role.SECURITY_ADMIN)


@pytest.fixture
def auditor(bureau):
    return make_user("shenji", bureau, Role.AUDIT_ADMIN)


def test_a_password_reset_is_made_by_the_second_security_administrator_and_mailed_to_the_holder(
    anquan, anquan2, finance_user, django_capture_on_commit_callbacks
):
    finance_user.email = "caizheng@example.invalid"
    finance_user.save()
    filed = services.admin_request_file(
        by=anquan, kind="reset_password", target=finance_user, reason="本人遗忘密码"
    )
    finance_user.refresh_from_db()
    assert finance_user.check_password(PASSWORD)  # nothing changes on filing
    with pytest.raises(Forbidden) as own:
        services.admin_request_approve(by=anquan, request=filed)
    assert own.value.message == services.MSG_DECIDER_IS_REQUESTER
    with django_capture_on_commit_callbacks(execute=True):
        services.admin_request_approve(by=anquan2, request=filed, reason="已电话核实本人")
    finance_user.refresh_from_db()
    assert not finance_user.check_password(PASSWORD) and finance_user.must_change_password
    [letter] = [m for m in mail.outbox if m.subject.endswith("临时密码")]
    assert letter.to == ["caizheng@example.invalid"]
    temporary = letter.body.split("临时密码为 ")[1].split(" ")[0]
    assert finance_user.check_password(temporary)
    assert not Message.objects.filter(body__contains=temporary).exists()  # never in an inbox
    assert (
        AuditEvent.objects.filter(code="accounts.password_reset", object_id=str(finance_user.pk)).count() == 1
    )
    # the holder (and the finance users, their supervisors) are told in the inbox
    assert Message.objects.filter(recipient=finance_user, title__startswith="管理操作已生效").exists()


def test_the_account_concerned_cannot_decide_about_itself(anquan, anquan2, bureau):
    filed = services.admin_request_file(
        by=anquan, kind="revoke_role", target=anquan2, role=Role.SECURITY_ADMIN, reason="调岗"
    )
    with pytest.raises(Forbidden) as refused:
        services.admin_request_approve(by=anquan2, request=filed)
    assert refused.value.message == services.MSG_DECIDER_IS_TARGET


@pytest.mark.parametrize("decider", ["sysadmin", "auditor", "bureau_approver"])
def test_only_a_security_administrator_decides(request, anquan, bureau_clerk, decider):
    person = request.getfixturevalue(decider)
    filed = services.admin_request_file(by=anquan, kind="reset_password", target=bureau_clerk, reason="遗忘")
    with pytest.raises(Forbidden) as refused:
        services.admin_request_approve(by=person, request=filed)
    assert refused.value.message == "您的角色无权执行此操作。"


def test_a_business_user_or_the_auditor_cannot_file(auditor, bureau_approver, bureau_clerk):
    for person in (auditor, bureau_approver):
        with pytest.raises(Forbidden) as refused:
            services.admin_request_file(by=person, kind="reset_password", target=bureau_clerk, reason="x")
        assert refused.value.message == services.MSG_NOT_AN_ADMINISTRATOR


def test_a_request_that_would_break_the_role_rules_is_refused_at_filing(sysadmin, anquan, bank_officer):
    with pytest.raises(ValidationFailed) as refused:
        services.admin_request_file(
            by=sysadmin, kind="grant_role", target=bank_officer, role=Role.BANK_SUPERVISOR, reason="兼任"
        )
    assert refused.value.message == "银行经办与银行复核须由不同人员担任（四眼原则），同一账号不能兼任。"
    with pytest.raises(ValidationFailed) as wrong_org:
        services.admin_request_file(
            by=sysadmin, kind="grant_role", target=bank_officer, role=Role.FINANCE, reason="兼任"
        )
    assert wrong_org.value.message == "角色“财政局”不适用于合作银行的用户。"
    with pytest.raises(ValidationFailed) as admin_and_business:
        services.admin_request_file(
            by=anquan, kind="grant_role", target=sysadmin, role=Role.BUREAU_APPROVER, reason="兼任"
        )
    assert (
        admin_and_business.value.message
        == "三员分立：管理员角色（系统管理员）不能与业务角色（市监局审核）由同一账号兼任。"
    )


def test_the_same_request_twice_is_a_conflict_and_a_decided_one_cannot_be_decided_again(
    sysadmin, anquan, anquan2, bureau_clerk
):
    filed = services.admin_request_file(
        by=sysadmin, kind="reset_password", target=bureau_clerk, reason="遗忘"
    )
    with pytest.raises(Conflict):
        services.admin_request_file(by=sysadmin, kind="reset_password", target=bureau_clerk, reason="遗忘")
    services.admin_request_reject(by=anquan, request=filed, reason="未核实本人身份")
    with pytest.raises(Conflict):
        services.admin_request_approve(by=anquan2, request=filed)
    filed.refresh_from_db()
    assert (filed.status, filed.decided_by, filed.decision_reason) == ("rejected", anquan, "未核实本人身份")
    bureau_clerk.refresh_from_db()
    assert bureau_clerk.check_password(PASSWORD)


def test_a_rejection_needs_a_reason(sysadmin, anquan, bureau_clerk):
    filed = services.admin_request_file(
        by=sysadmin, kind="reset_password", target=bureau_clerk, reason="遗忘"
    )
    with pytest.raises(ValidationFailed):
        services.admin_request_reject(by=anquan, request=filed, reason=" ")


def test_a_reactivation_is_a_request(sysadmin, anquan, bureau_clerk):
    bureau_clerk.is_active = False
    bureau_clerk.save()
    filed = services.admin_request_file(
        by=sysadmin, kind="reactivate", target=bureau_clerk, reason="休假返岗"
    )
    services.admin_request_approve(by=anquan, request=filed)
    bureau_clerk.refresh_from_db()
    assert bureau_clerk.is_active
    with pytest.raises(ValidationFailed):
        services.admin_request_file(by=sysadmin, kind="reactivate", target=bureau_clerk, reason="再次")


def test_the_admin_user_form_files_a_reactivation_instead_of_switching_the_account_on(sysadmin, bureau_clerk):
    sysadmin.is_staff = True
    sysadmin.save()
    bureau_clerk.is_active = False
    bureau_clerk.save()
    client = Client()
    client.force_login(sysadmin)
    form = {
        "username": bureau_clerk.username,
        "is_active": "on",
        "organisation": bureau_clerk.organisation_id,
        "date_joined_0": "2026-11-26",
        "date_joined_1": "09:00:00",
        "groups": list(bureau_clerk.groups.values_list("pk", flat=True)),
    }
    without_reason = client.post(f"/admin/accounts/user/{bureau_clerk.pk}/change/", form)
    assert without_reason.status_code == 200
    assert "变更角色或启用账号须填写申请理由" in without_reason.content.decode()
    done = client.post(f"/admin/accounts/user/{bureau_clerk.pk}/change/", {**form, "request_reason": "返岗"})
    assert done.status_code == 302
    bureau_clerk.refresh_from_db()
    assert not bureau_clerk.is_active
    assert AdminRequest.objects.get(target=bureau_clerk).kind == "reactivate"


def test_an_undecided_request_expires_after_seven_days(sysadmin, bureau_clerk):
    filed = services.admin_request_file(
        by=sysadmin, kind="reset_password", target=bureau_clerk, reason="遗忘"
    )
    services.admin_requests_expire()
    filed.refresh_from_db()
    assert filed.status == "pending"
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        services.admin_requests_expire()
    filed.refresh_from_db()
    assert filed.status == "expired"


def test_the_requests_page_decides_through_the_moves(
    sysadmin, anquan, anquan2, auditor, bureau_clerk, bureau_approver
):
    filed = services.admin_request_file(
        by=sysadmin, kind="reset_password", target=bureau_clerk, reason="遗忘"
    )
    url = reverse("accounts:admin_request", args=[filed.pk])
    second = Client()
    second.force_login(anquan2)
    page = second.get(url).content.decode()
    assert "批准管理操作申请" in page and "驳回管理操作申请" in page
    reader = Client()
    reader.force_login(auditor)
    assert "批准管理操作申请" not in reader.get(url).content.decode()
    outsider = Client()
    outsider.force_login(bureau_approver)
    assert outsider.get(url).status_code == 404
    assert outsider.get(reverse("accounts:admin_requests")).status_code == 404
    done = second.post(
        reverse("accounts:admin_request_decide", args=[filed.pk, "approve"]), {"reason": "核实"}
    )
    assert done.status_code == 302
    filed.refresh_from_db()
    assert filed.status == "approved" and filed.decided_by == anquan2
