"""Enterprise profile (Art 7): USCC, district, size, credit declaration, blacklist; own profile only."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from applications.actions import PROFILE_CREATE, PROFILE_UPDATE
from applications.eligibility import enterprise_checks
from applications.models import EnterpriseProfile
from applications.services import (
    enterprise_credit_declare,
    enterprise_profile_save,
)
from tests.applications.conftest import make_profile
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.common.checks import FAIL, PASS
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import NotFound, ValidationFailed
from yunfu_ipfund.common.identifiers import make_uscc

VALID_USCC = make_uscc("91445302MA5C0003")


def profile_data(**overrides):
    data = dict(
        uscc=VALID_USCC,
        legal_representative="陈法人",
        registered_address="云浮市云城区星岩四路1号",
        district="yuncheng",
        sector="industry",
        declared_size="small",
        employees=50,
        revenue=Decimal("800"),
        total_assets=Decimal("600"),
        annual_report_year=today().year - 1,
        is_independent_legal_person=True,
    )
    data.update(overrides)
    return data


def checks_by_rule(checks):
    return {c.rule: c for c in checks}


def test_an_enterprise_user_creates_its_profile_and_it_is_audited(enterprise_user, enterprise_a):
    profile = enterprise_profile_save(by=enterprise_user, enterprise=enterprise_a, **profile_data())
    assert profile.revenue == Decimal("800.00")
    assert [e.action for e in trail_for(profile)] == ["填写企业信息"]
    enterprise_profile_save(by=enterprise_user, enterprise=enterprise_a, **profile_data(employees=60))
    assert [e.action for e in trail_for(profile)] == ["填写企业信息", "修改企业信息"]
    assert [e.code for e in trail_for(profile)] == [PROFILE_CREATE.code, PROFILE_UPDATE.code]
    assert trail_for(profile).last().data["employees"] == {"from": 50, "to": 60}


def test_it_refuses_a_uscc_with_a_wrong_check_character(enterprise_user, enterprise_a):
    bad = VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1")
    with pytest.raises(ValidationFailed, match="第18位校验码"):
        enterprise_profile_save(by=enterprise_user, enterprise=enterprise_a, **profile_data(uscc=bad))
    assert not EnterpriseProfile.objects.exists()


def test_it_refuses_a_uscc_already_used_by_another_organisation(enterprise_user, enterprise_a, enterprise_b):
    with pytest.raises(ValidationFailed, match="已被其他机构使用"):
        enterprise_profile_save(
            by=enterprise_user, enterprise=enterprise_a, **profile_data(uscc=enterprise_b.uscc)
        )


@pytest.mark.parametrize("district", ["outside", "guangzhou", ""])
def test_it_refuses_an_enterprise_registered_outside_yunfu_citing_article_7(
    enterprise_user, enterprise_a, district
):
    with pytest.raises(ValidationFailed, match="第七条"):
        enterprise_profile_save(
            by=enterprise_user, enterprise=enterprise_a, **profile_data(district=district)
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sector", "mining"),
        ("declared_size", "huge"),
        ("employees", -1),
        ("employees", "50"),
        ("revenue", Decimal("12.345")),
        ("total_assets", "abc"),
        ("legal_representative", "  "),
        ("annual_report_year", 3000),
    ],
)
def test_it_refuses_bad_figures(enterprise_user, enterprise_a, field, value):
    with pytest.raises(ValidationFailed):
        enterprise_profile_save(by=enterprise_user, enterprise=enterprise_a, **profile_data(**{field: value}))


def test_a_declared_size_contradicting_the_figures_is_kept_but_the_figures_decide(
    enterprise_user, enterprise_a, policy
):
    profile = enterprise_profile_save(
        by=enterprise_user,
        enterprise=enterprise_a,
        **profile_data(declared_size="small", employees=1200, revenue=Decimal("50000")),
    )
    assert profile.declared_size == "small"
    check = checks_by_rule(enterprise_checks(enterprise_a, policy=policy, on=today()))["enterprise_size"]
    assert check.outcome == FAIL
    assert "属大型企业" in check.message and "申报为小型企业" in check.message


def test_a_user_of_another_enterprise_cannot_edit_the_profile(enterprise_b_user, enterprise_a):
    with pytest.raises(NotFound):
        enterprise_profile_save(by=enterprise_b_user, enterprise=enterprise_a, **profile_data())


def test_a_bank_officer_cannot_edit_an_enterprise_profile(bank_officer, enterprise_a):
    with pytest.raises(NotFound):
        enterprise_profile_save(by=bank_officer, enterprise=enterprise_a, **profile_data())


def test_the_credit_declaration_is_dated_and_signed(enterprise_user, enterprise_a):
    make_profile(enterprise_a, credit_declared_on=None)
    with time_machine.travel(dt.datetime(2026, 10, 8, 10, tzinfo=dt.UTC)):
        profile = enterprise_credit_declare(by=enterprise_user, enterprise=enterprise_a)
    assert profile.credit_declared_on == dt.date(2026, 10, 8)
    assert profile.credit_declared_by == enterprise_user
    assert "36 个月" in trail_for(profile).last().reason


class TestEnterpriseChecks:
    def test_a_complete_profile_passes_every_condition_of_article_7(self, enterprise_a, profile_a, policy):
        checks = enterprise_checks(enterprise_a, policy=policy, on=today())
        assert {c.outcome for c in checks} == {PASS}

    def test_without_a_profile_it_fails_once(self, enterprise_a, policy):
        [check] = enterprise_checks(enterprise_a, policy=policy, on=today())
        assert check.outcome == FAIL

    @pytest.mark.parametrize(
        ("overrides", "rule"),
        [
            ({"district": ""}, "registered_in_yunfu"),
            ({"declared_size": "large", "employees": 2000, "revenue": Decimal(90000)}, "enterprise_size"),
            ({"is_independent_legal_person": False}, "independent_legal_person"),
            ({"annual_report_year": None}, "annual_report"),
            ({"credit_declared_on": None}, "credit_record"),
        ],
    )
    def test_each_condition_fails_on_its_own(self, enterprise_a, policy, overrides, rule):
        make_profile(enterprise_a, **overrides)
        failed = [
            c.rule for c in enterprise_checks(enterprise_a, policy=policy, on=today()) if c.outcome == FAIL
        ]
        assert failed == [rule]

    @pytest.mark.parametrize(
        ("filed", "on", "outcome"),
        [
            (2024, dt.date(2026, 6, 30), PASS),  # the 2025 report is still within its filing window
            (2024, dt.date(2026, 7, 1), FAIL),
            (2025, dt.date(2026, 7, 1), PASS),
            (2023, dt.date(2026, 6, 30), FAIL),
        ],
    )
    def test_last_years_annual_report_is_required_once_its_window_closed(
        self, enterprise_a, policy, filed, on, outcome
    ):
        make_profile(enterprise_a, annual_report_year=filed)
        assert (
            checks_by_rule(enterprise_checks(enterprise_a, policy=policy, on=on))["annual_report"].outcome
            == outcome
        )

    def test_a_declaration_made_after_the_day_judged_still_covers_it(self, enterprise_a, policy):
        make_profile(enterprise_a, credit_declared_on=dt.date(2026, 11, 26))
        check = checks_by_rule(enterprise_checks(enterprise_a, policy=policy, on=dt.date(2026, 11, 20)))[
            "credit_record"
        ]
        assert check.outcome == PASS

    def test_the_declarations_validity_is_read_from_the_policy(self, enterprise_a, policy):
        make_profile(enterprise_a, credit_declared_on=dt.date(2026, 10, 27))
        on = dt.date(2026, 11, 26)
        assert (
            checks_by_rule(enterprise_checks(enterprise_a, policy=policy, on=on))["credit_record"].outcome
            == PASS
        )
        policy.declaration_valid_days = 29
        check = checks_by_rule(enterprise_checks(enterprise_a, policy=policy, on=on))["credit_record"]
        assert check.outcome == FAIL and "29 日内" in check.message
