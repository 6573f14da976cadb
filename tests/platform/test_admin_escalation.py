"""An administrator manages users through roles only, and cannot raise their own rights."""

from django.contrib.auth.models import Group

from yunfu_ipfund.accounts.roles import Role


def test_an_administrator_does_not_see_the_superuser_flag_or_per_user_permissions(
    client_for, administrator, bureau_clerk
):
    page = client_for(administrator).get(f"/admin/accounts/user/{bureau_clerk.pk}/change/").content.decode()
    assert 'name="groups"' in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


def test_an_administrator_cannot_give_themselves_the_approver_role(client_for, administrator):
    client = client_for(administrator)
    page = client.get(f"/admin/accounts/user/{administrator.pk}/change/").content.decode()
    assert 'name="groups"' not in page  # shown read-only on their own account
    approver = Group.objects.get(name=Role.BUREAU_APPROVER)
    client.post(
        f"/admin/accounts/user/{administrator.pk}/change/",
        {
            "username": administrator.username,
            "groups": [approver.pk],
            "is_superuser": "on",
            "organisation": administrator.organisation_id,
            "date_joined_0": "2026-11-26",
            "date_joined_1": "09:00:00",
        },
    )
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert not administrator.groups.filter(name=Role.BUREAU_APPROVER).exists()


def test_a_superuser_still_sees_everything(client_for, administrator, bureau_clerk):
    administrator.is_superuser = True
    administrator.save()
    page = client_for(administrator).get(f"/admin/accounts/user/{bureau_clerk.pk}/change/").content.decode()
    assert 'name="is_superuser"' in page
