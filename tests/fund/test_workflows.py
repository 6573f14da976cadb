"""The fund's one workflow, StatementPeriod.WORKFLOW (sign_off), pinned: its table, the move from each
state through the service, the wrong role refused with a 403, and the period page offering the sign-off
to finance only while the period is open."""

import datetime as dt

import pytest

from fund import services
from fund.models import StatementPeriod
from yunfu_ipfund.accounts.roles import PERM_FINANCE
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.audit.workflow import CONFLICT, available_move_names
from yunfu_ipfund.common.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db
S = StatementPeriod.Status


@pytest.fixture
def period(finance_user):
    """An empty, balanced period (nothing to match): it may be signed off."""
    return services.period_create(
        by=finance_user,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        opening_balance="5000000.00",
        closing_balance="5000000.00",
    )


def test_the_declared_table():
    moves = {
        name: (m.sources, m.target, m.permission, m.repeat)
        for name, m in StatementPeriod.WORKFLOW.moves.items()
    }
    assert moves == {"sign_off": ((S.OPEN,), S.SIGNED_OFF, PERM_FINANCE, CONFLICT)}


def test_finance_signs_an_open_period_off_under_the_moves_code(period, finance_user):
    signed = services.period_sign_off(by=finance_user, period=period, reason="已核对")
    assert signed.status == S.SIGNED_OFF and signed.signed_off_by == finance_user
    event = trail_for(period).last()
    assert (event.code, event.action, event.from_state, event.to_state) == (
        "fund.statementperiod.sign_off",
        "对账签核",
        S.OPEN,
        S.SIGNED_OFF,
    )


def test_a_signed_off_period_is_not_signed_off_again(period, finance_user):
    services.period_sign_off(by=finance_user, period=period)
    with pytest.raises(DomainError, match="已签核") as exc:
        services.period_sign_off(by=finance_user, period=period)
    assert exc.value.status == 400


@pytest.mark.parametrize("who", ["bureau_approver", "bureau_clerk", "bank_officer", "enterprise_user"])
def test_anyone_but_finance_is_refused_with_a_403(period, request, who):
    with pytest.raises(Forbidden) as exc:
        services.period_sign_off(by=request.getfixturevalue(who), period=period)
    assert exc.value.status == 403
    period.refresh_from_db()
    assert period.status == S.OPEN


def test_the_system_never_signs_off(period):
    with pytest.raises(Forbidden):
        services.period_sign_off(by=None, period=period)


def test_the_period_page_offers_the_sign_off_to_finance_while_open(
    client_for, period, finance_user, bureau_approver
):
    url = period.get_absolute_url()
    assert "sign_off" in available_move_names(period, finance_user)
    assert "确认签核本对账期间" in client_for(finance_user).get(url).content.decode()
    assert "确认签核本对账期间" not in client_for(bureau_approver).get(url).content.decode()
    response = client_for(bureau_approver).post(url, {"action": "signoff", "reason": "越权"})
    assert response.status_code == 200
    period.refresh_from_db()
    assert period.status == S.OPEN
    services.period_sign_off(by=finance_user, period=period)
    period.refresh_from_db()
    assert available_move_names(period, finance_user) == set()
    assert "确认签核本对账期间" not in client_for(finance_user).get(url).content.decode()
