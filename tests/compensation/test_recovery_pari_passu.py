"""Recovery returns are pari passu (Rulings of December 2026): the fund gets back the covered part of a
net recovery × (compensation paid ÷ the unrecovered covered principal it was computed on), never more
than paid less returned; `recovery_share_basis` "nominal" uses the filing's fund share instead. Exact
arithmetic, one half-up rounding to the fen; the computation multiplies out by hand on the claim page
and on the return notice.

The paid claims here are written straight into the tables (`paid_claim`): each test needs a payout of
a given size (a cap that bit, a reduction), which the review flow would only reach through the caps
of the day; the recovery services under test are the real ones."""

import datetime as dt
from decimal import Decimal as D

import pytest

from compensation.models import Claim, Recovery
from compensation.services.recovery import recovery_share
from tests.factories import make_non_performing_loan
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.policy.models import PolicyVersion, RecoveryShareBasis

RS = Recovery.Status


def share(net, *, paid, unrecovered="5000000", loan="5000000", covered="5000000", reductions="0", **kw):
    return recovery_share(
        net_recovery=D(net),
        loan_amount=D(loan),
        covered_amount=D(covered),
        unrecovered_principal=D(unrecovered),
        reductions_total=D(reductions),
        paid=D(paid),
        already_returned=D(kw.pop("returned", "0")),
        fund_share=D(kw.pop("fund_share", "0.40")),
        **kw,
    )


# --- the pure computation ----------------------------------------------------------------------------


def test_a_capped_payout_returns_its_effective_share_not_the_nominal_40_percent():
    # paid 1,000,000 on a 5,000,000 loss (20 % effective): 1,000,000 recovered returns 200,000
    result = share("1000000.00", paid="1000000.00")
    assert result.amount == D("200000.00") and result.basis == RecoveryShareBasis.EFFECTIVE
    assert result.as_dict()["ratio_text"] == "20%"
    nominal = share("1000000.00", paid="1000000.00", basis=RecoveryShareBasis.NOMINAL)
    assert nominal.amount == D("400000.00")


def test_without_a_cap_the_effective_share_is_the_fund_share():
    # 600,000 unrecovered x 800,000 / 1,000,000 = 480,000 x 40 % = 192,000 paid: 40 % effective
    result = share("100000.00", paid="192000.00", unrecovered="600000", loan="1000000", covered="800000")
    assert result.amount == D("32000.00")
    nominal = share(
        "100000.00",
        paid="192000.00",
        unrecovered="600000",
        loan="1000000",
        covered="800000",
        basis=RecoveryShareBasis.NOMINAL,
    )
    assert nominal.amount == result.amount


def test_reductions_are_part_of_the_principal_the_compensation_was_computed_on():
    # 5,000,000 - 2,500,000 reduced = 2,500,000 x 40 % = 1,000,000: no cap bit, 40 % effective
    assert share("100000.00", paid="1000000.00", reductions="2500000").amount == D("40000.00")


def test_the_ratio_is_exact_and_rounded_once_half_up_at_the_fen():
    # 1 / 3 effective: 0.03 x 1/3 = 0.01 exactly; 0.04 / 3 = 0.01333 -> 0.01; 0.05 / 3 = 0.016 -> 0.02
    paid, unrecovered = "1000000.00", "3000000.00"
    amounts = [
        share(n, paid=paid, unrecovered=unrecovered, loan=unrecovered, covered=unrecovered).amount
        for n in ("0.03", "0.04", "0.05")
    ]
    assert amounts == [D("0.01"), D("0.01"), D("0.02")]
    # the fen boundary of half-up: 0.025 -> 0.03 (0.0125 x 2 and 0.0249... never reach it)
    half = share("0.05", paid="1000000.00", unrecovered="2000000", loan="2000000", covered="2000000")
    assert half.amount == D("0.03")
    just_below = share("0.04", paid="1000000.00", unrecovered="2000000", loan="2000000", covered="2000000")
    assert just_below.amount == D("0.02")
    # rounding the ratio first (33.33 %) would give 333,300.00 on 1,000,000; exactly it is 333,333.33
    exact = share("1000000.00", paid=paid, unrecovered=unrecovered, loan=unrecovered, covered=unrecovered)
    assert exact.amount == D("333333.33")


@pytest.mark.parametrize(
    "returned, expected",
    [("0", "200000.00"), ("800000.00", "200000.00"), ("800000.01", "199999.99"), ("1000000.00", "0.00")],
)
def test_never_more_than_paid_less_returned_at_one_fen(returned, expected):
    result = share("1000000.00", paid="1000000.00", returned=returned)
    assert result.amount == D(expected)
    assert ("paid" in result.capped_by) is (D(returned) > D("800000.00"))


def test_every_step_multiplies_out_by_hand():
    result = share("1000000.00", paid="1000000.00")
    formulas = [s.formula for s in result.steps]
    assert formulas[0] == "1,000,000.00 元 × 5,000,000.00 元 ÷ 5,000,000.00 元 = 1,000,000.00 元"
    assert formulas[1] == "5,000,000.00 元 × 5,000,000.00 元 ÷ 5,000,000.00 元 = 5,000,000.00 元"
    assert formulas[2] == (
        "1,000,000.00 元 × 1,000,000.00 元 ÷ 5,000,000.00 元 = 200,000.00 元（实际分担比例 20%）"
    )
    partial = share("0.05", paid="1000000.00", unrecovered="3000000", loan="3000000", covered="3000000")
    assert "≈0.0166666667 元" in partial.steps[2].formula


# --- the service, the page and the notice ------------------------------------------------------------


@pytest.fixture
def big_loan(bank_a, enterprise_a, bank_officer, finance_bureau, bureau):
    return make_non_performing_loan(
        bank_a, enterprise_a, bank_officer, amount="5000000.00", covered="5000000.00"
    )


def paid_claim(flow, loan, *, unrecovered, paid, reductions=(), value_date=None):
    """A claim of `loan` drafted by the officer, then recorded as paid `paid` (see the module's
    docstring), its decided computation holding `reductions` [(code, amount)]."""
    claim = flow.draft(loan, unrecovered=unrecovered)
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.PAID,
        approved_amount=D(paid),
        paid_amount=D(paid),
        payment_value_date=value_date or today() - dt.timedelta(days=10),
        computation={
            "amount": paid,
            "reductions": [
                {"code": c, "amount": a, "article": "第十九条", "label": c} for c, a in reductions
            ],
        },
    )
    type(loan).objects.filter(pk=loan.pk).update(status=type(loan).Status.COMPENSATED)
    return Claim.objects.get(pk=claim.pk)


def test_the_countersign_returns_the_effective_share_and_shows_it_on_page_and_notice(
    flow, big_loan, client_for
):
    claim = paid_claim(flow, big_loan, unrecovered="5000000.00", paid="1000000.00")
    recovery = flow.recovery(claim, amount="1000000.00")
    assert recovery.status == RS.REPORTED and recovery.return_amount == D("200000.00")
    assert recovery.computation["basis"] == "effective" and recovery.computation["ratio"] == "1/5"
    page = client_for(flow.supervisor).get(claim.get_absolute_url()).content.decode()
    assert "1,000,000.00 元 × 1,000,000.00 元 ÷ 5,000,000.00 元 = 200,000.00 元" in page
    assert "实际分担比例 20%" in page
    notice = Notice.objects.get(kind="claim_recovery_return", subject_id=str(recovery.pk))
    formulas = [step["formula"] for step in notice.context["steps"]]
    assert formulas[2] == (
        "1,000,000.00 元 × 1,000,000.00 元 ÷ 5,000,000.00 元 = 200,000.00 元（实际分担比例 20%）"
    )
    assert notice.context["amount"] == "200,000.00"


def test_the_nominal_basis_of_the_version_in_force_on_the_day_received(flow, big_loan):
    PolicyVersion.objects.filter(effective_from__lte=today(), effective_to__gte=today()).update(
        recovery_share_basis=RecoveryShareBasis.NOMINAL
    )
    claim = paid_claim(flow, big_loan, unrecovered="5000000.00", paid="1000000.00")
    recovery = flow.recovery(claim, amount="1000000.00")
    assert recovery.return_amount == D("400000.00") and recovery.computation["basis"] == "nominal"


def test_two_recoveries_together_never_return_more_than_was_paid(flow, big_loan):
    claim = paid_claim(flow, big_loan, unrecovered="5000000.00", paid="1000000.00")
    first = flow.recovery(claim, amount="4000000.00")
    assert first.return_amount == D("800000.00")
    second = flow.recovery(Claim.objects.get(pk=claim.pk), amount="1000000.05")
    # 1,000,000.05 x 20 % = 200,000.01, one fen over what is left (200,000.00): capped
    assert second.return_amount == D("200000.00") and second.computation["capped_by"] == ["paid"]
