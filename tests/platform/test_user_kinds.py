"""One spelling of "a user of a bank / an enterprise / the bureau / the finance bureau", and require_perm."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.conftest import make_user
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    Role,
)
from yunfu_ipfund.accounts.selectors import (
    is_bank_user,
    is_bureau_user,
    is_enterprise_user,
    is_finance_user,
    require_perm,
)
from yunfu_ipfund.common.errors import MSG_NO_ROLE, Forbidden

pytestmark = pytest.mark.django_db

KINDS = {
    "bank": is_bank_user,
    "enterprise": is_enterprise_user,
    "bureau": is_bureau_user,
    "finance": is_finance_user,
}
PERSONAS = {
    "bank_officer": "bank",
    "bank_supervisor": "bank",
    "bank_b_officer": "bank",
    "enterprise_user": "enterprise",
    "bureau_clerk": "bureau",
    "bureau_approver": "bureau",
    "administrator": "bureau",
    "finance_user": "finance",
    "outsider": "enterprise",  # of another enterprise: still an enterprise user
}


@pytest.mark.parametrize("persona, kind", sorted(PERSONAS.items()))
def test_each_persona_is_a_user_of_its_organisations_kind_and_of_no_other(request, persona, kind):
    user = request.getfixturevalue(persona)
    assert {name for name, test in KINDS.items() if test(user)} == {kind}


@pytest.mark.parametrize("test", KINDS.values())
def test_nobody_signed_in_is_no_kind_of_user(test):
    assert test(AnonymousUser()) is False
    assert test(None) is False


def test_a_deactivated_bank_user_is_no_bank_user(bank_officer):
    bank_officer.is_active = False
    assert not is_bank_user(bank_officer)


def test_a_bank_user_without_a_role_is_still_a_bank_user(bank_a):
    assert is_bank_user(make_user("bank_a_new", bank_a))


def test_require_perm_admits_a_holder_of_any_one_of_the_permissions(bank_officer, bank_supervisor):
    require_perm(bank_officer, PERM_BANK_PREPARE)
    require_perm(bank_officer, PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE)
    require_perm(bank_supervisor, PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE)


@pytest.mark.parametrize("persona", ["enterprise_user", "bank_officer", "finance_user", "outsider"])
def test_require_perm_refuses_with_no_role_whoever_holds_none(request, persona):
    with pytest.raises(Forbidden) as exc:
        require_perm(request.getfixturevalue(persona), PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)
    assert exc.value.message == MSG_NO_ROLE and exc.value.code == "no_role" and exc.value.status == 403


def test_require_perm_refuses_the_anonymous_the_inactive_and_the_system(bureau_approver):
    for user in (AnonymousUser(), None):
        with pytest.raises(Forbidden):
            require_perm(user, PERM_BUREAU_APPROVE)
    bureau_approver.is_active = False
    with pytest.raises(Forbidden):
        require_perm(bureau_approver, PERM_BUREAU_APPROVE)


def test_require_perm_needs_a_permission_to_check():
    with pytest.raises(TypeError):
        require_perm(None)


def test_roles_are_not_organisation_kinds(bureau):
    clerk_without_org = make_user("loose_admin", None, Role.ADMINISTRATOR)
    assert not any(test(clerk_without_org) for test in KINDS.values())
