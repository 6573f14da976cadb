"""The Measures as data: versions in force, contiguity, validation, freezing, LPR and the rate cap."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import object_label
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.policy import services
from yunfu_ipfund.policy.models import LprRate, PolicyVersion
from yunfu_ipfund.policy.seed import DEFAULTS_2025

pytestmark = [pytest.mark.django_db, pytest.mark.article(23)]

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# The 1-year LPR as published by the National Interbank Funding Center (issue 2's table).
PUBLISHED_LPR = {
    "2019-08-20": "4.25",
    "2019-09-20": "4.20",
    "2019-11-20": "4.15",
    "2020-02-20": "4.05",
    "2020-04-20": "3.85",
    "2021-12-20": "3.80",
    "2022-01-20": "3.70",
    "2022-08-22": "3.65",
    "2023-06-20": "3.55",
    "2023-08-21": "3.45",
    "2024-07-22": "3.35",
    "2024-10-21": "3.10",
    "2025-05-20": "3.00",
}


def version(code):
    return PolicyVersion.objects.get(code=code)


def events_about(obj):
    return AuditEvent.objects.filter(object_type=object_label(obj), object_id=str(obj.pk)).order_by("id")


def new_version_fields(**overrides):
    fields = dict(
        code="2030",
        title="云浮市中小微企业知识产权质押融资风险补偿资金管理办法（2030年）",
        issuing_body="云浮市市场监督管理局",
        legal_basis="同上",
        effective_from=dt.date(2030, 9, 25),
        effective_to=dt.date(2035, 9, 24),
        **DEFAULTS_2025,
    )
    fields.update(overrides)
    return fields


# --- the version in force -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, code",
    [
        (dt.date(2020, 9, 24), "2020"),
        (dt.date(2025, 9, 24), "2020"),
        (dt.date(2025, 9, 25), "2025"),
        (dt.date(2030, 9, 24), "2025"),
    ],
)
def test_the_version_in_force_changes_overnight_on_25_september_2025(day, code):
    assert services.policy_in_force(day).code == code


def test_a_moment_is_judged_by_its_date_in_shanghai_not_in_utc():
    late_evening_utc = dt.datetime(2025, 9, 24, 16, 30, tzinfo=dt.UTC)  # 00:30 on 25 September in Yunfu
    assert services.policy_in_force(late_evening_utc).code == "2025"


@pytest.mark.parametrize("day", [dt.date(2020, 9, 23), dt.date(2019, 1, 1), dt.date(2030, 9, 25)])
def test_a_day_outside_every_version_is_a_clear_error(day):
    with pytest.raises(DomainError) as caught:
        services.policy_in_force(day)
    assert caught.value.code == "no_policy"
    assert str(day) in caught.value.message
    assert "2020-09-24" in caught.value.message and "2030-09-24" in caught.value.message
    assert "管理办法" in caught.value.message


def test_the_seeded_versions_differ_where_the_measures_differ():
    assert version("2020").requires_joint_meeting is True
    assert version("2025").requires_joint_meeting is False
    assert version("2025").effective_to == dt.date(2030, 9, 24)  # five years


# --- publishing a version: contiguous, validated, audited -----------------------------------------


def test_a_version_that_starts_the_day_after_the_last_one_is_published_and_audited(administrator):
    created = services.policy_version_create(by=administrator, reason="新办法印发", **new_version_fields())
    assert services.policy_in_force(dt.date(2030, 9, 25)) == created
    event = events_about(created).get()
    assert event.action == "发布政策版本"
    assert event.actor == administrator and event.reason == "新办法印发"
    assert event.data["single_loan_cap"] == "5000000.00"


@pytest.mark.parametrize(
    "start, end",
    [
        (dt.date(2030, 9, 1), dt.date(2035, 8, 31)),  # starts inside 2025's period
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),  # entirely inside 2020's period
    ],
)
def test_an_overlapping_version_is_refused(administrator, start, end):
    with pytest.raises(ValidationFailed) as caught:
        services.policy_version_create(
            by=administrator, reason="x", **new_version_fields(effective_from=start, effective_to=end)
        )
    assert caught.value.code == "policy_overlap"
    assert "重叠" in caught.value.message
    assert not PolicyVersion.objects.filter(code="2030").exists()


def test_a_version_leaving_a_gap_after_the_last_one_is_refused(administrator):
    with pytest.raises(ValidationFailed) as caught:
        services.policy_version_create(
            by=administrator, reason="x", **new_version_fields(effective_from=dt.date(2030, 10, 1))
        )
    assert caught.value.code == "policy_gap"
    assert "2030-09-25" in caught.value.message  # says where it should start


def test_shortening_a_version_so_that_a_gap_opens_is_refused(administrator):
    with pytest.raises(ValidationFailed) as caught:
        services.policy_version_update(
            by=administrator, version=version("2020"), reason="x", effective_to=dt.date(2025, 9, 1)
        )
    assert caught.value.code == "policy_gap"
    assert version("2020").effective_to == dt.date(2025, 9, 24)


@pytest.mark.parametrize(
    "field, value",
    [
        ("fund_share", Decimal("1.5")),
        ("fund_share", Decimal("-0.1")),
        ("min_ip_collateral_share", Decimal("1.01")),
        ("suspension_npl_ratio", Decimal("2")),
        ("single_loan_cap", Decimal("0")),
        ("per_loan_compensation_cap", Decimal("-1")),
        ("fund_capital", Decimal("0")),
        ("filing_deadline_workdays", 0),
        ("public_notice_workdays", 0),
        ("claim_window_months", 0),
        ("supplement_rounds", 0),
        ("ip_types_in_scope", []),
        ("ip_types_in_scope", ["copyright"]),
        ("enterprise_sizes", []),
    ],
)
def test_a_number_out_of_range_is_refused_in_chinese(administrator, field, value):
    with pytest.raises(ValidationFailed) as caught:
        services.policy_version_create(by=administrator, reason="x", **new_version_fields(**{field: value}))
    assert caught.value.message.startswith("政策参数有误")
    assert [d["field"] for d in caught.value.details] == [field]
    assert CHINESE.search(caught.value.details[0]["message"]), caught.value.details
    assert not PolicyVersion.objects.filter(code="2030").exists()


def test_an_update_with_a_bad_number_is_refused_and_changes_nothing(administrator):
    with pytest.raises(ValidationFailed):
        services.policy_version_update(
            by=administrator, version=version("2025"), reason="x", fund_share=Decimal("1.2")
        )
    assert version("2025").fund_share == Decimal("0.4000")
    assert not events_about(version("2025")).exists()


# --- freezing ---------------------------------------------------------------------------------------


def test_an_unused_version_may_change_its_numbers_and_the_change_is_audited_with_before_and_after(
    administrator,
):
    updated = services.policy_version_update(
        by=administrator,
        version=version("2025"),
        reason="市监局确认参数",
        single_loan_cap=Decimal("3000000.00"),
    )
    assert updated.single_loan_cap == Decimal("3000000.00")
    event = events_about(updated).get()
    assert event.action == "修改政策版本" and event.reason == "市监局确认参数"
    assert event.data == {"single_loan_cap": {"from": "5000000.00", "to": "3000000.00"}}


def test_an_update_that_changes_nothing_records_nothing(administrator):
    services.policy_version_update(
        by=administrator, version=version("2025"), reason="x", single_loan_cap=Decimal("5000000")
    )
    assert not events_about(version("2025")).exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("single_loan_cap", Decimal("3000000.00")),
        ("fund_share", Decimal("0.5")),
        ("filing_deadline_workdays", 15),
        ("requires_joint_meeting", True),
    ],
)
def test_a_used_version_refuses_a_change_to_its_numbers(administrator, field, value):
    v = version("2025")
    services.policy_mark_used(v)
    before = model_to_dict(version("2025"))
    with pytest.raises(DomainError) as caught:
        services.policy_version_update(by=administrator, version=v, reason="x", **{field: value})
    assert caught.value.code == "policy_frozen"
    assert "新版本" in caught.value.message and "失效日期" in caught.value.message
    assert model_to_dict(version("2025")) == before
    assert not events_about(v).exists()


def test_a_used_version_still_accepts_corrections_to_its_prose_and_audits_them(administrator):
    v = version("2025")
    services.policy_mark_used(v)
    services.policy_version_update(
        by=administrator, version=v, reason="补录文号", document_number="云市监规〔2025〕1号"
    )
    services.policy_version_update(by=administrator, version=v, reason="更正标题", title="管理办法（更正）")
    assert version("2025").document_number == "云市监规〔2025〕1号"
    assert [e.reason for e in events_about(v)] == ["补录文号", "更正标题"]


def test_a_used_version_may_end_early_so_that_a_new_version_can_follow(administrator, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0), tick=False)
    v = version("2025")
    services.policy_mark_used(v)
    services.policy_version_update(
        by=administrator, version=v, reason="新办法自2027年起施行", effective_to=dt.date(2026, 12, 31)
    )
    fields = {
        **model_to_dict(v, exclude=["id", "first_used_at"]),
        "code": "2027",
        "title": "新办法",
        "effective_from": dt.date(2027, 1, 1),
        "effective_to": dt.date(2031, 12, 31),
        "single_loan_cap": Decimal("3000000.00"),
    }
    new = services.policy_version_create(by=administrator, reason="发布", **fields)
    assert services.policy_in_force(dt.date(2026, 12, 31)).code == "2025"
    assert services.policy_in_force(dt.date(2027, 1, 1)) == new


def test_a_used_version_cannot_end_before_today(administrator, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0), tick=False)
    v = version("2025")
    services.policy_mark_used(v)
    with pytest.raises(DomainError) as caught:
        services.policy_version_update(
            by=administrator, version=v, reason="x", effective_to=dt.date(2026, 11, 25)
        )
    assert caught.value.code == "policy_end_in_past"
    assert version("2025").effective_to == dt.date(2030, 9, 24)


def test_marking_a_version_used_twice_keeps_the_first_moment():
    v = version("2020")
    services.policy_mark_used(v)
    first = version("2020").first_used_at
    services.policy_mark_used(version("2020"))
    assert first is not None and version("2020").first_used_at == first


# --- LPR and the rate cap -------------------------------------------------------------------------


def test_the_seeded_lpr_history_is_the_published_table():
    seeded = {str(r.effective_date): str(r.one_year_rate) for r in LprRate.objects.all()}
    assert seeded == PUBLISHED_LPR


@pytest.mark.parametrize(
    "day, rate",
    [
        ("2019-08-20", "4.25"),
        ("2019-09-19", "4.25"),
        ("2020-04-20", "3.85"),
        ("2021-12-19", "3.85"),
        ("2024-10-20", "3.35"),
        ("2024-10-21", "3.10"),
        ("2025-05-19", "3.10"),
        ("2025-05-20", "3.00"),
        ("2026-11-26", "3.00"),
    ],
)
def test_the_lpr_in_force_on_and_between_published_dates(day, rate):
    assert services.lpr_in_force(dt.date.fromisoformat(day)).one_year_rate == Decimal(rate)


def test_before_the_first_published_lpr_there_is_no_rate_cap():
    with pytest.raises(DomainError) as caught:
        services.lpr_in_force(dt.date(2019, 8, 19))
    assert caught.value.code == "no_lpr" and "LPR" in caught.value.message


def test_the_rate_cap_is_the_lpr_in_force_plus_the_versions_margin(administrator):
    lpr, cap = services.rate_cap(dt.date(2024, 10, 21), version("2020"))
    assert lpr.one_year_rate == Decimal("3.10") and cap == Decimal("4.60")
    services.policy_version_update(by=administrator, version=version("2025"), reason="x", rate_margin_bp=100)
    assert services.rate_cap(dt.date(2025, 10, 1), version("2025"))[1] == Decimal("4.00")


def test_a_new_lpr_quotation_is_saved_and_audited(administrator):
    rate = services.lpr_save(
        by=administrator, effective_date=dt.date(2025, 12, 22), one_year_rate=Decimal("2.90"), reason="公布"
    )
    assert services.lpr_in_force(dt.date(2025, 12, 22)) == rate
    assert events_about(rate).get().action == "录入LPR"


def test_an_unused_lpr_can_be_corrected_and_the_correction_is_audited(administrator):
    rate = LprRate.objects.get(effective_date=dt.date(2025, 5, 20))
    services.lpr_save(
        by=administrator,
        effective_date=rate.effective_date,
        one_year_rate=Decimal("3.05"),
        reason="更正",
        rate=rate,
    )
    event = events_about(rate).get()
    assert event.data["before"]["rate"] == "3.00" and event.data["after"]["rate"] == "3.05"


def test_an_lpr_that_has_judged_a_loan_cannot_be_changed(administrator):
    rate = LprRate.objects.get(effective_date=dt.date(2024, 10, 21))
    services.lpr_mark_used(rate)
    with pytest.raises(DomainError) as caught:
        services.lpr_save(
            by=administrator,
            effective_date=rate.effective_date,
            one_year_rate=Decimal("3.20"),
            reason="x",
            rate=rate,
        )
    assert caught.value.code == "lpr_frozen"
    assert LprRate.objects.get(pk=rate.pk).one_year_rate == Decimal("3.10")


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1"), Decimal("31")])
def test_an_absurd_lpr_is_refused_in_chinese(administrator, value):
    with pytest.raises(ValidationFailed) as caught:
        services.lpr_save(
            by=administrator, effective_date=dt.date(2026, 1, 20), one_year_rate=value, reason="x"
        )
    assert caught.value.message.startswith("LPR数据有误")


def test_a_second_quotation_for_the_same_date_is_refused(administrator):
    with pytest.raises(ValidationFailed):
        services.lpr_save(
            by=administrator, effective_date=dt.date(2025, 5, 20), one_year_rate=Decimal("2.95"), reason="x"
        )


# --- the admin goes through the same services ----------------------------------------------------


def admin_form_data(obj):
    import json

    data = {}
    for field in obj._meta.concrete_fields:
        if not field.editable or field.name == "id":
            continue
        value = getattr(obj, field.name)
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
        elif field.name == "ip_types_in_scope":
            data[field.name] = value  # checkboxes from the IP type table: one value per type
        elif isinstance(value, list):
            data[field.name] = json.dumps(value)
        elif value is None:
            data[field.name] = ""
        else:
            data[field.name] = str(value)
    return data


def test_saving_a_frozen_version_in_the_admin_shows_the_refusal_and_changes_nothing(login_as, administrator):
    v = version("2025")
    services.policy_mark_used(v)
    before = model_to_dict(version("2025"))
    client = login_as(administrator)
    url = f"/admin/policy/policyversion/{v.pk}/change/"
    assert client.get(url).status_code == 200
    data = admin_form_data(v) | {"single_loan_cap": "3000000.00"}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "不能再修改其参数" in response.content.decode()
    assert model_to_dict(version("2025")) == before
    assert not events_about(v).exists()


def test_saving_an_unused_version_in_the_admin_goes_through_the_audited_service(login_as, administrator):
    v = version("2025")
    client = login_as(administrator)
    data = admin_form_data(v) | {"single_loan_cap": "3000000.00"}
    response = client.post(f"/admin/policy/policyversion/{v.pk}/change/", data)
    assert response.status_code == 302
    assert version("2025").single_loan_cap == Decimal("3000000.00")
    assert events_about(v).get().data == {"single_loan_cap": {"from": "5000000.00", "to": "3000000.00"}}


def test_the_admin_cannot_delete_a_policy_version(login_as, administrator):
    v = version("2020")
    assert (
        login_as(administrator)
        .post(f"/admin/policy/policyversion/{v.pk}/delete/", {"post": "yes"})
        .status_code
        == 403
    )
    assert PolicyVersion.objects.filter(pk=v.pk).exists()


# --- issue 9: the shipped prose is the Rulings' ("Legal basis as seeded") ----------------------------

RULING_BASIS = (
    "《广东省人民政府办公厅关于印发广东省促进中小企业知识产权保护和利用若干政策措施的通知》（粤办函〔2019〕79号）",
    "《国家知识产权局关于印发〈推动知识产权高质量发展年度工作指引（2019）〉的通知》（国知发运字〔2019〕38号）",
)


@pytest.mark.article(1)
@pytest.mark.parametrize("code", ["2020", "2025"])
def test_the_seeded_versions_carry_exactly_the_rulings_legal_basis(code):
    assert version(code).legal_basis == "；".join(RULING_BASIS) + "。"


@pytest.mark.article(1, 23)
def test_the_seeded_titles_are_the_rulings():
    assert version("2020").title == "云浮市知识产权质押融资风险补偿资金管理办法"
    assert version("2025").title == "云浮市中小微企业知识产权质押融资风险补偿资金管理办法"


@pytest.mark.article(1)
def test_the_measures_page_prints_the_rulings_legal_basis(client):
    page = client.get("/measures/").content.decode()
    assert page.count("；".join(RULING_BASIS)) == 2
    assert "云浮市知识产权质押融资风险补偿资金管理办法</h2>" in page


@pytest.mark.article(2)
def test_the_version_admin_offers_the_ip_types_of_the_table_as_checkboxes(login_as, administrator):
    client = login_as(administrator)
    page = client.get(f"/admin/policy/policyversion/{version('2025').pk}/change/").content.decode()
    for code in ("invention", "utility_model", "design", "trademark", "geo_indication"):
        assert f'type="checkbox" name="ip_types_in_scope" value="{code}"' in page
