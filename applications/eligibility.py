"""Eligibility under the Measures, itemised: each function returns a list of common.checks.Check.

Every number comes from the PolicyVersion passed in. The lenders app calls `enterprise_checks` and
`asset_checks` again at filing time with the actual loan's figures; keep their signatures.
"""

import datetime as dt

from yunfu_ipfund.common.articles import ARTICLE_2, ARTICLE_7, ARTICLE_8, implements
from yunfu_ipfund.common.checks import FAIL, PASS, WARN, Check
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.identifiers import validate_uscc
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.policy.models import EnterpriseSize

from . import hooks
from .models import (
    CITY_REGION_CODE,
    DISTRICT_REGION_CODES,
    REGION_NAMES,
    SOLE_TRADER_CATEGORY,
    District,
    EnterpriseProfile,
    Sector,
    uscc_region,
)
from .selectors import blacklisting_in_force, latest_credit_check
from .sizes import SOURCE as SIZE_SOURCE
from .sizes import SizeUnknown, classify, describe_figures

ART_2, ART_3, ART_7, ART_8 = "第二条", "第三条", "第七条", "第八条"

# 《企业信息公示暂行条例》第八条: annual reports for year Y are filed 1 January to 30 June of Y+1.
ANNUAL_REPORT_DEADLINE = (6, 30)


def annual_report_year_required(on):
    """The latest year whose annual report must have been filed by `on`."""
    return on.year - 1 if (on.month, on.day) > ANNUAL_REPORT_DEADLINE else on.year - 2


def _size_label(value):
    return EnterpriseSize(value).label if value in EnterpriseSize.values else value


def size_check(profile, policy):
    """The size the figures give under the 2011 standard decides (Art 7); the declared size is shown but
    decides nothing. Missing figures: cannot classify (a failure naming them), never micro."""
    label = "企业规模（按划型标准测算）"
    declared = f"（申报为{_size_label(profile.declared_size)}，以测算为准）" if profile.declared_size else ""
    if profile.sector not in Sector.values:
        return Check(
            "enterprise_size",
            label,
            FAIL,
            f"依据《管理办法》第七条，须按{SIZE_SOURCE}划型；未填写所属行业，无法划分企业规模。",
            ART_7,
        )
    figures = (profile.sector, profile.employees, profile.revenue, profile.total_assets)
    try:
        computed = classify(*figures)
    except SizeUnknown as exc:
        return Check("enterprise_size", label, FAIL, exc.message, ART_7)
    sector = Sector(profile.sector).label
    shown = describe_figures(*figures)
    if computed not in policy.enterprise_sizes:
        allowed = "、".join(_size_label(s) for s in policy.enterprise_sizes)
        return Check(
            "enterprise_size",
            label,
            FAIL,
            f"依据《管理办法》第七条，按{SIZE_SOURCE}，{sector}企业{shown}属{computed.label}，"
            f"不在支持范围（{allowed}）。{declared}",
            ART_7,
        )
    return Check(
        "enterprise_size",
        label,
        PASS,
        f"按{SIZE_SOURCE}，{sector}企业{shown}属{computed.label}。{declared}",
        ART_7,
    )


def uscc_region_check(enterprise_org, profile):
    """Positions 3-8 of the USCC (the registration authority's area code) are the declared district's,
    or the city's own authority (445300, any district); anything else needs the bureau's override."""
    label = "登记机关与注册地相符"
    code = enterprise_org.uscc or ""
    region = uscc_region(code)
    if profile.district not in District.values or len(code) != 18:
        return None  # refused by the district or the USCC check already
    district = District(profile.district)
    expected = DISTRICT_REGION_CODES[district]
    if region == expected:
        return Check(
            "uscc_region", label, PASS, f"登记机关行政区划码 {region}，与{district.label}相符。", ART_7
        )
    if region == CITY_REGION_CODE:
        return Check(
            "uscc_region",
            label,
            PASS,
            f"登记机关行政区划码 {region}（云浮市市级登记机关），市级登记的企业适用于全市各县（市、区）。",
            ART_7,
        )
    if profile.region_overridden:
        who = profile.region_override_by
        return Check(
            "uscc_region",
            label,
            PASS,
            f"登记机关行政区划码 {region} 不是{district.label}（{expected}），已经市监局"
            f"{who}于 {profile.region_override_at:%Y-%m-%d} 核准："
            f"{profile.region_override_reason}",
            ART_7,
        )
    place = REGION_NAMES.get(region, "云浮市以外")
    return Check(
        "uscc_region",
        label,
        FAIL,
        f"依据《管理办法》第七条，统一社会信用代码第3至8位（登记管理机关行政区划码）为 {region}（{place}），"
        f"与申报的注册地{district.label}（{expected}）不符；在其他地区登记的企业须经市监局核准（载明理由）。",
        ART_7,
    )


def legal_person_check(enterprise_org, profile):
    """Art 7: an independent legal person. A 92 code (个体工商户) is not one, whatever is declared; the
    declaration itself is never assumed."""
    label = "独立法人资格"
    category = (enterprise_org.uscc or "")[:2]
    if category == SOLE_TRADER_CATEGORY:
        return Check(
            "independent_legal_person",
            label,
            FAIL,
            f"依据《管理办法》第七条，支持对象须具有独立法人资格；统一社会信用代码第1至2位为 {category}"
            "（个体工商户），不具有独立法人资格，不在支持范围。",
            ART_7,
        )
    if profile.is_independent_legal_person is None:
        return Check(
            "independent_legal_person", label, FAIL, "尚未声明是否具有独立法人资格（分支机构不具有）。", ART_7
        )
    if not profile.is_independent_legal_person:
        return Check(
            "independent_legal_person",
            label,
            FAIL,
            "依据《管理办法》第七条，支持对象须具有独立法人资格；本企业声明不具有独立法人资格（如分公司）。",
            ART_7,
        )
    return Check("independent_legal_person", label, PASS, "具有独立法人资格。", ART_7)


def declaration_check(profile, *, policy, on):
    """The enterprise's own declaration counts only if made within `declaration_valid_days` before `on`
    (the submission); a later one (e.g. renewed after submission) still covers `on`."""
    months, days = policy.credit_lookback_months, policy.declaration_valid_days
    declared = profile.credit_declared_on
    label = "无不良信用记录（企业声明）"
    if declared is None:
        return Check(
            "credit_record",
            label,
            FAIL,
            f"尚未声明企业及法定代表人近 {months} 个月无不良信用记录。",
            ART_7,
        )
    earliest = on - dt.timedelta(days=days)
    if declared < earliest:
        return Check(
            "credit_record",
            label,
            FAIL,
            f"信用声明日期 {declared:%Y-%m-%d} 早于 {earliest:%Y-%m-%d}：声明须在提交前 {days} 日内作出"
            f"（{on:%Y-%m-%d} 提交），请重新声明。",
            ART_7,
        )
    return Check(
        "credit_record",
        label,
        PASS,
        f"已于 {declared:%Y-%m-%d} 声明企业及法定代表人近 {months} 个月无不良信用记录（{days} 日内有效）。",
        ART_7,
    )


def credit_check_check(enterprise_org, *, policy, on):
    """The bureau clerk's recorded check (credit record and annual reports) must be current: queried no
    earlier than `declaration_valid_days` before `on` (the submission), and clean."""
    label = "市监局信用核查"
    days, months = policy.declaration_valid_days, policy.credit_lookback_months
    earliest = on - dt.timedelta(days=days)
    latest = latest_credit_check(enterprise_org)
    if latest is None:
        return Check(
            "credit_check",
            label,
            FAIL,
            "依据《管理办法》第七条，须由市监局核查企业及法定代表人信用记录和年度报告报送情况；尚无核查记录。",
            ART_7,
        )
    if latest.queried_on < earliest:
        return Check(
            "credit_check",
            label,
            FAIL,
            f"最近一次信用核查为 {latest.queried_on:%Y-%m-%d}，早于 {earliest:%Y-%m-%d}：核查须在提交前 "
            f"{days} 日内完成，须由市监局重新核查。",
            ART_7,
        )
    seen = f"{latest.source}，{latest.queried_on:%Y-%m-%d} 查询"
    if not latest.credit_clean:
        return Check(
            "credit_check",
            label,
            FAIL,
            f"依据《管理办法》第七条，市监局核查（{seen}）发现企业或法定代表人近 {months} 个月内"
            f"有不良信用记录，不在支持范围。{latest.note}",
            ART_7,
        )
    if not latest.annual_report_on_time:
        return Check(
            "credit_check",
            label,
            FAIL,
            f"依据《管理办法》第七条，市监局核查（{seen}）发现企业未按时报送年度报告，不在支持范围。{latest.note}",
            ART_7,
        )
    return Check(
        "credit_check",
        label,
        PASS,
        f"市监局已核查（{seen}）：近 {months} 个月无不良信用记录，年度报告按时报送。",
        ART_7,
    )


@implements(ARTICLE_7)
def enterprise_checks(enterprise_org, *, policy, on, submitted_on=None):
    """Each condition of Art 7 on `on`, under `policy`. The enterprise's declarations are judged against
    `submitted_on` (the registration's submission day; `on` when not given)."""
    profile = EnterpriseProfile.objects.filter(organisation=enterprise_org).first()
    if profile is None:
        return [Check("enterprise_profile", "企业信息", FAIL, "尚未填写企业信息，无法核验支持条件。", ART_7)]
    checks = []

    try:
        validate_uscc(enterprise_org.uscc)
        checks.append(Check("uscc", "统一社会信用代码", PASS, enterprise_org.uscc, ART_7))
    except ValidationFailed as exc:
        checks.append(Check("uscc", "统一社会信用代码", FAIL, exc.message, ART_7))

    if profile.district in District.values:
        checks.append(
            Check(
                "registered_in_yunfu",
                "在云浮市注册",
                PASS,
                f"注册于{profile.get_district_display()}。",
                ART_7,
            )
        )
    else:
        checks.append(
            Check(
                "registered_in_yunfu",
                "在云浮市注册",
                FAIL,
                f"注册地不在云浮市（{'、'.join(District.labels)}）。",
                ART_7,
            )
        )

    region = uscc_region_check(enterprise_org, profile)
    if region is not None:
        checks.append(region)
    checks.append(size_check(profile, policy))
    checks.append(legal_person_check(enterprise_org, profile))

    required = annual_report_year_required(on)
    if profile.annual_report_year and profile.annual_report_year >= required:
        checks.append(
            Check(
                "annual_report",
                "按时报送年度报告",
                PASS,
                f"已报送 {profile.annual_report_year} 年度报告。",
                ART_7,
            )
        )
    else:
        year = profile.annual_report_year
        filed = f"最近报送的是 {year} 年度" if year else "未填写年报报送情况"
        checks.append(
            Check(
                "annual_report",
                "按时报送年度报告",
                FAIL,
                f"截至 {on:%Y-%m-%d} 应已报送 {required} 年度报告，{filed}。",
                ART_7,
            )
        )

    checks.append(declaration_check(profile, policy=policy, on=submitted_on or on))

    listing = blacklisting_in_force(enterprise_org, on)
    if listing is not None:
        checks.append(
            Check(
                "not_blacklisted",
                "未列入失信黑名单",
                FAIL,
                f"自 {listing.listed_from:%Y-%m-%d} 起至 {listing.listed_until:%Y-%m-%d} 列入失信黑名单"
                f"（{listing.get_source_display()}）：{listing.reason}",
                ART_7,
            )
        )
    else:
        checks.append(Check("not_blacklisted", "未列入失信黑名单", PASS, "未列入黑名单。", ART_7))
    return checks


@implements(ARTICLE_2)
def asset_checks(assets, *, enterprise, policy, maturity, on=None, excluding_filing_id=None):
    """Each pledged asset: in scope (Art 2), owned and held by the enterprise, valid until maturity, fee
    paid, free.

    "Free" means not pledged under a live loan; a bank judging its own filing passes that filing's id as
    `excluding_filing_id`, so the filing's own pledges do not count against it."""
    on = on or local_today()
    assets = list(assets)
    if not assets:
        return [Check("assets_selected", "拟质押知识产权", FAIL, "未选择拟质押的知识产权。", ART_2)]
    pledged = set(hooks.pledged_asset_ids([a.pk for a in assets], excluding_filing_id=excluding_filing_id))
    checks = []
    for asset in assets:
        name = f"{asset.get_ip_type_display()} {asset.number}"
        if policy.ip_type_in_scope(asset.ip_type):
            checks.append(
                Check(
                    "ip_in_scope", f"{name}：属于支持的知识产权类型", PASS, asset.get_ip_type_display(), ART_2
                )
            )
        else:
            checks.append(
                Check(
                    "ip_in_scope",
                    f"{name}：属于支持的知识产权类型",
                    FAIL,
                    f"{asset.get_ip_type_display()}不在本版办法支持的类型内。",
                    ART_2,
                )
            )

        label = f"{name}：权利人为本企业"
        if asset.enterprise_id != enterprise.pk:
            checks.append(Check("ip_owned", label, FAIL, "该知识产权不属于本企业。", ART_7))
        elif asset.holder_matches:
            checks.append(Check("ip_owned", label, PASS, asset.holder_name, ART_7))
        elif asset.holder_overridden:
            checks.append(
                Check(
                    "ip_owned",
                    label,
                    PASS,
                    f"权利人“{asset.holder_name}”与企业名称不一致，已经市监局核准："
                    f"{asset.holder_override_reason}",
                    ART_7,
                )
            )
        else:
            checks.append(
                Check(
                    "ip_owned",
                    label,
                    FAIL,
                    f"权利人“{asset.holder_name}”与企业名称“{enterprise.name}”不一致，且未经市监局核准。",
                    ART_7,
                )
            )

        label = f"{name}：有效期覆盖贷款期限"
        if asset.expiry_date is None:
            checks.append(Check("ip_valid", label, WARN, "未填写有效期，请核对权利证书。", ART_2))
        elif asset.expiry_date < on:
            checks.append(Check("ip_valid", label, FAIL, f"已于 {asset.expiry_date:%Y-%m-%d} 失效。", ART_2))
        elif maturity and asset.expiry_date < maturity:
            checks.append(
                Check(
                    "ip_valid",
                    label,
                    WARN,
                    f"有效期至 {asset.expiry_date:%Y-%m-%d}，早于贷款到期日 {maturity:%Y-%m-%d}。",
                    ART_2,
                )
            )
        else:
            checks.append(Check("ip_valid", label, PASS, f"有效期至 {asset.expiry_date:%Y-%m-%d}。", ART_2))

        if asset.is_patent:
            label = f"{name}：专利年费已缴纳"
            paid = asset.annual_fee_paid_through
            if paid is None or paid < on:
                shown = f"年费缴至 {paid:%Y-%m-%d}" if paid else "未填写年费缴纳情况"
                checks.append(
                    Check("patent_fee_paid", label, FAIL, f"{shown}，专利权可能因欠费终止。", ART_2)
                )
            else:
                checks.append(Check("patent_fee_paid", label, PASS, f"年费已缴至 {paid:%Y-%m-%d}。", ART_2))

        label = f"{name}：未在其他在保贷款中质押"
        if asset.pk in pledged:
            checks.append(Check("ip_not_pledged", label, FAIL, "已在其他纳入风险补偿的贷款中出质。", ART_2))
        else:
            checks.append(Check("ip_not_pledged", label, PASS, "未出质。", ART_2))
    return checks


def estimated_maturity(registration, on):
    return add_months(on, registration.term_months) if registration.term_months else None


@implements(ARTICLE_8)
def registration_checks(registration, *, policy, on):
    """Everything the enterprise side can check before submitting; the bank re-checks actual figures at
    filing."""
    checks = enterprise_checks(registration.enterprise, policy=policy, on=on)
    checks.append(credit_check_check(registration.enterprise, policy=policy, on=on))

    if hooks.active_bank_orgs().filter(pk=registration.bank_id).exists():
        checks.append(Check("cooperating_bank", "合作银行", PASS, registration.bank.name, ART_3))
    else:
        checks.append(
            Check(
                "cooperating_bank",
                "合作银行",
                FAIL,
                f"{registration.bank.name}目前不是可受理申请的合作银行。",
                ART_3,
            )
        )

    cap = policy.single_loan_cap
    if registration.amount is not None and registration.amount <= cap:
        checks.append(
            Check(
                "single_loan_cap",
                "单笔贷款上限",
                PASS,
                f"申请 {format_money(registration.amount)} 元，上限 {format_money(cap)} 元。",
                ART_8,
            )
        )
    else:
        checks.append(
            Check(
                "single_loan_cap",
                "单笔贷款上限",
                FAIL,
                f"申请 {format_money(registration.amount or 0)} 元，超过单笔上限 {format_money(cap)} 元。",
                ART_8,
            )
        )

    term_cap = policy.loan_term_cap_months
    if registration.term_months and registration.term_months <= term_cap:
        checks.append(
            Check(
                "loan_term_cap_months",
                "贷款期限上限",
                PASS,
                f"期限 {registration.term_months} 个月，上限 {term_cap} 个月。",
                ART_8,
            )
        )
    else:
        checks.append(
            Check(
                "loan_term_cap_months",
                "贷款期限上限",
                FAIL,
                f"期限 {registration.term_months} 个月，超过上限 {term_cap} 个月。",
                ART_8,
            )
        )

    checks += asset_checks(
        registration.assets.select_related("enterprise"),
        enterprise=registration.enterprise,
        policy=policy,
        maturity=estimated_maturity(registration, on),
        on=on,
    )
    return checks
