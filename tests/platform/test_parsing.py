"""The one parser at the edge (common.parsing): dates, date-times, amounts and free text."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.money import to_money
from yunfu_ipfund.common.parsing import parse_date, parse_datetime, parse_money, parse_text

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
WIDE_DIGITS = str.maketrans("0123456789-/", "０１２３４５６７８９－／")

days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31))


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01",
        "2026/03/01",
        "2026/3/1",
        "2026-3-1",
        "2026.03.01",
        "20260301",
        "2026年3月1日",
        "2026年03月01日",
        " 2026-03-01 ",
        "２０２６－０３－０１",
        "２０２６年３月１日",
        "2026 年 3 月 1 日",
        "2026-03-01T10:00:00+08:00",
        "2026-03-01 09:30",
    ],
)
def test_it_reads_every_way_a_date_is_written(text):
    assert parse_date(text) == dt.date(2026, 3, 1)


def test_an_aware_utc_datetime_gives_its_day_in_shanghai_not_its_utc_day():
    late_utc = dt.datetime(2026, 2, 28, 20, 0, tzinfo=UTC)  # 2026-03-01 04:00 in Shanghai
    assert late_utc.date() == dt.date(2026, 2, 28)
    assert parse_date(late_utc) == dt.date(2026, 3, 1)
    assert parse_date("2026-02-28T20:00:00Z") == dt.date(2026, 3, 1)


def test_a_naive_datetime_is_shanghai_wall_time():
    assert parse_date(dt.datetime(2026, 2, 28, 23, 59)) == dt.date(2026, 2, 28)


def test_typed_dates_pass_unchanged_and_nothing_is_none():
    day = dt.date(2026, 3, 1)
    assert parse_date(day) is day
    assert parse_date(None) is None
    assert parse_date("") is None
    assert parse_date("   ") is None


def test_an_eight_digit_number_cell_is_a_compact_date():
    assert parse_date(20260301) == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30",
        "2026-13-01",
        "2026-00-10",
        "0000-01-01",
        "abc",
        "2026-03",
        "01/03/2026",
        "2026-W10-1",
        "46082",
        46082,
        46082.0,
        True,
        Decimal("20260301"),
        "2026-02-30T10:00",
        "2026-03-01-",
        "9999-12-31T23:00:00-12:00",
    ],
)
def test_it_refuses_what_is_not_a_date(value):
    with pytest.raises(ValidationFailed) as exc:
        parse_date(value)
    assert exc.value.code == "bad_date"
    assert "2026-03-01" in exc.value.message  # the format to use


def test_the_refusal_names_the_field():
    with pytest.raises(ValidationFailed) as exc:
        parse_date("明天", field="放款日期")
    assert exc.value.message == "“放款日期”“明天”不是有效日期（格式：2026-03-01）。"


def test_a_long_refused_value_is_shortened_in_the_message():
    with pytest.raises(ValidationFailed) as exc:
        parse_date("x" * 500)
    assert len(exc.value.message) < 100


@given(days)
def test_every_date_round_trips_through_each_spelling(day):
    spellings = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y%m%d}",
        f"{day:%Y.%m.%d}",
        f"{day.year}年{day.month}月{day.day}日",
        day.isoformat().translate(WIDE_DIGITS),
    ]
    for text in spellings:
        assert parse_date(text) == day


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 2),
        max_value=dt.datetime(2999, 12, 30),
        timezones=st.sampled_from([UTC, SHANGHAI, zoneinfo.ZoneInfo("America/New_York")]),
    )
)
def test_an_aware_moment_is_always_read_as_its_shanghai_day(moment):
    assert parse_date(moment) == moment.astimezone(SHANGHAI).date()
    assert parse_date(moment.isoformat()) == moment.astimezone(SHANGHAI).date()


# --- date-times -----------------------------------------------------------------------------------


def test_a_datetime_is_aware_and_naive_input_is_shanghai_time():
    moment = parse_datetime("2026-03-01 09:30")
    assert moment == dt.datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    assert parse_datetime(dt.datetime(2026, 3, 1, 9, 30)) == moment
    assert parse_datetime("2026-03-01T01:30:00Z") == moment
    assert parse_datetime("２０２６－０３－０１ ０９：３０") == moment


def test_a_date_is_its_midnight_in_shanghai():
    assert parse_datetime("2026年3月1日") == dt.datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert parse_datetime(dt.date(2026, 3, 1)) == dt.datetime(2026, 3, 1, tzinfo=SHANGHAI)


def test_typed_aware_datetimes_pass_unchanged():
    moment = dt.datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert parse_datetime(moment) is moment
    assert parse_datetime("") is None and parse_datetime(None) is None


@pytest.mark.parametrize("value", ["2026-02-30 10:00", "明天上午", "10:00", 1772300000, "2026-03-01T25:00"])
def test_it_refuses_what_is_not_a_datetime(value):
    with pytest.raises(ValidationFailed) as exc:
        parse_datetime(value, field="会议时间")
    assert exc.value.code == "bad_datetime"
    assert "“会议时间”" in exc.value.message


# --- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1,234.50", "1234.50"),
        ("￥100", "100.00"),
        (" 5 ", "5.00"),
        (7, "7.00"),
        (Decimal("3.1"), "3.10"),
        ("１２３.４５", "123.45"),
        ("0", "0.00"),
    ],
)
def test_it_reads_amounts(value, expected):
    assert parse_money(value) == Decimal(expected)


def test_nothing_is_no_amount():
    assert parse_money("") is None and parse_money(None) is None and parse_money("  ") is None


@pytest.mark.parametrize("value", ["1.005", "abc", "NaN", "Infinity", 1.5, True, "99999999999999"])
def test_it_refuses_what_is_not_an_amount_and_names_the_field(value):
    with pytest.raises(ValidationFailed) as exc:
        parse_money(value, field="还款金额")
    assert exc.value.message.startswith("还款金额：")


def test_negatives_and_zero_follow_the_flags():
    with pytest.raises(ValidationFailed):
        parse_money("-1")
    assert parse_money("-1", allow_negative=True) == Decimal("-1.00")
    with pytest.raises(ValidationFailed):
        parse_money("0", allow_zero=False)


def test_without_a_field_the_money_message_is_the_plain_one():
    with pytest.raises(ValidationFailed) as exc:
        parse_money("1.005")
    assert exc.value.message.startswith("金额最多保留两位小数")


@given(st.decimals(min_value=Decimal("-9999999999999.99"), max_value=Decimal("9999999999999.99"), places=2))
def test_every_amount_to_the_fen_round_trips(amount):
    assert parse_money(amount, allow_negative=True) == amount
    assert parse_money(f"{amount:,}", allow_negative=True) == amount


# --- text -----------------------------------------------------------------------------------------


def test_text_is_stripped_and_empty_is_refused_when_required():
    assert parse_text("  理由  ") == "理由"
    with pytest.raises(ValidationFailed) as exc:
        parse_text("  ", field="退回理由")
    assert exc.value.message == "请填写“退回理由”。" and exc.value.code == "required"
    with pytest.raises(ValidationFailed) as exc:
        parse_text(None, message="请说明理由。")
    assert exc.value.message == "请说明理由。"


def test_optional_empty_text_is_an_empty_string():
    assert parse_text(None, required=False) == ""
    assert parse_text("  ", required=False) == ""


def test_text_longer_than_the_limit_is_refused_with_the_limit():
    assert parse_text("字" * 10, max_length=10) == "字" * 10
    with pytest.raises(ValidationFailed) as exc:
        parse_text("字" * 11, field="备注", max_length=10)
    assert exc.value.message == "“备注”不能超过 10 个字。" and exc.value.code == "too_long"


def test_a_nul_character_is_refused_not_passed_to_the_database():
    with pytest.raises(ValidationFailed) as exc:
        parse_text("a\x00b", field="备注")
    assert exc.value.code == "invalid"


def test_non_text_values_are_read_as_their_text():
    assert parse_text(42) == "42"


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_parsed_text_is_stripped_and_within_the_limit(value, limit):
    try:
        text = parse_text(value, required=False, max_length=limit)
    except ValidationFailed:
        assert len(value.strip()) > limit or "\x00" in value
    else:
        assert text == value.strip() and len(text) <= limit


# Strict amounts (issue 12): ASCII or full-width digits, one decimal point, a leading minus only.
# Decimal() alone takes digits of every script, underscores, exponents, NaN, Infinity and a plus sign.
@pytest.mark.parametrize(
    "value",
    [
        "١٠٠",
        "१००",
        "1_000",
        "1e5",
        "1E5",
        "1e-2",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "+1",
        "--1",
        "1.2.3",
        "1 000",
        "0x10",
        "1.",
        ".",
        "-",
        "١٠٠.٥",
        "１_０００",
    ],
)
def test_amounts_are_ascii_or_full_width_digits_with_one_point(value):
    with pytest.raises(ValidationFailed) as exc:
        parse_money(value, field="还款金额", allow_negative=True)
    assert exc.value.message.startswith("还款金额：")
    assert "不是有效的金额" in exc.value.message


@pytest.mark.parametrize(
    "value, expected",
    [
        ("１０００", "1000.00"),
        ("１，０００．５", "1000.50"),
        ("1,000", "1000.00"),
        ("0.01", "0.01"),
        (".5", "0.50"),
        ("-0.01", "-0.01"),
        ("9999999999999.99", "9999999999999.99"),
    ],
)
def test_amounts_at_the_edge_of_the_grammar(value, expected):
    assert parse_money(value, allow_negative=True) == Decimal(expected)


def test_one_fen_above_the_largest_amount_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        parse_money("10000000000000.00", field="还款金额")
    assert exc.value.message.startswith("还款金额：金额过大")


@pytest.mark.parametrize("value", ["١٠٠", "1_000", "1e5", "1E5", "NaN", "Infinity", "+1", "--1"])
def test_the_api_path_refuses_them_too(value):
    """The bank API's amounts are strings its services read with to_money (the same grammar)."""
    with pytest.raises(ValidationFailed, match="不是有效的金额"):
        to_money(value, allow_negative=True)


@pytest.mark.parametrize("value", ["١٠٠", "1_000", "1e5", "+1"])
def test_the_form_field_refuses_them_naming_the_field(value):
    from django import forms

    from applications.forms import MoneyField

    with pytest.raises(forms.ValidationError) as exc:
        MoneyField(label="申请金额（元）").clean(value)
    assert exc.value.messages == [f"申请金额（元）：“{value}”不是有效的金额。"]
