"""Pages: who may see what (404 outside one's organisation), forms keep input on refusal, constant queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import portal
from applications.models import EnterpriseProfile, IPAsset, LoanRegistration
from tests.applications.conftest import make_patent, make_profile, make_registration
from tests.factories import make_user
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.identifiers import make_patent_number
from yunfu_ipfund.policy.services import policy_version_update

S = LoanRegistration.Status


def url(name, *args):
    return reverse(f"applications:{name}", args=args)


@pytest.fixture
def submitted(ready_draft):
    LoanRegistration.objects.filter(pk=ready_draft.pk).update(
        status=S.SUBMITTED, submitted_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    )
    ready_draft.refresh_from_db()
    return ready_draft


class TestProfilePages:
    def test_an_enterprise_without_a_profile_is_invited_to_fill_it_in(self, client_for, enterprise_user):
        response = client_for(enterprise_user).get(url("profile"))
        assert response.status_code == 200 and "尚未填写企业信息" in response.content.decode()

    def test_saving_the_profile_shows_the_article_7_checks(self, client_for, enterprise_user, enterprise_a):
        client = client_for(enterprise_user)
        response = client.post(
            url("profile_edit"),
            {
                "uscc": enterprise_a.uscc,
                "legal_representative": "陈法人",
                "registered_address": "云城区",
                "district": "yuncheng",
                "sector": "industry",
                "declared_size": "small",
                "employees": "50",
                "revenue": "800",
                "total_assets": "600",
                "annual_report_year": str(today().year - 1),
                "is_independent_legal_person": "yes",
            },
        )
        assert response.status_code == 302
        page = client.get(url("profile")).content.decode()
        assert "支持条件核验" in page and "在云浮市注册" in page and "修改企业信息" in page

    def test_a_district_outside_yunfu_is_refused_on_the_form_keeping_the_input(
        self, client_for, enterprise_user, enterprise_a
    ):
        response = client_for(enterprise_user).post(
            url("profile_edit"),
            {
                "uscc": enterprise_a.uscc,
                "legal_representative": "陈法人",
                "registered_address": "广州市天河区体育西路99号",
                "district": "outside",
                "sector": "industry",
                "declared_size": "small",
                "employees": "50",
                "revenue": "800",
                "total_assets": "600",
            },
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "第七条" in page and "广州市天河区体育西路99号" in page
        assert not EnterpriseProfile.objects.exists()

    def test_the_credit_declaration_asks_for_confirmation(self, client_for, enterprise_user, profile_a):
        client = client_for(enterprise_user)
        assert "data-confirm" in client.get(url("profile")).content.decode()
        assert client.post(url("credit_declare")).status_code == 302

    def test_a_bank_sees_the_profile_of_an_enterprise_that_applied_to_it_and_no_other(
        self, client_for, bank_officer, bank_b_officer, submitted, enterprise_a
    ):
        assert client_for(bank_officer).get(url("enterprise_detail", enterprise_a.pk)).status_code == 200
        assert client_for(bank_b_officer).get(url("enterprise_detail", enterprise_a.pk)).status_code == 404

    def test_the_bureau_sees_the_computed_size_beside_the_declared_one(
        self, client_for, bureau_clerk, enterprise_a
    ):
        make_profile(enterprise_a, declared_size="micro", employees=500, revenue=Decimal("3000"))
        page = client_for(bureau_clerk).get(url("enterprise_detail", enterprise_a.pk)).content.decode()
        assert "属中型企业" in page and "申报为微型企业，以测算为准" in page


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("enterprise_user", True),
        ("bank_officer", False),
        ("bureau_clerk", False),
        ("enterprise_b_user", None),
    ],
)
def test_only_the_enterprise_itself_is_offered_the_profile_form(
    client_for, request, submitted, enterprise_a, persona, offered
):
    response = client_for(request.getfixturevalue(persona)).get(url("enterprise_detail", enterprise_a.pk))
    if offered is None:
        assert response.status_code == 404
    else:
        assert (f'"{url("profile_edit")}"' in response.content.decode()) is offered


@pytest.mark.parametrize(
    ("persona", "edit", "override"),
    [
        ("enterprise_user", True, False),
        ("bureau_clerk", False, True),
        ("bureau_approver", False, True),
        ("bank_officer", False, False),
    ],
)
def test_the_asset_page_offers_edit_to_its_enterprise_and_the_override_to_bureau_reviewers(
    client_for, request, submitted, persona, edit, override
):
    asset = submitted.assets.get()
    asset.holder_name = "云浮市云石实业有限公司"
    asset.save()
    page = client_for(request.getfixturevalue(persona)).get(url("asset_detail", asset.pk)).content.decode()
    assert (f'"{url("asset_edit", asset.pk)}"' in page, f'"{url("asset_override", asset.pk)}"' in page) == (
        edit,
        override,
    )


class TestAssetPages:
    def test_copyright_is_refused_on_the_form_citing_article_2(
        self, client_for, enterprise_user, enterprise_a
    ):
        response = client_for(enterprise_user).post(
            url("asset_new"),
            {
                "ip_type": "software_copyright",
                "number": "2020SR123456",
                "title": "云石管理软件V1.0",
                "holder_name": enterprise_a.name,
            },
        )
        page = response.content.decode()
        assert response.status_code == 400 and "第二条" in page and "云石管理软件V1.0" in page
        assert not IPAsset.objects.exists()

    def test_an_enterprise_registers_a_patent(self, client_for, enterprise_user, enterprise_a):
        response = client_for(enterprise_user).post(
            url("asset_new"),
            {
                "ip_type": "utility_model",
                "number": make_patent_number("202320654321"),
                "title": "一种石材打磨机",
                "holder_name": enterprise_a.name,
                "expiry_date": "2033-05-01",
                "annual_fee_paid_through": "2027-05-01",
            },
        )
        assert response.status_code == 302
        assert IPAsset.objects.get().ip_type == "utility_model"

    def test_a_bureau_clerk_overrides_a_holder_mismatch_from_the_asset_page(
        self, client_for, bureau_clerk, enterprise_a
    ):
        asset = make_patent(
            enterprise_a, holder_name="云浮市云石实业有限公司", holder_override_requested=True
        )
        client = client_for(bureau_clerk)
        assert "核准权利人名称不一致" in client.get(url("asset_detail", asset.pk)).content.decode()
        assert client.post(url("asset_override", asset.pk), {"reason": ""}).status_code == 400
        assert client.post(url("asset_override", asset.pk), {"reason": "企业更名"}).status_code == 302
        asset.refresh_from_db()
        assert asset.holder_overridden

    def test_an_enterprise_cannot_override_its_own_mismatch(self, client_for, enterprise_user, enterprise_a):
        asset = make_patent(enterprise_a, holder_name="别的公司")
        assert (
            client_for(enterprise_user).post(url("asset_override", asset.pk), {"reason": "x"}).status_code
            == 403
        )

    def test_another_enterprise_gets_not_found(self, client_for, enterprise_b_user, enterprise_a):
        asset = make_patent(enterprise_a)
        client = client_for(enterprise_b_user)
        assert client.get(url("asset_detail", asset.pk)).status_code == 404
        assert client.get(url("asset_edit", asset.pk)).status_code == 404


class TestRegistrationPages:
    def test_the_enterprise_walks_from_draft_to_submitted(
        self, client_for, enterprise_user, bank_a, patent_a, profile_a, cooperating, credit_checked_a
    ):
        client = client_for(enterprise_user)
        response = client.post(
            url("registration_new"),
            {
                "bank": bank_a.pk,
                "amount": "1000000",
                "term_months": "12",
                "purpose": "购买设备",
                "assets": [patent_a.pk],
            },
        )
        registration = LoanRegistration.objects.get()
        assert response.status_code == 302 and response.url == url("registration_check", registration.pk)
        page = client.get(url("registration_check", registration.pk)).content.decode()
        assert "逐项核验" in page and "单笔贷款上限" in page and "data-confirm" in page
        response = client.post(
            url("registration_check", registration.pk),
            {"truthful": "on", "credit_inquiry": "on", "publication": "on"},
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 302
        registration.refresh_from_db()
        assert registration.status == S.SUBMITTED and registration.commitment_ip == "203.0.113.9"
        page = client.get(url("registration_detail", registration.pk)).content.decode()
        assert "撤回申请" in page and "提交质押融资登记" in page

    def test_a_refused_submission_lists_each_failure_and_keeps_the_ticks(
        self, client_for, enterprise_user, ready_draft, policy, administrator
    ):
        policy_version_update(
            by=administrator, version=policy, reason="测试", single_loan_cap=Decimal("500000")
        )
        response = client_for(enterprise_user).post(
            url("registration_check", ready_draft.pk),
            {"truthful": "on", "credit_inquiry": "on", "publication": "on"},
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "超过单笔上限 500,000.00 元" in page
        assert re.search(r'name="truthful"[^>]*checked', page)

    def test_an_unticked_commitment_is_refused_on_the_form(self, client_for, enterprise_user, ready_draft):
        response = client_for(enterprise_user).post(
            url("registration_check", ready_draft.pk), {"truthful": "on"}
        )
        assert response.status_code == 400 and "请逐项确认承诺书内容" in response.content.decode()

    def test_withdraw_from_the_detail_page(self, client_for, enterprise_user, submitted):
        response = client_for(enterprise_user).post(
            url("registration_withdraw", submitted.pk), {"reason": "换银行"}
        )
        assert response.status_code == 302
        submitted.refresh_from_db()
        assert submitted.status == S.WITHDRAWN

    def test_withdraw_after_the_bank_acted_is_refused_without_a_500(
        self, client_for, enterprise_user, submitted
    ):
        LoanRegistration.objects.filter(pk=submitted.pk).update(status=S.ACCEPTED)
        response = client_for(enterprise_user).post(
            url("registration_withdraw", submitted.pk),
            HTTP_REFERER="http://testserver" + url("registration_detail", submitted.pk),
        )
        assert response.status_code == 302
        submitted.refresh_from_db()
        assert submitted.status == S.ACCEPTED

    def test_the_bank_officer_sees_incoming_and_accepts(
        self, client_for, bank_officer, submitted, enterprise_user
    ):
        client = client_for(bank_officer)
        page = client.get(url("incoming")).content.decode()
        assert submitted.enterprise.name in page
        assert (
            client.post(
                url("registration_decide", submitted.pk), {"decision": "decline", "reason": ""}
            ).status_code
            == 400
        )
        assert (
            client.post(
                url("registration_decide", submitted.pk), {"decision": "accept", "reason": "受理"}
            ).status_code
            == 302
        )
        submitted.refresh_from_db()
        assert submitted.status == S.ACCEPTED

    def test_a_bank_does_not_see_drafts(self, client_for, bank_officer, ready_draft):
        client = client_for(bank_officer)
        assert client.get(url("registration_detail", ready_draft.pk)).status_code == 404
        assert (
            f'href="{url("registration_detail", ready_draft.pk)}"'
            not in client.get(url("registration_list")).content.decode()
        )

    def test_filters_and_search(self, client_for, enterprise_user, submitted, enterprise_a, bank_a):
        draft = make_registration(enterprise_a, bank_a, enterprise_user, purpose="扩大生产线")
        link = lambda r: f'href="{url("registration_detail", r.pk)}"'  # noqa: E731
        client = client_for(enterprise_user)
        page = client.get(url("registration_list"), {"status": "draft"}).content.decode()
        assert link(draft) in page and link(submitted) not in page
        page = client.get(url("registration_list"), {"q": "扩大生产"}).content.decode()
        assert link(draft) in page and link(submitted) not in page
        assert client.get(url("registration_list"), {"status": "bogus", "page": "x"}).status_code == 200


ISOLATED_GETS = ["registration_detail", "registration_edit", "registration_check", "registration_decide"]
ISOLATED_POSTS = [
    "registration_withdraw",
    "registration_redraft",
    "registration_decide",
    "registration_check",
]


@pytest.mark.parametrize("persona", ["enterprise_b_user", "bank_b_officer", "outsider"])
@pytest.mark.parametrize("name", ISOLATED_GETS)
def test_others_get_not_found_on_a_registration_page(request, client_for, submitted, persona, name):
    assert client_for(request.getfixturevalue(persona)).get(url(name, submitted.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["enterprise_b_user", "bank_b_officer"])
@pytest.mark.parametrize("name", ISOLATED_POSTS)
def test_others_get_not_found_when_posting_to_a_registration(request, client_for, submitted, persona, name):
    response = client_for(request.getfixturevalue(persona)).post(
        url(name, submitted.pk), {"decision": "accept"}
    )
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


BUTTONS = {
    "check": "registration_check",
    "edit": "registration_edit",
    "withdraw": "registration_withdraw",
    "redraft": "registration_redraft",
    "decide": "registration_decide",
}


@pytest.mark.parametrize(
    ("status", "persona", "shown"),
    [
        (S.DRAFT, "enterprise_user", {"check", "edit"}),
        (S.SUBMITTED, "enterprise_user", {"withdraw"}),
        (S.SUBMITTED, "bank_officer", {"decide"}),
        (S.SUBMITTED, "bank_supervisor", set()),
        (S.SUBMITTED, "bureau_clerk", set()),
        (S.WITHDRAWN, "enterprise_user", {"redraft"}),
        (S.WITHDRAWN, "bank_officer", set()),
        (S.ACCEPTED, "enterprise_user", set()),
        (S.ACCEPTED, "bank_officer", set()),
        (S.DECLINED, "enterprise_user", set()),
    ],
)
def test_the_detail_page_offers_the_moves_the_workflow_admits(
    request, client_for, ready_draft, status, persona, shown
):
    LoanRegistration.objects.filter(pk=ready_draft.pk).update(status=status)
    client = client_for(request.getfixturevalue(persona))
    page = client.get(url("registration_detail", ready_draft.pk)).content.decode()
    offered = {button for button, name in BUTTONS.items() if f'"{url(name, ready_draft.pk)}"' in page}
    assert offered == shown


@pytest.fixture
def roleless(enterprise_a, bank_a):
    """Users of enterprise A and bank A who hold no role there."""
    return {"enterprise": make_user("qiye-norole", enterprise_a), "bank": make_user("bank-norole", bank_a)}


@pytest.mark.parametrize(
    ("method", "name", "status", "org"),
    [
        ("post", "registration_check", S.DRAFT, "enterprise"),
        ("get", "registration_edit", S.DRAFT, "enterprise"),
        ("post", "registration_withdraw", S.SUBMITTED, "enterprise"),
        ("post", "registration_redraft", S.WITHDRAWN, "enterprise"),
        ("get", "registration_decide", S.SUBMITTED, "bank"),
        ("post", "registration_decide", S.SUBMITTED, "bank"),
    ],
)
def test_a_user_of_the_organisation_without_the_role_is_forbidden(
    client_for, ready_draft, roleless, method, name, status, org
):
    LoanRegistration.objects.filter(pk=ready_draft.pk).update(status=status)
    client = client_for(roleless[org])
    data = {"truthful": "on", "credit_inquiry": "on", "publication": "on", "decision": "accept"}
    response = getattr(client, method)(url(name, ready_draft.pk), data if method == "post" else None)
    assert response.status_code == 403
    ready_draft.refresh_from_db()
    assert ready_draft.status == status


def test_a_bank_cannot_edit_or_withdraw_a_registration_addressed_to_it(client_for, bank_officer, submitted):
    client = client_for(bank_officer)
    assert client.get(url("registration_edit", submitted.pk)).status_code == 404
    assert client.post(url("registration_withdraw", submitted.pk)).status_code == 404


MALFORMED = [
    ("profile_edit", {"employees": "many", "revenue": "1e999", "district": "<script>"}),
    (
        "asset_new",
        {"ip_type": "invention", "number": "ZL!!", "grant_date": "2026-13-45", "trademark_class": "x"},
    ),
    ("asset_new", {"ip_type": "trademark", "number": "0", "trademark_class": "99"}),
    ("registration_new", {"bank": "abc", "amount": "NaN", "term_months": "-3", "assets": ["x", "999999"]}),
    (
        "registration_new",
        {"bank": "999999", "amount": "1" * 40, "term_months": "99999999999", "purpose": "x"},
    ),
]


@pytest.mark.parametrize(("name", "data"), MALFORMED)
def test_malformed_posts_never_give_a_500(client_for, enterprise_user, profile_a, cooperating, name, data):
    response = client_for(enterprise_user).post(url(name), data)
    assert response.status_code == 400


def test_malformed_posts_on_a_registration_never_give_a_500(
    client_for, enterprise_user, bank_officer, submitted
):
    client = client_for(bank_officer)
    assert client.post(url("registration_decide", submitted.pk), {"decision": "maybe"}).status_code == 400
    client = client_for(enterprise_user)
    assert client.post(url("registration_withdraw", submitted.pk), {"reason": "x" * 5000}).status_code == 302
    assert client.post(url("registration_redraft", submitted.pk)).status_code == 302  # withdrawn just above
    assert client.get(url("registration_detail", 10**12)).status_code == 404


def _rows(n, enterprise, bank, user, status):
    LoanRegistration.objects.bulk_create(
        LoanRegistration(
            enterprise=enterprise,
            bank=bank,
            created_by=user,
            status=status,
            amount=Decimal(100 + i),
            term_months=12,
            purpose="流动资金",
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("persona", "name", "status"),
    [
        ("enterprise_user", "registration_list", S.DRAFT),
        ("bank_officer", "incoming", S.SUBMITTED),
        ("bureau_clerk", "registration_list", S.SUBMITTED),
    ],
)
def test_registration_lists_keep_a_constant_number_of_queries(
    request,
    client_for,
    django_assert_max_num_queries,
    enterprise_a,
    bank_a,
    enterprise_user,
    persona,
    name,
    status,
):
    client = client_for(request.getfixturevalue(persona))
    _rows(5, enterprise_a, bank_a, enterprise_user, status)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url(name)).status_code == 200
    _rows(45, enterprise_a, bank_a, enterprise_user, status)
    with django_assert_max_num_queries(len(five)):
        response = client.get(url(name))
    assert "共 50 条" in response.content.decode()


def test_the_asset_list_keeps_a_constant_number_of_queries(
    client_for, django_assert_max_num_queries, enterprise_user, enterprise_a
):
    client = client_for(enterprise_user)
    for _ in range(5):
        make_patent(enterprise_a)
    with CaptureQueriesContext(connection) as five:
        client.get(url("asset_list"))
    for _ in range(45):
        make_patent(enterprise_a)
    with django_assert_max_num_queries(len(five)):
        assert client.get(url("asset_list")).status_code == 200


class TestPortal:
    def test_an_enterprise_user_has_three_entries_and_its_drafts_as_tasks(self, enterprise_user, ready_draft):
        labels = [label for label, _ in portal.nav_items(enterprise_user)]
        assert labels == ["企业信息", "知识产权", "质押融资登记"]
        [task] = portal.tasks(enterprise_user)
        assert "尚未提交" in task["title"] and task["url"] == url("registration_check", ready_draft.pk)

    def test_a_bank_officer_has_incoming_applications_as_tasks(self, bank_officer, bank_b_officer, submitted):
        assert [label for label, _ in portal.nav_items(bank_officer)] == ["融资申请"]
        [task] = portal.tasks(bank_officer)
        assert task["url"] == url("registration_decide", submitted.pk)
        assert portal.tasks(bank_b_officer) == []

    def test_the_home_page_shows_the_tasks(self, client_for, enterprise_user, ready_draft):
        assert "尚未提交" in client_for(enterprise_user).get(reverse("accounts:home")).content.decode()
