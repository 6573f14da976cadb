"""USCC (against python-stdnum as an oracle), patent and trademark numbers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.identifiers import (
    USCC_ALPHABET,
    make_patent_number,
    make_uscc,
    patent_check_char,
    validate_nice_class,
    validate_patent_number,
    validate_trademark_number,
    validate_uscc,
)

# --- USCC -----------------------------------------------------------------------------------------

ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# python-stdnum insists on digits in positions 1-8; GB 32100 also allows A, N, Y as the registration
# authority. Generated codes stay inside what both accept so that stdnum can be the oracle.
stems = st.builds(
    lambda authority, kind, division, org: authority + kind + division + org,
    st.sampled_from("123456789"),
    st.sampled_from("123456789"),
    st.from_regex(r"\A44[0-9]{4}\Z"),
    st.text(alphabet=ORG_ALPHABET, min_size=8, max_size=8),
)


@given(stem=stems)
def test_codes_made_by_make_uscc_are_valid_for_us_and_for_stdnum(stem):
    code = make_uscc(stem)
    assert validate_uscc(code) == code
    assert stdnum_uscc.is_valid(code)
    assert validate_uscc(" " + code.lower() + " ") == code
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    assert validate_uscc(full_width) == code


@given(stem=stems, position=st.integers(min_value=0, max_value=17), data=st.data())
def test_a_single_character_typo_is_refused_by_both_and_our_message_names_the_check(stem, position, data):
    code = make_uscc(stem)
    replacement = data.draw(st.sampled_from(USCC_ALPHABET + "IOSVZ").filter(lambda ch: ch != code[position]))
    typo = code[:position] + replacement + code[position + 1 :]
    assert not stdnum_uscc.is_valid(typo)
    with pytest.raises(ValidationFailed) as caught:
        validate_uscc(typo)
    error = caught.value
    expected_codes = {
        "uscc_chars",
        "uscc_authority",
        "uscc_division",
        "uscc_org_check",
        "uscc_check",
    }
    assert error.code in expected_codes
    assert "统一社会信用代码" in error.message and "第" in error.message and "位" in error.message
    if replacement in "IOSVZ":
        assert error.code == "uscc_chars" and f"第{position + 1}位" in error.message


def test_the_seeded_style_codes_of_the_personas_are_valid_for_stdnum():
    for stem in ("91445300MA4A0001", "91445302MA5C0003", "91445381MA5D0004"):
        assert stdnum_uscc.is_valid(make_uscc(stem))


def test_a_real_published_code_is_accepted():
    assert validate_uscc("91110000600037341L") == "91110000600037341L"  # stdnum's own example


@pytest.mark.parametrize(
    "value, code, fragment",
    [
        ("", "uscc_length", "您输入了0位"),
        ("9144530", "uscc_length", "您输入了7位"),
        ("91445300MA4A00011X9", "uscc_length", "您输入了19位"),
        ("9I445300MA4A00011X", "uscc_chars", "第2位“I”"),
        ("B1445300MA4A00011X", "uscc_authority", "第1位"),
        ("9144A300MA4A00011X", "uscc_division", "第3—8位"),
    ],
)
def test_malformed_codes_say_what_is_wrong(value, code, fragment):
    with pytest.raises(ValidationFailed) as caught:
        validate_uscc(value)
    assert caught.value.code == code
    assert fragment in caught.value.message


def test_a_wrong_check_character_tells_the_expected_one():
    good = make_uscc("91445300MA4A0001")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as caught:
        validate_uscc(wrong)
    assert caught.value.code == "uscc_check"
    assert f"应为“{good[-1]}”" in caught.value.message


def test_a_wrong_organisation_code_check_is_named():
    good = make_uscc("91445300MA4A0001")
    org_check = good[16]
    other = next(ch for ch in "0123456789X" if ch != org_check)
    stem17 = good[:16] + other
    from yunfu_ipfund.common.identifiers import uscc_check_char

    with pytest.raises(ValidationFailed) as caught:
        validate_uscc(stem17 + uscc_check_char(stem17))
    assert caught.value.code == "uscc_org_check"
    assert "第9—17位" in caught.value.message


# --- patents --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling, body, kind",
    [
        ("ZL{body}.{check}", "202010123456", "invention"),
        ("{body}{check}", "202020123456", "utility_model"),
        ("CN{body}.{check}", "202030123456", "design"),
        ("zl 2020 8012 3456 . {check}", "202080123456", "invention"),  # PCT invention entering China
        ("{body}.{check}", "98123456", "invention"),  # pre-2003 8-digit number
        ("ZL{body}{check}", "99223456", "utility_model"),
        (
            "ＺＬ２０２０９０１２３４５６．{check}",
            "202090123456",
            "utility_model",
        ),  # typed with a full-width IME
    ],
)
def test_valid_patent_numbers_in_every_spelling_are_normalised(spelling, body, kind):
    check = patent_check_char(body)
    number, detected = validate_patent_number(spelling.format(body=body, check=check))
    assert number == f"ZL{body}.{check}"
    assert number.isascii()
    assert detected == kind


def test_the_check_character_follows_the_cnipa_rule_including_x():
    # 2,3,4,5,6,7,8,9,2,3,4,5 weights, mod 11, 10 -> X (worked example from the CNIPA rule)
    assert patent_check_char("201310000001") == str(
        sum(int(d) * w for d, w in zip("201310000001", [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], strict=True))
        % 11
    )
    bodies_with_x = [b for b in (f"2020101234{n:02d}" for n in range(100)) if patent_check_char(b) == "X"]
    assert bodies_with_x, "some body has X as its check character"
    number, _ = validate_patent_number(bodies_with_x[0] + ".x")
    assert number.endswith(".X")


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "patent_format"),
        ("ZL2020101234.5", "patent_format"),  # 10 digits
        ("ZL2020101234567.8", "patent_format"),
        ("US202010123456.7", "patent_format"),
        ("ZL202040123456.1", "patent_type"),  # type digit 4 does not exist
        ("ZL97523456.1", "patent_type"),
        ("ZL٢٠٢٠١٠١٢٣٤٥٦.٧", "patent_format"),  # Arabic-Indic digits are not a Chinese patent number
    ],
)
def test_malformed_patent_numbers_are_refused(value, code):
    with pytest.raises(ValidationFailed) as caught:
        validate_patent_number(value)
    assert caught.value.code == code


def test_a_wrong_check_digit_is_refused_with_the_expected_one():
    good = make_patent_number("202010123456")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as caught:
        validate_patent_number(wrong)
    assert caught.value.code == "patent_check"
    assert f"应为“{good[-1]}”" in caught.value.message


@pytest.mark.parametrize(
    "body, declared, actual_label",
    [
        ("202020123456", "invention", "实用新型专利"),
        ("202010123456", "design", "发明专利"),
        ("202030123456", "utility_model", "外观设计专利"),
    ],
)
def test_a_number_of_another_type_than_declared_is_refused(body, declared, actual_label):
    with pytest.raises(ValidationFailed) as caught:
        validate_patent_number(make_patent_number(body), declared_type=declared)
    assert caught.value.code == "patent_type_mismatch"
    assert actual_label in caught.value.message


@given(body=st.from_regex(r"\A20[0-2][0-9][1-389][0-9]{7}\Z"))
def test_every_made_patent_number_validates(body):
    number, _ = validate_patent_number(make_patent_number(body))
    assert number == make_patent_number(body)


# --- trademarks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, number",
    [
        ("12345678", "12345678"),
        ("第12345678号", "12345678"),
        (" 第 123 号 ", "123"),
        ("007", "7"),
        ("999999999", "999999999"),
        ("第１２３４５号", "12345"),
        (12345678, "12345678"),
    ],
)
def test_trademark_numbers_are_normalised(value, number):
    assert validate_trademark_number(value) == number


@pytest.mark.parametrize("value", ["", "0", "1234567890", "12a45", "第号", "-5", None, "١٢٣"])
def test_malformed_trademark_numbers_are_refused(value):
    with pytest.raises(ValidationFailed) as caught:
        validate_trademark_number(value)
    assert "商标注册号" in caught.value.message


@pytest.mark.parametrize(
    "value, ok", [(1, True), ("45", True), (0, False), (46, False), ("x", False), (None, False)]
)
def test_nice_classes_are_1_to_45(value, ok):
    if ok:
        assert validate_nice_class(value) == int(value)
    else:
        with pytest.raises(ValidationFailed):
            validate_nice_class(value)
