"""The one transition contract, walked for every model that has a workflow.

For each model's table: every declared move × every state × every role. A role without the move's
permission is refused with 403; a state the move does not leave from is refused as a wrong state;
`available_moves` offers exactly the moves that `refusal` admits. The table itself is checked for
states that do not exist and moves that can never be made. Real moves (lock, stamp, audit, repeat and
409 behaviour) are exercised per app in its own service tests and below on the fund's statement period.
"""

import itertools

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from tests.conftest import make_org, make_user
from yunfu_ipfund.accounts.roles import ROLE_PERMISSIONS, ROLES_BY_ORG_KIND, Role
from yunfu_ipfund.audit.workflow import CONFLICT, NOOP, Workflow, available_moves, move_action, refusal
from yunfu_ipfund.common.errors import DomainError, Forbidden

ORG_KIND_OF_ROLE = {
    role: kind for kind, roles in ROLES_BY_ORG_KIND.items() if kind is not None for role in roles
}


def workflow_models():
    return [model for model in apps.get_models() if isinstance(getattr(model, "WORKFLOW", None), Workflow)]


# A status that is not a workflow of the Measures: a background job's progress, moved only by its task.
NOT_WORKFLOWS = {"lenders.ImportJob"}


def status_models():
    """Every model whose `status` field has choices: each must declare its workflow."""
    found = []
    for model in apps.get_models():
        try:
            field = model._meta.get_field("status")
        except Exception:
            continue
        if model._meta.label in NOT_WORKFLOWS:
            continue
        if field.choices and model._meta.app_label in {"applications", "lenders", "fund", "compensation"}:
            found.append(model)
    return found


def test_every_model_with_a_status_declares_its_workflow():
    missing = sorted(model._meta.label for model in status_models() if model not in workflow_models())
    assert missing == []


@pytest.mark.parametrize("model", workflow_models(), ids=lambda m: m._meta.label)
def test_the_table_names_only_real_states_and_every_move_is_reachable(model):
    states = set(dict(model._meta.get_field("status").choices))
    workflow = model.WORKFLOW
    assert workflow.states() <= states, workflow.states() - states
    default = model._meta.get_field("status").default
    reachable, frontier = {default}, [default]
    while frontier:
        for target in workflow.targets(frontier.pop()):
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    for move in workflow.moves.values():
        assert move.label and not move.label.isascii(), f"{move.name}: a Chinese label"
        assert move.repeat in (NOOP, CONFLICT)
        assert set(move.sources) & reachable, f"{model._meta.label}.{move.name} can never be made"
        action = move_action(model, move)
        assert action.code == f"{model._meta.app_label}.{model._meta.model_name}.{move.name}"
        assert action.label == move.label


@pytest.fixture
def people(db):
    """One user per role, each in an organisation of the kind the role belongs to."""
    users = {}
    for role in Role:
        kind = ORG_KIND_OF_ROLE.get(role)
        org = make_org(kind, f"{role.label}单位") if kind else None
        users[role] = make_user(f"contract-{role.value}", org, role)
    return users


@pytest.mark.django_db
@pytest.mark.parametrize("model", workflow_models(), ids=lambda m: m._meta.label)
def test_every_move_from_every_state_for_every_role(model, people):
    states = list(dict(model._meta.get_field("status").choices))
    for move, state, role in itertools.product(model.WORKFLOW.moves.values(), states, Role):
        user = people[role]
        obj = model(status=state)
        error = refusal(obj, move, user)
        permitted = any(permission in ROLE_PERMISSIONS[role] for permission in move.permissions)
        where = f"{model._meta.label}.{move.name} from {state} by {role.value}"
        if not permitted:
            assert isinstance(error, Forbidden) and error.status == 403, where
        elif state not in move.sources:
            assert error is not None and error.code == "wrong_state" and error.status == 400, where
        else:
            # Admitted, or refused by one of the move's own guards with a clear domain error.
            assert error is None or isinstance(error, DomainError), where
        offered = move in available_moves(obj, user)
        assert offered == (error is None), where


@pytest.mark.parametrize("model", workflow_models(), ids=lambda m: m._meta.label)
def test_an_anonymous_visitor_is_offered_nothing(model):
    for state in dict(model._meta.get_field("status").choices):
        assert available_moves(model(status=state), AnonymousUser()) == []
