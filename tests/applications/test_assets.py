"""IP assets (Art 2): patents, trademarks and geographical indications only; the holder is the enterprise."""

import datetime as dt

import pytest

from applications.actions import ASSET_OVERRIDE_HOLDER, ASSET_REGISTER
from applications.eligibility import asset_checks
from applications.models import IPAsset
from applications.services import ip_asset_override_holder, ip_asset_register, ip_asset_update
from tests.applications.conftest import make_patent, make_trademark
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.common.checks import FAIL, PASS, WARN
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Forbidden, NotFound, ValidationFailed
from yunfu_ipfund.common.identifiers import make_patent_number
from yunfu_ipfund.notices.models import Message

INVENTION = make_patent_number("202310123456")
UTILITY = make_patent_number("202320123457")


def register(user, org, **overrides):
    data = dict(
        ip_type="invention",
        number=INVENTION,
        title="一种石材切割装置",
        holder_name=org.name,
        grant_date=dt.date(2024, 1, 5),
        expiry_date=dt.date(2043, 1, 5),
        annual_fee_paid_through=today() + dt.timedelta(days=100),
    )
    data.update(overrides)
    return ip_asset_register(by=user, enterprise=org, **data)


class TestRegister:
    def test_it_registers_a_patent_with_its_normalised_number(self, enterprise_user, enterprise_a):
        asset = register(enterprise_user, enterprise_a, number=INVENTION.lower().replace("zl", ""))
        assert asset.number == INVENTION
        event = trail_for(asset).get()
        assert (event.code, event.action) == (ASSET_REGISTER.code, "登记知识产权")

    def test_it_refuses_a_patent_number_whose_type_contradicts_the_declared_type(
        self, enterprise_user, enterprise_a
    ):
        with pytest.raises(ValidationFailed, match="实用新型"):
            register(enterprise_user, enterprise_a, number=UTILITY, ip_type="invention")

    def test_it_refuses_a_patent_number_with_a_wrong_check_digit(self, enterprise_user, enterprise_a):
        wrong = INVENTION[:-1] + ("1" if INVENTION[-1] != "1" else "2")
        with pytest.raises(ValidationFailed, match="校验位"):
            register(enterprise_user, enterprise_a, number=wrong)

    def test_it_registers_a_trademark_with_its_nice_class(self, enterprise_user, enterprise_a):
        asset = register(
            enterprise_user, enterprise_a, ip_type="trademark", number="第12345678号", trademark_class="19"
        )
        assert (asset.number, asset.trademark_class, asset.annual_fee_paid_through) == ("12345678", 19, None)

    @pytest.mark.parametrize(("number", "klass"), [("12AB", 19), ("12345678", 46), ("12345678", None)])
    def test_it_refuses_a_bad_trademark(self, enterprise_user, enterprise_a, number, klass):
        with pytest.raises(ValidationFailed):
            register(enterprise_user, enterprise_a, ip_type="trademark", number=number, trademark_class=klass)

    def test_it_registers_a_geographical_indication_with_its_right_type_and_document(
        self, enterprise_user, enterprise_a
    ):
        asset = register(
            enterprise_user,
            enterprise_a,
            ip_type="geo_indication",
            number="GI-2019-088",
            gi_right_type="use_right",
            authorisation_document="国家知识产权局公告第123号",
        )
        assert asset.gi_right_type == "use_right"

    @pytest.mark.parametrize(
        ("right_type", "document"), [("", "公告"), ("use_right", ""), ("patent", "公告")]
    )
    def test_a_geographical_indication_needs_a_right_type_and_a_document(
        self, enterprise_user, enterprise_a, right_type, document
    ):
        with pytest.raises(ValidationFailed):
            register(
                enterprise_user,
                enterprise_a,
                ip_type="geo_indication",
                number="GI-1",
                gi_right_type=right_type,
                authorisation_document=document,
            )

    @pytest.mark.parametrize(
        ("ip_type", "label"),
        [
            ("copyright", "著作权"),
            ("software_copyright", "计算机软件著作权"),
            ("plant_variety", "植物新品种权"),
            ("trade_secret", "商业秘密"),
        ],
    )
    def test_it_refuses_what_article_2_leaves_out(self, enterprise_user, enterprise_a, ip_type, label):
        with pytest.raises(ValidationFailed, match="第二条") as exc:
            register(enterprise_user, enterprise_a, ip_type=ip_type, number="2020SR123456")
        assert label in exc.value.message
        assert not IPAsset.objects.exists()

    def test_it_refuses_the_same_number_twice(
        self, enterprise_user, enterprise_a, enterprise_b_user, enterprise_b
    ):
        register(enterprise_user, enterprise_a)
        with pytest.raises(ValidationFailed, match="已在系统中登记"):
            register(enterprise_b_user, enterprise_b, holder_name=enterprise_b.name)

    def test_another_enterprise_cannot_register_for_it(self, enterprise_b_user, enterprise_a):
        with pytest.raises(NotFound):
            register(enterprise_b_user, enterprise_a)


class TestHolder:
    def test_a_holder_name_other_than_the_enterprise_is_refused(self, enterprise_user, enterprise_a):
        with pytest.raises(ValidationFailed, match="不一致"):
            register(enterprise_user, enterprise_a, holder_name="云浮市云石实业有限公司")
        assert not IPAsset.objects.exists()

    def test_a_mismatch_may_be_registered_for_review_but_cannot_be_pledged_until_overridden(
        self, enterprise_user, enterprise_a, bureau_clerk, policy
    ):
        asset = register(
            enterprise_user, enterprise_a, holder_name="云浮市云石实业有限公司", request_holder_override=True
        )
        assert asset.holder_override_requested
        assert Message.objects.filter(recipient=bureau_clerk).exists()
        owned = lambda: next(  # noqa: E731
            c
            for c in asset_checks(
                [asset],
                enterprise=enterprise_a,
                policy=policy,
                maturity=None,
            )
            if c.rule == "ip_owned"
        )
        assert owned().outcome == FAIL

        asset = ip_asset_override_holder(
            by=bureau_clerk, asset=asset, reason="企业于2024年更名，见更名核准通知书"
        )
        assert asset.holder_override_by == bureau_clerk and asset.holder_override_at
        assert owned().outcome == PASS and "已经市监局核准" in owned().message
        assert trail_for(asset).last().code == ASSET_OVERRIDE_HOLDER.code

    @pytest.mark.parametrize(
        "persona", ["enterprise_user", "bank_officer", "bank_supervisor", "finance_user", "administrator"]
    )
    def test_only_bureau_reviewers_may_override(self, request, persona, enterprise_a):
        asset = make_patent(enterprise_a, holder_name="别的公司")
        with pytest.raises(Forbidden):
            ip_asset_override_holder(by=request.getfixturevalue(persona), asset=asset, reason="理由")
        asset.refresh_from_db()
        assert asset.holder_override_by is None

    def test_the_bureau_approver_may_override_too_but_needs_a_reason(self, bureau_approver, enterprise_a):
        asset = make_patent(enterprise_a, holder_name="别的公司")
        with pytest.raises(ValidationFailed):
            ip_asset_override_holder(by=bureau_approver, asset=asset, reason=" ")
        assert ip_asset_override_holder(by=bureau_approver, asset=asset, reason="更名").holder_overridden

    def test_an_override_is_refused_when_the_names_match(self, bureau_clerk, enterprise_a):
        with pytest.raises(Exception, match="无需核准"):
            ip_asset_override_holder(by=bureau_clerk, asset=make_patent(enterprise_a), reason="x")


class TestAssetChecks:
    def only(self, checks, rule):
        return [c for c in checks if c.rule == rule]

    def test_a_valid_patent_passes_every_check(self, enterprise_a, policy):
        checks = asset_checks(
            [make_patent(enterprise_a)],
            enterprise=enterprise_a,
            policy=policy,
            maturity=today() + dt.timedelta(days=365),
        )
        assert {c.outcome for c in checks} == {PASS}

    def test_no_asset_fails(self, enterprise_a, policy):
        assert asset_checks([], enterprise=enterprise_a, policy=policy, maturity=None)[0].outcome == FAIL

    def test_an_asset_expiring_before_the_loan_matures_is_flagged(self, enterprise_a, policy):
        asset = make_trademark(enterprise_a, expiry_date=today() + dt.timedelta(days=100))
        [check] = self.only(
            asset_checks(
                [asset], enterprise=enterprise_a, policy=policy, maturity=today() + dt.timedelta(days=365)
            ),
            "ip_valid",
        )
        assert check.outcome == WARN and "早于贷款到期日" in check.message

    def test_an_expired_asset_fails(self, enterprise_a, policy):
        asset = make_trademark(enterprise_a, expiry_date=today() - dt.timedelta(days=1))
        [check] = self.only(
            asset_checks([asset], enterprise=enterprise_a, policy=policy, maturity=None), "ip_valid"
        )
        assert check.outcome == FAIL

    @pytest.mark.parametrize("paid_through", [None, "yesterday"])
    def test_a_patent_with_its_annual_fee_unpaid_fails(self, enterprise_a, policy, paid_through):
        paid = today() - dt.timedelta(days=1) if paid_through else None
        asset = make_patent(enterprise_a, annual_fee_paid_through=paid)
        [check] = self.only(
            asset_checks([asset], enterprise=enterprise_a, policy=policy, maturity=None), "patent_fee_paid"
        )
        assert check.outcome == FAIL

    def test_an_asset_of_another_enterprise_fails(self, enterprise_a, enterprise_b, policy):
        asset = make_patent(enterprise_b)
        [check] = self.only(
            asset_checks([asset], enterprise=enterprise_a, policy=policy, maturity=None), "ip_owned"
        )
        assert check.outcome == FAIL

    def test_a_type_outside_the_policy_scope_fails(self, enterprise_a, policy):
        policy.ip_types_in_scope = ["invention", "utility_model", "design", "trademark"]
        asset = make_trademark(enterprise_a)
        gi = IPAsset.objects.create(
            enterprise=enterprise_a,
            ip_type="geo_indication",
            number="GI-9",
            title="罗定稻米",
            holder_name=enterprise_a.name,
            gi_right_type="use_right",
            authorisation_document="公告",
            expiry_date=today() + dt.timedelta(days=999),
        )
        outcomes = {
            c.label: c.outcome
            for c in self.only(
                asset_checks([asset, gi], enterprise=enterprise_a, policy=policy, maturity=None),
                "ip_in_scope",
            )
        }
        assert sorted(outcomes.values()) == [FAIL, PASS]

    def test_an_asset_already_pledged_under_a_live_loan_fails(self, enterprise_a, policy, live_filing):
        free, pledged = make_patent(enterprise_a), live_filing.pledges.get().asset
        checks = self.only(
            asset_checks([free, pledged], enterprise=enterprise_a, policy=policy, maturity=None),
            "ip_not_pledged",
        )
        assert [c.outcome for c in checks] == [PASS, FAIL]

    def test_the_filing_being_judged_does_not_count_its_own_pledges(self, enterprise_a, policy, live_filing):
        pledged = live_filing.pledges.get().asset

        def free(**kwargs):
            [check] = self.only(
                asset_checks([pledged], enterprise=enterprise_a, policy=policy, maturity=None, **kwargs),
                "ip_not_pledged",
            )
            return check.outcome

        assert free(excluding_filing_id=live_filing.pk) == PASS
        assert free() == FAIL  # the exclusion is an argument, never state left behind by an earlier caller


def test_the_enterprise_keeps_its_asset_dates_current(enterprise_user, enterprise_a, enterprise_b_user):
    asset = make_patent(enterprise_a)
    new_date = today() + dt.timedelta(days=400)
    asset = ip_asset_update(
        by=enterprise_user,
        asset=asset,
        title=asset.title,
        grant_date=asset.grant_date,
        expiry_date=asset.expiry_date,
        annual_fee_paid_through=new_date,
    )
    assert asset.annual_fee_paid_through == new_date
    assert trail_for(asset).last().action == "更新知识产权信息"
    with pytest.raises(NotFound):
        ip_asset_update(by=enterprise_b_user, asset=asset, title="x")
