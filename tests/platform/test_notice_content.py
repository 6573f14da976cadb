"""Each notice kind declares its context; the issue refuses a context that does not match it."""

import pytest

from tests.platform.test_notices import GENERAL_CONTEXT
from yunfu_ipfund.notices.kinds import GENERAL, GeneralContext, NoticeContextError, Table, context_validate
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.notices.services import notice_issue


@pytest.mark.parametrize(
    "context, fault",
    [
        ({}, "paragraphs为必填项"),
        ({"paragraphs": []}, "paragraphs为必填项"),
        ({"paragraphs": None}, "paragraphs为必填项"),
        ({"paragraphs": "一段文字"}, "paragraphs应为列表"),
        ({"paragraphs": ["第一段", ""]}, "paragraphs[2]为必填项"),
        ({"paragraphs": ["第一段", 3]}, "paragraphs[2]应为文字"),
        ({"paragraphs": ["第一段"], "tabel": None}, "tabel不是声明的内容项"),
        ({"paragraphs": ["第一段"], "table": {"head": ["项目"]}}, "table.rows为必填项"),
        (
            {"paragraphs": ["第一段"], "table": {"head": ["项目"], "rows": [[None]]}},
            "table.rows[1][1]为必填项",
        ),
    ],
)
def test_a_context_that_does_not_match_its_declaration_is_refused(context, fault):
    with pytest.raises(NoticeContextError) as error:
        context_validate(GENERAL, context)
    assert fault in str(error.value) and "告知书" in str(error.value)


def test_a_declared_context_is_stored_as_plain_json_with_every_field():
    context = GeneralContext(
        paragraphs=["经审核，现告知如下。"],
        table=Table(head=["项目", "内容"], rows=[("贷款金额", "1,000.00元")]),
    )
    assert context_validate(GENERAL, context) == {
        "paragraphs": ["经审核，现告知如下。"],
        "table": {"head": ["项目", "内容"], "rows": [["贷款金额", "1,000.00元"]]},
        "amount": "",
        "amount_capitals": "",
        "closing": [],
    }


def test_an_instance_of_another_kinds_context_is_refused():
    with pytest.raises(NoticeContextError):
        context_validate(GENERAL, Table(head=["项目"], rows=[["一"]]))


@pytest.mark.django_db
def test_the_issue_fails_before_taking_a_number(bank_a, bureau_approver):
    with pytest.raises(NoticeContextError):
        notice_issue(kind="general", subject=bank_a, addressee=bank_a, context={"paragraphs": [""]}, by=None)
    assert not Notice.objects.exists()
    notice = notice_issue(kind="general", subject=bank_a, addressee=bank_a, context=GENERAL_CONTEXT, by=None)
    assert notice.number.endswith("〕1号") and notice.context["closing"] == []
