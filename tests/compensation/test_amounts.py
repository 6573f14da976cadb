"""The compensation and recovery arithmetic, by hand-computed examples and by properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation import documents
from compensation.amounts import (
    Reduction,
    compute_compensation,
    net_of_costs,
)
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.money import amount_in_capitals, round_fen

SHARE = D("0.4000")
CAP = D("1000000.00")
money = st.decimals(
    min_value=D("0.01"), max_value=D("50000000"), places=2, allow_nan=False, allow_infinity=False
)
ratio = st.decimals(min_value=D("0"), max_value=D("1"), places=4)


def compute(**kw):
    args = {
        "loan_amount": D("1000000"),
        "covered_amount": D("800000"),
        "fund_share": SHARE,
        "per_loan_cap": CAP,
    }
    args.update(kw)
    return compute_compensation(**args)


def test_full_approval_pays_the_fund_share_of_the_covered_unrecovered_principal():
    # Loan 1,000,000 of which 800,000 is IP-covered; 600,000 principal unrecovered.
    # base = 600,000 x 800,000 / 1,000,000 = 480,000; x 40% = 192,000.00
    result = compute(unrecovered_principal=D("600000"))
    assert result.base == D("480000.00")
    assert result.amount == D("192000.00")
    assert amount_in_capitals(result.amount) == "人民币壹拾玖万贰仟元整"
    assert result.capped_by == ()
    assert [s.label for s in result.steps][0].startswith("补偿基数")
    assert result.steps[-1].amount == D("192000.00")


def test_partial_approval_deducts_each_reduction_before_the_share():
    # Same loan; reductions D05 30,000 (collection) and D07 50,000 (pledge registration)
    # (480,000 - 30,000 - 50,000) x 40% = 400,000 x 40% = 160,000.00
    reductions = (
        Reduction("D05", D("30000"), "第十九条", "未履行催收义务"),
        Reduction("D07", D("50000"), "第十二条", "质押登记存在瑕疵"),
    )
    result = compute(unrecovered_principal=D("600000"), reductions=reductions)
    assert result.amount == D("160000.00")
    assert amount_in_capitals(result.amount) == "人民币壹拾陆万元整"
    labels = [s.label for s in result.steps]
    assert any("D05" in label for label in labels) and any("D07" in label for label in labels)
    assert result.as_dict()["reductions"][1] == {
        "code": "D07",
        "amount": "50000",
        "article": "第十二条",
        "label": "质押登记存在瑕疵",
    }


def test_the_per_loan_cap_limits_a_large_claim():
    # Loan 5,000,000 fully covered, 3,000,000 unrecovered: 3,000,000 x 40% = 1,200,000 > cap 1,000,000
    result = compute(
        unrecovered_principal=D("3000000"), loan_amount=D("5000000"), covered_amount=D("5000000")
    )
    assert result.amount == D("1000000.00")
    assert result.capped_by == ("per_loan_cap",)
    assert amount_in_capitals(result.amount) == "人民币壹佰万元整"


def test_the_per_bank_cap_remaining_applies_after_the_per_loan_cap():
    result = compute(unrecovered_principal=D("600000"), per_bank_cap_remaining=D("150000"))
    assert result.amount == D("150000.00")
    assert result.capped_by == ("per_bank_cap",)


def test_a_short_fund_queues_the_claim_instead_of_cutting_it():
    result = compute(unrecovered_principal=D("600000"), available=D("100000.00"))
    assert result.amount == D("192000.00")
    assert result.short_by == D("92000.00")
    assert result.queued


def test_each_step_is_rounded_to_the_fen_and_the_next_is_computed_from_the_shown_figure():
    # 333,333.33 x 700,000 / 1,000,000 = 233,333.331 -> 233,333.33; x 40% = 93,333.332 -> 93,333.33
    result = compute(unrecovered_principal=D("333333.33"), covered_amount=D("700000"))
    assert result.base == D("233333.33")
    assert result.amount == D("93333.33")
    base, share, final = result.steps
    assert base.amount == D("233333.33") and "= 233,333.331 元，四舍五入到分" in base.formula
    assert share.formula == "233,333.33 元 × 40% = 93,333.332 元，四舍五入到分"
    assert final.amount == share.amount


def test_the_decision_notice_computation_multiplies_out_by_hand():
    # 160,000.02 x 625,000 / 1,000,000 = 100,000.0125. Printed as 100,000.01, the share is
    # 100,000.01 x 40% = 40,000.004 -> 40,000.00; from the unprinted 100,000.0125 it would have been
    # 40,000.005 -> 40,000.01, a result that does not multiply out from the figures on the notice.
    result = compute(unrecovered_principal=D("160000.02"), covered_amount=D("625000"))
    steps = documents._steps(result.as_dict()["steps"])
    assert [s.amount for s in steps] == ["100,000.01", "40,000.00", "40,000.00"]
    assert steps[0].formula.startswith(
        "160,000.02 元 × 625,000.00 元 ÷ 1,000,000.00 元 = 100,000.0125 元，四舍五入到分"
    )
    assert steps[1].formula == "100,000.01 元 × 40% = 40,000.004 元，四舍五入到分"
    assert result.amount == D("40000.00")


def test_a_step_that_needed_no_rounding_says_nothing_about_it():
    result = compute(unrecovered_principal=D("600000"))
    assert [s.formula for s in result.steps][1] == "480,000.00 元 × 40%"


def _figure(text):
    return D(text.replace(",", "").replace(" 元", ""))


@settings(max_examples=200, deadline=None)
@given(loan=money, covered_pct=ratio, unrecovered_pct=ratio, share=ratio)
def test_every_printed_step_multiplies_out_from_the_figures_printed_before_it(
    loan, covered_pct, unrecovered_pct, share
):
    covered = round_fen(loan * covered_pct)
    unrecovered = round_fen(loan * unrecovered_pct)
    result = compute_compensation(
        unrecovered_principal=unrecovered,
        loan_amount=loan,
        covered_amount=covered,
        fund_share=share,
        per_loan_cap=D("50000000"),
    )
    base, share_step = result.steps[0], result.steps[1]
    assert base.amount == round_fen(unrecovered * covered / loan)
    shown_base = _figure(share_step.formula.split(" × ")[0])
    assert shown_base == base.amount
    assert share_step.amount == round_fen(shown_base * share)
    assert result.amount == share_step.amount


@pytest.mark.parametrize(
    "kwargs",
    [
        {"covered_amount": D("1000001")},
        {"unrecovered_principal": D("1000001")},
        {"loan_amount": D("0")},
        {"fund_share": D("1.2")},
        {"unrecovered_principal": D("-1")},
        {"reductions": (Reduction("D05", D("500000"), "第十九条"),)},
        {"reductions": (Reduction("D05", D("0"), "第十九条"),)},
    ],
)
def test_it_refuses_inconsistent_figures(kwargs):
    args = {"unrecovered_principal": D("600000"), **kwargs}
    with pytest.raises(ValidationFailed):
        compute(**args)


def _share(net, *, paid, returned=D("0"), share=SHARE, covered_ratio=D("0.8")):
    """The one recovery arithmetic (compensation.services.recovery.recovery_share) on a 600,000 loan
    whose whole principal was unrecovered, `covered_ratio` of it covered, compensated uncapped."""
    from compensation.services.recovery import recovery_share

    return recovery_share(
        net_recovery=net,
        loan_amount=D("600000"),
        covered_amount=D("600000") * covered_ratio,
        unrecovered_principal=D("600000"),
        reductions_total=D("0"),
        paid=paid,
        already_returned=returned,
        fund_share=share,
    )


def test_a_recovery_returns_the_same_share_of_the_net_recovery():
    # recovered 110,000 less documented costs 10,000 = 100,000; x 80% covered x 40% = 32,000.00
    net = net_of_costs(D("110000"), D("10000"))
    assert _share(net, paid=D("192000")).amount == D("32000.00")


def test_a_recovery_return_is_capped_at_what_the_fund_paid_less_what_came_back():
    # net 900,000 x 80% x 40% = 288,000 > paid 192,000 - already returned 32,000 = 160,000
    result = _share(D("900000"), paid=D("192000"), returned=D("32000"))
    assert result.amount == D("160000.00")
    assert result.capped_by == ("paid",)


def test_costs_above_the_recovery_give_nothing_back():
    assert net_of_costs(D("1000"), D("5000")) == D("0")


@settings(max_examples=200, deadline=None)
@given(
    loan=money,
    covered_pct=ratio,
    unrecovered_pct=ratio,
    share=ratio,
    cap=money,
    bank_left=st.none() | money,
    available=st.none() | money,
)
def test_compensation_never_exceeds_any_cap_nor_the_share_of_the_principal(
    loan, covered_pct, unrecovered_pct, share, cap, bank_left, available
):
    covered = round_fen(loan * covered_pct)
    unrecovered = round_fen(loan * unrecovered_pct)
    result = compute_compensation(
        unrecovered_principal=unrecovered,
        loan_amount=loan,
        covered_amount=covered,
        fund_share=share,
        per_loan_cap=cap,
        per_bank_cap_remaining=bank_left,
        available=available,
    )
    assert result.amount >= 0
    assert result.amount <= cap
    if bank_left is not None:
        assert result.amount <= bank_left
    share_of_base = round_fen(round_fen(unrecovered * covered / loan) * share)
    assert result.amount == round_fen(
        min([share_of_base, cap] + ([bank_left] if bank_left is not None else []))
    )
    assert result.amount <= round_fen(unrecovered * share)
    assert result.amount == result.amount.quantize(D("0.01"))
    if available is not None:
        assert result.short_by == max(result.amount - available, 0)
        assert result.queued == (result.amount > available)


@settings(max_examples=100, deadline=None)
@given(loan=money, unrecovered_pct=ratio, extra=st.decimals(min_value=0, max_value=D("1000000"), places=2))
def test_more_unrecovered_principal_never_pays_less(loan, unrecovered_pct, extra):
    unrecovered = round_fen(loan * unrecovered_pct)
    more = min(unrecovered + extra, loan)
    a = compute_compensation(
        unrecovered_principal=unrecovered,
        loan_amount=loan,
        covered_amount=loan,
        fund_share=SHARE,
        per_loan_cap=CAP,
    )
    b = compute_compensation(
        unrecovered_principal=more, loan_amount=loan, covered_amount=loan, fund_share=SHARE, per_loan_cap=CAP
    )
    assert b.amount >= a.amount


@settings(max_examples=100, deadline=None)
@given(paid=money, recoveries=st.lists(money, max_size=8), share=ratio, covered=ratio)
def test_successive_recovery_returns_never_exceed_the_payout(paid, recoveries, share, covered):
    returned = D("0")
    for net in recoveries:
        amount = _share(net, paid=paid, returned=returned, share=share, covered_ratio=covered).amount
        assert amount >= 0
        returned += amount
    assert returned <= paid
