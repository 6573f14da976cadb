"""Roles are groups with named permissions; a record outside the user's organisation is 404."""

import pytest
from django.contrib.auth.models import Group, Permission

from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_PREPARE,
    PERM_READ_ALL,
    ROLE_PERMISSIONS,
    Role,
    ensure_role_groups,
)
from yunfu_ipfund.accounts.selectors import access, scope_to_org
from yunfu_ipfund.common.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db

# Written out by hand, so that a change to roles.py that drops a permission fails here.
EXPECTED_PERMISSIONS = {
    "enterprise_user": {"accounts.act_for_enterprise"},
    "bank_officer": {"accounts.bank_prepare"},
    "bank_supervisor": {"accounts.bank_countersign"},
    "bureau_clerk": {"accounts.bureau_review", "accounts.read_all"},
    "bureau_approver": {"accounts.bureau_approve", "accounts.read_all"},
    "finance": {"accounts.finance_confirm", "accounts.read_all"},
}
# The administrator keeps users, organisations, policy versions and the holiday table in the admin.
ADMINISTRATOR_NEEDS = {
    "accounts.administer",
    "accounts.change_user",
    "accounts.add_user",
    "accounts.change_organisation",
    "accounts.add_organisation",
    "policy.change_policyversion",
    "policy.add_policyversion",
    "policy.change_lprrate",
    "policy.add_lprrate",
    "policy.add_holidayyear",
    "policy.add_holidayday",
    "policy.change_holidayday",
    "policy.delete_holidayday",
}


def group_permissions(name):
    group = Group.objects.get(name=name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


@pytest.mark.parametrize("role, perms", sorted(EXPECTED_PERMISSIONS.items()))
def test_each_role_group_exists_after_migrate_with_exactly_its_named_permissions(role, perms):
    assert group_permissions(role) == perms


def test_the_administrator_group_can_keep_users_policy_and_holidays_but_not_read_business_records():
    perms = group_permissions(Role.ADMINISTRATOR)
    assert ADMINISTRATOR_NEEDS <= perms
    assert PERM_READ_ALL not in perms
    # 三员分立: reading the audit trail is the audit administrator's, not the system administrator's.
    assert "audit.view_auditevent" not in perms


def test_every_role_has_a_group_and_every_named_permission_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    for perms in ROLE_PERMISSIONS.values():
        for perm in perms:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (
                perm
            )


def test_ensure_role_groups_repairs_a_tampered_group_and_is_idempotent():
    Group.objects.get(name=Role.BUREAU_CLERK).permissions.clear()
    ensure_role_groups()
    ensure_role_groups()
    assert group_permissions(Role.BUREAU_CLERK) == EXPECTED_PERMISSIONS["bureau_clerk"]
    assert Group.objects.filter(name__in=Role.values).count() == len(Role.values)


def test_persona_permissions_follow_their_groups(bank_officer, bureau_clerk, enterprise_user):
    assert bank_officer.has_perm(PERM_BANK_PREPARE)
    assert not bank_officer.has_perm(PERM_READ_ALL)
    assert bureau_clerk.has_perm(PERM_READ_ALL)
    assert not enterprise_user.has_perm(PERM_BANK_PREPARE)


# --- scope_to_org and access ----------------------------------------------------------------------


def users_of_banks():
    return User.objects.filter(organisation__kind="bank")


def test_a_bank_user_sees_only_rows_of_its_own_bank(bank_officer, bank_supervisor, bank_b_officer):
    visible = scope_to_org(users_of_banks(), bank_officer, "organisation")
    assert set(visible) == {bank_officer, bank_supervisor}


@pytest.mark.parametrize("persona", ["bureau_clerk", "bureau_approver", "finance_user"])
def test_read_all_roles_see_every_organisations_rows(request, persona, bank_officer, bank_b_officer):
    user = request.getfixturevalue(persona)
    assert set(scope_to_org(users_of_banks(), user, "organisation")) == {bank_officer, bank_b_officer}


def test_several_paths_are_alternatives_and_rows_are_not_repeated(
    bank_officer, bank_b_officer, enterprise_user
):
    qs = User.objects.all()
    visible = scope_to_org(qs, bank_officer, "organisation", "organisation__users__organisation")
    assert list(visible) == [bank_officer]


def test_anonymous_inactive_and_organisationless_users_see_nothing(bank_officer, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not scope_to_org(users_of_banks(), AnonymousUser(), "organisation").exists()
    bank_officer.is_active = False
    assert not scope_to_org(users_of_banks(), bank_officer, "organisation").exists()
    loner = django_user_model.objects.create_user("loner", password="x" * 12)
    assert not scope_to_org(users_of_banks(), loner, "organisation").exists()


def test_access_to_another_organisations_record_is_not_found_never_forbidden(bank_officer, bank_b_officer):
    scoped = scope_to_org(users_of_banks(), bank_officer, "organisation")
    with pytest.raises(NotFound) as caught:
        access(scoped, bank_b_officer.pk)
    assert caught.value.status == 404
    assert "未找到" in caught.value.message
    assert access(scoped, bank_officer.pk) == bank_officer


@pytest.mark.parametrize("bad_pk", [999_999_999, "abc", None, "", "1; DROP TABLE", 10**30])
def test_access_with_a_missing_or_malformed_key_is_not_found(bank_officer, bad_pk):
    with pytest.raises(NotFound):
        access(scope_to_org(users_of_banks(), bank_officer, "organisation"), bad_pk)


def test_access_with_a_permission_the_user_lacks_is_forbidden(bank_officer):
    scoped = scope_to_org(users_of_banks(), bank_officer, "organisation")
    with pytest.raises(Forbidden):
        access(scoped, bank_officer.pk, user=bank_officer, perm=PERM_READ_ALL)


# --- notice PDFs: addressee, copied organisations and read_all staff only -------------------------


@pytest.fixture
def bank_a_notice(issue, fast_pdf, bank_a, enterprise_a, bureau_approver):
    return issue(bank_a, by=bureau_approver, copied_to=[enterprise_a])


@pytest.mark.parametrize(
    "persona",
    ["bank_officer", "bank_supervisor", "enterprise_user", "bureau_clerk", "bureau_approver", "finance_user"],
)
def test_the_notice_pdf_is_served_to_the_addressee_copied_organisations_and_read_all_staff(
    request, login_as, bank_a_notice, persona, fast_pdf
):
    client = login_as(request.getfixturevalue(persona))
    response = client.get(f"/notices/{bank_a_notice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == fast_pdf
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert client.get(f"/notices/{bank_a_notice.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["bank_b_officer", "enterprise_b_user", "outsider", "administrator"])
def test_another_organisation_cannot_see_or_download_the_notice(request, login_as, bank_a_notice, persona):
    client = login_as(request.getfixturevalue(persona))
    for url in (f"/notices/{bank_a_notice.pk}/pdf/", f"/notices/{bank_a_notice.pk}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert bank_a_notice.number not in response.content.decode()
    assert bank_a_notice.number not in client.get("/notices/").content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page_for_a_notice_pdf(client, bank_a_notice):
    response = client.get(f"/notices/{bank_a_notice.pk}/pdf/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
