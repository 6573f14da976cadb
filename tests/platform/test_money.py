"""Money: Decimal parsing that refuses instead of rounding, and amounts in Chinese capitals.

Oracle: cn2an.an2cn(str, "rmb"). Two documented differences, both permitted by 中国人民银行《支付结算办法》
附一《正确填写票据和结算凭证的基本规定》 and normalised before comparing:

1. After 角 with no 分 we write 整 (人民币壹拾元伍角整); cn2an writes nothing. The rules: "在'角'之后
   可以不写'整'（或'正'）字" - may, not must; the 整 closes the amount against additions.
2. A whole empty 万 section between 亿 and a non-zero 仟 is read as one 零 (柒拾壹亿零肆仟, the standard
   reading of 7,100,004,000); cn2an leaves it out (柒拾壹亿肆仟). Rule 3 of the same 附一 allows both
   ("万位、元位也是'0'，但千位、角位不是'0'时，中文大写金额中可以只写一个零字，也可以不写'零'字");
   we keep the 零, which is the standard reading and harder to alter.

A third difference was found and fixed on our side: amounts of 万亿 with a non-zero 亿 section came out
as 壹万亿零壹亿 (亿 twice); they are now 壹万零壹亿, as cn2an and the standard reading have it.
"""

import re
from decimal import Decimal

import cn2an
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.money import MAX_AMOUNT, amount_in_capitals, format_money, round_fen, to_money

# --- to_money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1000000", Decimal("1000000.00")),
        ("1,000,000.5", Decimal("1000000.50")),
        ("¥ 12.30".replace(" ", ""), Decimal("12.30")),
        ("￥1，000", Decimal("1000.00")),
        (" 0.01 ", Decimal("0.01")),
        (5, Decimal("5.00")),
        (Decimal("7.1"), Decimal("7.10")),
        ("0", Decimal("0.00")),
    ],
)
def test_to_money_accepts_what_people_type(value, expected):
    amount = to_money(value)
    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("1.005", "最多保留两位小数"),
        (Decimal("0.001"), "最多保留两位小数"),
        ("-1.00", "不能为负数"),
        ("NaN", "不是有效的金额"),
        ("Infinity", "不是有效的金额"),
        ("-inf", "不是有效的金额"),
        (1.5, "不是有效的金额"),
        (0.1 + 0.2, "不是有效的金额"),
        ("", "不是有效的金额"),
        ("一百元", "不是有效的金额"),
        ("1e3.5", "不是有效的金额"),
        (None, "不是有效的金额"),
        ([], "不是有效的金额"),
        ("10000000000000.00", "金额过大"),
        ("9" * 400, "金额过大"),
    ],
)
def test_to_money_refuses_instead_of_rounding(value, fragment):
    with pytest.raises(ValidationFailed) as caught:
        to_money(value)
    assert fragment in caught.value.message


def test_to_money_options():
    assert to_money("-3.50", allow_negative=True) == Decimal("-3.50")
    with pytest.raises(ValidationFailed, match="必须大于零"):
        to_money("0.00", allow_zero=False)
    with pytest.raises(ValidationFailed, match="金额过大"):
        to_money("5000000.01", limit=Decimal("5000000"))
    assert to_money(str(MAX_AMOUNT)) == MAX_AMOUNT


def test_round_fen_rounds_half_up_and_format_money_groups_thousands():
    assert round_fen(Decimal("0.005")) == Decimal("0.01")
    assert round_fen(Decimal("2.345")) == Decimal("2.35")
    assert round_fen(Decimal("-2.345")) == Decimal("-2.35")
    assert format_money(Decimal("1234567.5")) == "1,234,567.50"


# --- amount_in_capitals: hand examples -------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, capitals",
    [
        ("1000000.00", "人民币壹佰万元整"),
        ("1005.00", "人民币壹仟零伍元整"),
        ("107000.53", "人民币壹拾万柒仟元伍角叁分"),
        ("0.05", "人民币伍分"),
        ("10.00", "人民币壹拾元整"),
        ("100000001.00", "人民币壹亿零壹元整"),
        ("0.00", "人民币零元整"),
        ("0.50", "人民币伍角整"),
        ("1409.50", "人民币壹仟肆佰零玖元伍角整"),  # 附一 example
        ("6007.14", "人民币陆仟零柒元壹角肆分"),  # 附一 example
        ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),  # 附一 example (the form without 零)
        ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),  # 附一 example
        ("325.04", "人民币叁佰贰拾伍元零肆分"),  # 附一 example
        ("5000000.00", "人民币伍佰万元整"),
        ("7100004066.93", "人民币柒拾壹亿零肆仟零陆拾陆元玖角叁分"),
        ("1000100000000.00", "人民币壹万零壹亿元整"),
        ("1000000000000.00", "人民币壹万亿元整"),
        ("9999999999999.99", "人民币玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_hand_examples(amount, capitals):
    assert amount_in_capitals(amount) == capitals


def test_the_prefix_can_be_left_out_for_a_table_cell():
    assert amount_in_capitals(Decimal("12.00"), prefix="") == "壹拾贰元整"


@pytest.mark.parametrize("value", ["-0.01", "-100", "1.001", "NaN", 1.5, "abc"])
def test_negatives_and_more_than_two_decimals_are_refused(value):
    with pytest.raises(ValidationFailed):
        amount_in_capitals(value)


# --- amount_in_capitals against cn2an -------------------------------------------------------------


def normalised(ours):
    text = ours.removeprefix("人民币")
    if text.endswith("角整"):  # difference 1
        text = text[:-1]
    return re.sub("亿零(?=[壹贰叁肆伍陆柒捌玖]仟)", "亿", text)  # difference 2


# Amounts with many zeros are where the writing rules bite, so digits are drawn zero-heavy.
zero_heavy_digits = st.text(alphabet="0000000123456789", min_size=1, max_size=12)
amounts = st.one_of(
    st.builds(
        lambda yuan, fen: Decimal(int(yuan)) + Decimal(fen) / 100, zero_heavy_digits, st.integers(0, 99)
    ),
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
).filter(lambda d: d <= 10**12)


@given(amount=amounts)
@example(amount=Decimal("100000001.00"))
@example(amount=Decimal("100010000.10"))
@example(amount=Decimal("1000000000000.00"))
def test_capitals_agree_with_cn2an_up_to_the_documented_differences(amount):
    text = f"{amount:.2f}"
    assert normalised(amount_in_capitals(text)) == cn2an.an2cn(text, "rmb")


@given(amount=amounts)
def test_capitals_follow_the_writing_rules(amount):
    text = amount_in_capitals(amount.quantize(Decimal("0.01")))
    assert text.startswith("人民币")
    assert "零零" not in text
    assert not re.search("(?<![壹贰叁肆伍陆柒捌玖])拾", text), "拾 always has a digit before it"
    assert text.endswith(("整", "分"))
    assert not text.endswith("分整")
    assert text.count("亿") <= 1 and text.count("万") <= 2
