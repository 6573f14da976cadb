import pytest

from compensation.evidence import (
    DEFICIENCIES,
    EVIDENCE,
    NOT_APPLICABLE,
    REDUCTION,
    REQUIRED_EVIDENCE,
    SUPPLEMENT,
    UPLOADED,
    check_not_applicable,
    completeness,
    deficiency,
)
from compensation.masking import mask_enterprise_name
from yunfu_ipfund.common.errors import ValidationFailed


def test_the_checklist_names_every_item_of_a_claim_once():
    codes = [s.code for s in EVIDENCE]
    assert len(codes) == len(set(codes)) == 11
    assert "truthfulness_undertaking" in REQUIRED_EVIDENCE
    assert "litigation_papers" not in REQUIRED_EVIDENCE


def test_an_empty_checklist_scores_zero_and_misses_every_required_item():
    result = completeness({})
    assert result.score == 0
    assert [s.code for s in result.missing_required] == list(REQUIRED_EVIDENCE)
    assert not result.complete


def test_required_uploads_with_reasoned_not_applicable_optionals_are_complete():
    states = {code: UPLOADED for code in REQUIRED_EVIDENCE}
    states.update(litigation_papers=NOT_APPLICABLE, disposal_evidence=NOT_APPLICABLE)
    result = completeness(states)
    assert result.complete and result.score == 100


def test_a_required_item_marked_not_applicable_still_counts_as_missing():
    states = {code: UPLOADED for code in REQUIRED_EVIDENCE}
    states["loan_contract"] = NOT_APPLICABLE
    result = completeness(states)
    assert [s.code for s in result.missing_required] == ["loan_contract"]
    assert result.score == 72  # 8 of 11 items resolved (the two optional ones are still open)


def test_not_applicable_needs_an_optional_item_and_a_reason():
    with pytest.raises(ValidationFailed, match="必备材料"):
        check_not_applicable("loan_contract", "无")
    with pytest.raises(ValidationFailed, match="说明理由"):
        check_not_applicable("litigation_papers", "  ")
    assert check_not_applicable("litigation_papers", "借款人主动清偿部分，未起诉").code == "litigation_papers"


def test_deficiency_codes_are_unique_and_each_has_an_article_and_a_use():
    codes = [d.code for d in DEFICIENCIES]
    assert len(codes) == len(set(codes))
    assert all(d.article.startswith("第") and d.uses for d in DEFICIENCIES)


def test_a_deficiency_code_is_refused_for_a_use_it_is_not_meant_for():
    assert deficiency("d05", use=REDUCTION).code == "D05"
    with pytest.raises(ValidationFailed, match="不能用于部分补偿"):
        deficiency("D01", use=REDUCTION)
    with pytest.raises(ValidationFailed, match="不能用于补充材料"):
        deficiency("D09", use=SUPPLEMENT)
    with pytest.raises(ValidationFailed, match="未知"):
        deficiency("X99", use=SUPPLEMENT)


@pytest.mark.parametrize(
    "name, masked",
    [
        ("云浮市云石科技有限公司", "云浮市**科技有限公司"),
        ("罗定市稻香农业发展有限公司", "罗定市**农业发展有限公司"),
        ("广东省云浮市金山石材股份有限公司", "广东省云浮市**石材股份有限公司"),
        ("新兴县好又多超市有限公司", "新兴县**有限公司"),
        ("郁南县无核黄皮专业合作社", "郁南县**专业合作社"),
        ("深圳市前海微众科技有限公司", "深圳市**科技有限公司"),
        ("云浮市科技有限公司", "云浮市**有限公司"),
        ("阿里巴巴", "**"),
        ("", ""),
    ],
)
def test_enterprise_names_keep_place_and_form_and_hide_the_trade_name(name, masked):
    assert mask_enterprise_name(name) == masked


def test_the_mask_does_not_reveal_the_length_of_the_trade_name():
    assert mask_enterprise_name("云浮市云科技有限公司") == mask_enterprise_name("云浮市云石山水科技有限公司")
