"""Art 7 verified, not declared (issue 9; Rulings of December 2026): the size from the figures, the USCC's
registration authority against the district, 个体工商户 refused, the enterprise's declaration fresh within
`declaration_valid_days`, and the bureau clerk's recorded credit check (through the credit provider)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import credit
from applications.actions import CREDIT_CHECK, REGION_OVERRIDE
from applications.eligibility import enterprise_checks, registration_checks
from applications.models import Blacklisting, CreditCheck, EnterpriseProfile
from applications.services import (
    enterprise_credit_check_record,
    enterprise_profile_save,
    enterprise_region_override,
    registration_submit,
)
from tests.applications.conftest import make_credit_check, make_profile, make_registration
from tests.factories import PDF
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.common.checks import FAIL, PASS
from yunfu_ipfund.common.dates import add_months, today
from yunfu_ipfund.common.errors import DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.common.identifiers import make_uscc

D = Decimal


def rule(checks, name):
    return next(c for c in checks if c.rule == name)


def with_uscc(org, stem):
    org.uscc = make_uscc(stem)
    org.save(update_fields=["uscc"])
    return org


def pdf(name="extract.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- size from the figures --------------------------------------------------------------------------


def test_a_large_industrial_firm_declared_small_is_refused_with_the_article_and_figures(enterprise_a, policy):
    make_profile(enterprise_a, declared_size="small", employees=2000, revenue=D("50000"))
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "enterprise_size")
    assert check.outcome == FAIL
    assert check.message.startswith(
        "依据《管理办法》第七条，按《中小企业划型标准规定》（工信部联企业〔2011〕300号），"
        "工业企业从业人员2000人、营业收入50000万元属大型企业，不在支持范围"
    )
    assert "申报为小型企业" in check.message


def test_an_agricultural_firm_with_30_staff_and_30000_wan_is_large_and_refused(enterprise_a, policy):
    make_profile(enterprise_a, sector="agriculture", declared_size="small", employees=30, revenue=D("30000"))
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "enterprise_size")
    assert check.outcome == FAIL and "农、林、牧、渔业企业营业收入30000万元属大型企业" in check.message


def test_a_medium_firm_declared_micro_passes_as_medium(enterprise_a, policy):
    make_profile(enterprise_a, declared_size="micro", employees=300, revenue=D("2000"))
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "enterprise_size")
    assert check.outcome == PASS and "属中型企业" in check.message


def test_missing_figures_cannot_be_classified_and_fail_naming_the_figure(enterprise_a, policy):
    make_profile(enterprise_a, employees=None, revenue=None)
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "enterprise_size")
    assert check.outcome == FAIL
    assert "未填写从业人员、营业收入，无法划分企业规模" in check.message


def test_the_profile_saves_missing_figures_as_missing(enterprise_user, enterprise_a, policy):
    profile = enterprise_profile_save(
        by=enterprise_user,
        enterprise=enterprise_a,
        uscc=enterprise_a.uscc,
        legal_representative="陈法人",
        registered_address="云浮市云城区",
        district="yuncheng",
        sector="construction",
        declared_size="small",
        employees=None,
        revenue=D("800"),
        total_assets=None,
        is_independent_legal_person=True,
    )
    assert (profile.employees, profile.total_assets) == (None, None)
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "enterprise_size")
    assert check.outcome == FAIL and "未填写资产总额" in check.message


# --- the USCC against the district ------------------------------------------------------------------


def test_a_beijing_code_declared_in_yuncheng_is_refused(enterprise_a, policy):
    with_uscc(enterprise_a, "91110108MA5C0003")
    make_profile(enterprise_a, district="yuncheng")
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "uscc_region")
    assert check.outcome == FAIL
    assert "110108" in check.message and "云城区（445302）" in check.message and "第七条" in check.message


@pytest.mark.parametrize(
    ("stem", "district", "outcome"),
    [
        ("91445302MA5C0003", "yuncheng", PASS),
        ("91445303MA5C0003", "yunan", PASS),
        ("91445381MA5C0003", "luoding", PASS),
        ("91445321MA5C0003", "xinxing", PASS),
        ("91445322MA5C0003", "yunnan", PASS),
        ("91445300MA5C0003", "luoding", PASS),  # the city's own authority: any district
        ("91445381MA5C0003", "yuncheng", FAIL),  # another Yunfu district
        ("91440000MA5C0003", "yuncheng", FAIL),  # the provincial authority: an override is needed
        ("91445301MA5C0003", "yuncheng", FAIL),
    ],
)
def test_the_registration_authority_must_be_the_districts(enterprise_a, policy, stem, district, outcome):
    with_uscc(enterprise_a, stem)
    make_profile(enterprise_a, district=district)
    assert rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "uscc_region").outcome == outcome


def test_the_bureau_overrides_a_provincial_registration_with_a_reason_audited(
    enterprise_a, policy, bureau_clerk
):
    with_uscc(enterprise_a, "91440000MA5C0003")
    make_profile(enterprise_a, district="yuncheng")
    profile = enterprise_region_override(
        by=bureau_clerk, enterprise=enterprise_a, reason="由广东省市场监督管理局登记，实际经营地在云城区"
    )
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "uscc_region")
    assert check.outcome == PASS and "周经办" in check.message and "实际经营地在云城区" in check.message
    event = trail_for(profile).last()
    assert (event.code, event.actor_id, event.reason) == (
        REGION_OVERRIDE.code,
        bureau_clerk.pk,
        "由广东省市场监督管理局登记，实际经营地在云城区",
    )
    # a changed code needs a new override
    with_uscc(enterprise_a, "91110108MA5C0003")
    assert rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "uscc_region").outcome == FAIL


def test_an_override_needs_a_reason_the_bureau_and_a_mismatch(
    enterprise_a, profile_a, bureau_clerk, enterprise_user
):
    with pytest.raises(DomainError, match="无需核准"):
        enterprise_region_override(by=bureau_clerk, enterprise=enterprise_a, reason="理由")
    with_uscc(enterprise_a, "91440000MA5C0003")
    with pytest.raises(ValidationFailed):
        enterprise_region_override(by=bureau_clerk, enterprise=enterprise_a, reason="  ")
    with pytest.raises(Forbidden):
        enterprise_region_override(by=enterprise_user, enterprise=enterprise_a, reason="理由")


# --- independent legal person ---------------------------------------------------------------------


def test_a_sole_trader_92_code_is_refused_whatever_it_declares(enterprise_a, policy):
    with_uscc(enterprise_a, "92445302MA5C0003")
    make_profile(enterprise_a, is_independent_legal_person=True)
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "independent_legal_person")
    assert check.outcome == FAIL and "个体工商户" in check.message and "92" in check.message


def test_legal_personality_is_never_assumed(enterprise_user, enterprise_a, policy):
    assert EnterpriseProfile._meta.get_field("is_independent_legal_person").default is None
    profile = enterprise_profile_save(
        by=enterprise_user,
        enterprise=enterprise_a,
        uscc=enterprise_a.uscc,
        legal_representative="陈法人",
        registered_address="云浮市云城区",
        district="yuncheng",
        sector="industry",
        declared_size="small",
        employees=50,
        revenue=D("800"),
        total_assets=D("600"),
    )
    assert profile.is_independent_legal_person is None
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "independent_legal_person")
    assert check.outcome == FAIL and "尚未声明" in check.message


# --- the enterprise's declaration ------------------------------------------------------------------


def test_a_declaration_35_months_old_no_longer_counts(enterprise_a, policy):
    on = dt.date(2026, 11, 26)
    make_profile(enterprise_a, credit_declared_on=add_months(on, -35))
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=on), "credit_record")
    assert check.outcome == FAIL and "30 日内" in check.message


@pytest.mark.parametrize(("days_before", "outcome"), [(30, PASS), (31, FAIL)])
def test_a_declaration_counts_for_declaration_valid_days_before_submission(
    enterprise_a, policy, days_before, outcome
):
    on = dt.date(2026, 11, 26)
    assert policy.declaration_valid_days == 30
    make_profile(enterprise_a, credit_declared_on=on - dt.timedelta(days=days_before))
    assert rule(enterprise_checks(enterprise_a, policy=policy, on=on), "credit_record").outcome == outcome


def test_the_declaration_is_judged_at_submission_when_given(enterprise_a, policy):
    make_profile(enterprise_a, credit_declared_on=dt.date(2026, 10, 1))
    checks = enterprise_checks(
        enterprise_a, policy=policy, on=dt.date(2026, 12, 1), submitted_on=dt.date(2026, 10, 20)
    )
    assert rule(checks, "credit_record").outcome == PASS


# --- the bureau's recorded credit check -----------------------------------------------------------


def test_a_registration_without_a_recorded_check_is_refused(
    enterprise_user, enterprise_a, bank_a, profile_a, patent_a, cooperating, policy
):
    registration = make_registration(enterprise_a, bank_a, enterprise_user, assets=[patent_a], signed=True)
    check = rule(registration_checks(registration, policy=policy, on=today()), "credit_check")
    assert check.outcome == FAIL and "尚无核查记录" in check.message
    with pytest.raises(DomainError) as exc:
        registration_submit(by=enterprise_user, registration=registration)
    assert "credit_check" in {d["rule"] for d in exc.value.details}


@pytest.mark.parametrize(("days_before", "outcome"), [(30, PASS), (31, FAIL)])
def test_a_recorded_check_counts_for_declaration_valid_days_before_submission(
    ready_draft, bureau_clerk, enterprise_a, policy, days_before, outcome
):
    CreditCheck.objects.all().delete()
    on = dt.date(2026, 11, 26)
    make_credit_check(enterprise_a, bureau_clerk, queried_on=on - dt.timedelta(days=days_before))
    assert rule(registration_checks(ready_draft, policy=policy, on=on), "credit_check").outcome == outcome


@pytest.mark.parametrize(
    ("overrides", "says"),
    [({"credit_clean": False}, "有不良信用记录"), ({"annual_report_on_time": False}, "未按时报送年度报告")],
)
def test_a_check_that_found_a_record_refuses(
    ready_draft, bureau_clerk, enterprise_a, policy, overrides, says
):
    make_credit_check(enterprise_a, bureau_clerk, **overrides)
    check = rule(registration_checks(ready_draft, policy=policy, on=today()), "credit_check")
    assert check.outcome == FAIL and says in check.message and "第七条" in check.message


def test_the_clerk_records_a_check_through_the_manual_provider_and_it_is_audited(
    bureau_clerk, enterprise_a, profile_a
):
    check = enterprise_credit_check_record(
        by=bureau_clerk,
        enterprise=enterprise_a,
        source="信用中国",
        queried_on=today(),
        credit_clean=True,
        annual_report_on_time=True,
        note="无失信记录",
        extract=pdf(),
    )
    assert (check.provider, check.source, check.by) == ("人工查询录入", "信用中国", bureau_clerk)
    assert check.extract and check.content_type == "application/pdf" and len(check.sha256) == 64
    assert trail_for(check).last().code == CREDIT_CHECK.code


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"extract": None}, "credit_extract"),
        ({"source": "百度"}, "credit_source"),
        ({"queried_on": None}, "credit_queried_on"),
        ({"queried_on": today() + dt.timedelta(days=1)}, "credit_queried_on"),
        ({"credit_clean": None}, "credit_result"),
    ],
)
def test_the_manual_provider_refuses_an_incomplete_check(bureau_clerk, enterprise_a, overrides, code):
    inputs = dict(
        source="国家企业信用信息公示系统",
        queried_on=today(),
        credit_clean=True,
        annual_report_on_time=True,
        extract=pdf(),
    )
    inputs.update(overrides)
    with pytest.raises(ValidationFailed) as exc:
        enterprise_credit_check_record(by=bureau_clerk, enterprise=enterprise_a, **inputs)
    assert exc.value.code == code
    assert not CreditCheck.objects.exists()


@pytest.mark.parametrize("persona", ["enterprise_user", "bank_officer", "finance_user"])
def test_only_the_bureau_records_a_check(request, persona, enterprise_a):
    with pytest.raises(Forbidden):
        enterprise_credit_check_record(by=request.getfixturevalue(persona), enterprise=enterprise_a)


class StubProvider(credit.CreditProvider):
    name = "测试接口"

    def check(self, enterprise, **inputs):
        return credit.CreditResult(
            source="国家企业信用信息公示系统",
            queried_on=today(),
            credit_clean=True,
            annual_report_on_time=True,
        )


def test_the_provider_is_chosen_by_the_setting(settings, bureau_clerk, enterprise_a):
    assert credit.credit_provider().__class__ is credit.ManualCreditProvider
    settings.CREDIT_PROVIDER = "tests.applications.test_eligibility_verified.StubProvider"
    check = enterprise_credit_check_record(by=bureau_clerk, enterprise=enterprise_a)
    assert check.provider == "测试接口" and not check.extract


# --- pages -----------------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"applications:{name}", args=args)


def credit_post(**overrides):
    data = {
        "source": "国家企业信用信息公示系统",
        "queried_on": today().isoformat(),
        "credit_clean": "yes",
        "annual_report_on_time": "yes",
        "note": "",
        "extract": pdf(),
    }
    data.update(overrides)
    return data


class TestCreditCheckPage:
    def test_the_clerk_records_a_check_end_to_end_and_downloads_the_extract(
        self, client_for, bureau_clerk, enterprise_a, profile_a
    ):
        client = client_for(bureau_clerk)
        page = client.get(url("enterprise_detail", enterprise_a.pk)).content.decode()
        assert url("credit_check", enterprise_a.pk) in page and "尚未核查" in page
        response = client.get(url("credit_check", enterprise_a.pk))
        assert response.status_code == 200 and 'enctype="multipart/form-data"' in response.content.decode()
        response = client.post(url("credit_check", enterprise_a.pk), credit_post())
        assert response.status_code == 302 and response.url == url("enterprise_detail", enterprise_a.pk)
        check = CreditCheck.objects.get()
        page = client.get(url("enterprise_detail", enterprise_a.pk)).content.decode()
        assert "国家企业信用信息公示系统" in page and "通过" in page
        response = client.get(url("credit_check_extract", enterprise_a.pk, check.pk))
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF

    def test_the_form_asks_for_the_look_back_of_the_version_in_force(
        self, client_for, bureau_clerk, enterprise_a, profile_a
    ):
        from yunfu_ipfund.policy.models import PolicyVersion
        from yunfu_ipfund.policy.services import policy_in_force

        version = policy_in_force(dt.date.today())
        PolicyVersion.objects.filter(pk=version.pk).update(credit_lookback_months=24)
        page = client_for(bureau_clerk).get(url("credit_check", enterprise_a.pk)).content.decode()
        assert "近 24 个月有无不良信用记录" in page and "近三年" not in page

    def test_a_check_without_the_extract_is_refused_on_the_page(
        self, client_for, bureau_clerk, enterprise_a, profile_a
    ):
        response = client_for(bureau_clerk).post(
            url("credit_check", enterprise_a.pk), credit_post(extract="")
        )
        assert response.status_code == 400 and not CreditCheck.objects.exists()

    def test_the_enterprise_itself_is_refused_with_403(
        self, client_for, enterprise_user, enterprise_a, profile_a
    ):
        client = client_for(enterprise_user)
        assert client.get(url("credit_check", enterprise_a.pk)).status_code == 403
        assert client.post(url("credit_check", enterprise_a.pk), credit_post()).status_code == 403
        assert not CreditCheck.objects.exists()

    @pytest.mark.parametrize("persona", ["outsider", "bank_officer"])
    def test_who_cannot_see_the_enterprise_gets_404(
        self, client_for, request, persona, enterprise_a, profile_a
    ):
        response = client_for(request.getfixturevalue(persona)).get(url("credit_check", enterprise_a.pk))
        assert response.status_code == 404

    def test_the_extract_is_404_to_the_enterprise(
        self, client_for, enterprise_user, bureau_clerk, enterprise_a, profile_a
    ):
        check = make_credit_check(enterprise_a, bureau_clerk)
        response = client_for(enterprise_user).get(url("credit_check_extract", enterprise_a.pk, check.pk))
        assert response.status_code == 404


class TestOverrideAndBlacklistPages:
    def test_the_clerk_overrides_the_region_on_the_enterprise_page(
        self, client_for, bureau_clerk, enterprise_a
    ):
        with_uscc(enterprise_a, "91440000MA5C0003")
        make_profile(enterprise_a)
        client = client_for(bureau_clerk)
        assert (
            url("region_override", enterprise_a.pk)
            in client.get(url("enterprise_detail", enterprise_a.pk)).content.decode()
        )
        response = client.post(
            url("region_override", enterprise_a.pk), {"reason": "省局登记，经营地在云城区"}
        )
        assert response.status_code == 302
        page = client.get(url("enterprise_detail", enterprise_a.pk)).content.decode()
        assert "登记机关核准" in page and "省局登记，经营地在云城区" in page and "周经办" in page

    def test_the_enterprise_cannot_override_its_region(self, client_for, enterprise_user, enterprise_a):
        with_uscc(enterprise_a, "91440000MA5C0003")
        make_profile(enterprise_a)
        response = client_for(enterprise_user).post(url("region_override", enterprise_a.pk), {"reason": "x"})
        assert response.status_code == 403

    def test_the_approver_lists_by_hand_without_an_end_date(
        self, client_for, bureau_approver, enterprise_a, profile_a, policy
    ):
        client = client_for(bureau_approver)
        page = client.get(url("enterprise_detail", enterprise_a.pk)).content.decode()
        assert "data-confirm" in page and url("blacklist", enterprise_a.pk) in page
        response = client.post(url("blacklist", enterprise_a.pk), {"reason": "伪造材料", "confirm": "on"})
        assert response.status_code == 302
        listing = Blacklisting.objects.get()
        assert listing.source == Blacklisting.Source.MANUAL
        assert listing.listed_until == add_months(today(), 12 * policy.blacklist_years)

    def test_the_listing_needs_the_confirmation(self, client_for, bureau_approver, enterprise_a, profile_a):
        response = client_for(bureau_approver).post(url("blacklist", enterprise_a.pk), {"reason": "伪造材料"})
        assert response.status_code == 400 and not Blacklisting.objects.exists()

    def test_the_clerk_cannot_list(self, client_for, bureau_clerk, enterprise_a, profile_a):
        response = client_for(bureau_clerk).post(
            url("blacklist", enterprise_a.pk), {"reason": "伪造材料", "confirm": "on"}
        )
        assert response.status_code == 403 and not Blacklisting.objects.exists()
