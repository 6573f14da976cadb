"""The filing rules of the Measures (Art 2, 3, 7-11), itemised as common.checks.Check lists.

`filing_checks(filing, on=...)` judges a filing under the version in force on its disbursement date.
It is run when the supervisor submits (a failure blocks, except lateness, which needs the bureau's
override and is shown as a warning until then) and again, under the row lock, when the approver
confirms (every failure blocks). The daily beat hook of the bank side is lenders.checks.
"""

from decimal import Decimal

from django.utils import timezone

from applications.eligibility import asset_checks, enterprise_checks
from yunfu_ipfund.common.articles import ARTICLE_9, implements
from yunfu_ipfund.common.checks import FAIL, PASS, WARN, Check
from yunfu_ipfund.common.dates import months_between
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.policy.services import policy_in_force, rate_cap

from .models import CooperatingBank, FilingDocument
from .selectors import covered_outstanding, enterprise_covered_outstanding

ART_2, ART_3, ART_8, ART_9, ART_10 = "第二条", "第三条", "第八条", "第九条", "第十条"

STAGE_SUBMIT, STAGE_CONFIRM = "submit", "confirm"


def _pct(value):
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))}%"


@implements(ARTICLE_9)
def filing_deadline(filing, policy):
    return add_workdays(filing.disbursed_on, policy.filing_deadline_workdays)


def filing_lateness(filing, policy, *, on):
    """(late, filed_on, deadline): the filing is late when it was first submitted (not yet submitted: on
    `on`) after `filing_deadline_workdays` working days from its disbursement (Art 9)."""
    deadline = filing_deadline(filing, policy)
    filed_on = filing.first_submitted_on or on
    return filed_on > deadline, filed_on, deadline


def bank_check(filing, *, on):
    profile = CooperatingBank.objects.filter(organisation_id=filing.bank_id).first()
    label = "合作银行可报送备案"
    if profile is None:
        return Check("bank_active", label, FAIL, "该银行未经市监局准入，不是合作银行。", ART_3)
    if profile.status != CooperatingBank.Status.ACTIVE:
        return Check(
            "bank_active",
            label,
            FAIL,
            f"该银行目前状态为“{profile.get_status_display()}”，不能报送新的备案。{profile.status_reason}",
            ART_3,
        )
    if not profile.agreement_valid_from <= on <= profile.agreement_valid_to:
        return Check(
            "bank_active",
            label,
            FAIL,
            f"合作协议 {profile.agreement_number} 有效期为 {profile.agreement_valid_from} 至 "
            f"{profile.agreement_valid_to}，{on} 不在有效期内。",
            ART_3,
        )
    return Check("bank_active", label, PASS, f"合作协议 {profile.agreement_number} 有效。", ART_3)


def pledge_checks(filing, pledges, *, on):
    checks = []
    if not pledges:
        return [
            Check("ip_pledged", "知识产权质押登记", FAIL, "未填写任何质押知识产权及其质押登记信息。", ART_9)
        ]
    for pledge in pledges:
        name = f"{pledge.asset.get_ip_type_display()} {pledge.asset.number}"
        label = f"{name}：已办理质押登记"
        if not pledge.pledge_registration_number.strip():
            checks.append(Check("ip_pledged", label, FAIL, "未填写国家知识产权局质押登记号。", ART_9))
        elif pledge.pledge_registered_on > on:
            checks.append(
                Check(
                    "ip_pledged", label, FAIL, f"质押登记日期 {pledge.pledge_registered_on} 晚于今天。", ART_9
                )
            )
        else:
            checks.append(
                Check(
                    "ip_pledged",
                    label,
                    PASS,
                    f"登记号 {pledge.pledge_registration_number}，登记日期 {pledge.pledge_registered_on}。",
                    ART_9,
                )
            )
        if pledge.asset.enterprise_id != filing.enterprise_id:
            checks.append(
                Check("ip_held", f"{name}：属于借款企业", FAIL, "该知识产权不属于借款企业。", ART_2)
            )
    return checks


def document_check(filing, kinds_present):
    missing = [label for value, label in FilingDocument.Kind.choices if value not in kinds_present]
    if missing:
        return Check("documents", "备案材料齐全", FAIL, f"缺少：{'、'.join(missing)}。", ART_9)
    return Check(
        "documents", "备案材料齐全", PASS, "借款合同、质押合同、质押登记通知书、放款凭证均已上传。", ART_9
    )


def exposure_checks(filing):
    """The bank's own exposure limit set at admission (optional): its covered outstanding + this loan."""
    profile = CooperatingBank.objects.filter(organisation_id=filing.bank_id).first()
    if profile is None or profile.exposure_limit is None:
        return []
    existing = covered_outstanding(bank=filing.bank)
    total = existing + filing.ip_amount
    ok = total <= profile.exposure_limit
    return [
        Check(
            "bank_exposure_limit",
            "合作银行在保余额限额",
            PASS if ok else FAIL,
            f"本行在保余额 {format_money(existing)} 元 + 本笔 {format_money(filing.ip_amount)} 元 = "
            f"{format_money(total)} 元，"
            f"{'未超过' if ok else '超过'}合作协议限额 {format_money(profile.exposure_limit)} 元。",
            ART_3,
        )
    ]


@implements(2, 3, 7, 8, 9, 10)
def filing_checks(filing, *, on, stage=STAGE_SUBMIT, policy=None):
    """Every rule for `filing` on day `on` (the day of submission or confirmation)."""
    policy = policy or policy_in_force(filing.disbursed_on)
    pledges = list(filing.pledges.select_related("asset"))
    checks = [bank_check(filing, on=on)]
    # The enterprise's declarations were made for its registration: judged against its submission day.
    submitted_at = filing.registration.submitted_at if filing.registration_id else None
    checks += enterprise_checks(
        filing.enterprise,
        policy=policy,
        on=filing.disbursed_on,
        submitted_on=timezone.localtime(submitted_at).date() if submitted_at else None,
    )
    checks += asset_checks(
        [p.asset for p in pledges],
        enterprise=filing.enterprise,
        policy=policy,
        maturity=filing.maturity_on,
        on=on,
        excluding_filing_id=filing.pk,
    )
    checks += pledge_checks(filing, pledges, on=on)
    checks += exposure_checks(filing)

    cap = policy.single_loan_cap
    ok = filing.amount <= cap
    checks.append(
        Check(
            "single_loan_cap",
            "单笔贷款上限",
            PASS if ok else FAIL,
            f"贷款 {format_money(filing.amount)} 元，"
            f"{'未超过' if ok else '超过'}单笔上限 {format_money(cap)} 元。",
            ART_8,
        )
    )

    existing = enterprise_covered_outstanding(filing.enterprise_id)
    total = existing + filing.ip_amount
    cap = policy.enterprise_outstanding_cap
    ok = total <= cap
    checks.append(
        Check(
            "enterprise_outstanding_cap",
            "单户企业在保余额上限",
            PASS if ok else FAIL,
            f"现有在保余额 {format_money(existing)} 元 + 本笔纳入 {format_money(filing.ip_amount)} 元 = "
            f"{format_money(total)} 元，{'未超过' if ok else '超过'}上限 {format_money(cap)} 元。",
            ART_8,
        )
    )

    months = months_between(filing.disbursed_on, filing.maturity_on)
    cap = policy.loan_term_cap_months
    ok = months <= cap
    checks.append(
        Check(
            "loan_term_cap_months",
            "贷款期限上限",
            PASS if ok else FAIL,
            f"期限 {months} 个月（{filing.disbursed_on} 至 {filing.maturity_on}），上限 {cap} 个月。",
            ART_8,
        )
    )

    lpr, ceiling = rate_cap(filing.disbursed_on, policy)
    ok = filing.annual_rate <= ceiling
    checks.append(
        Check(
            "rate_cap",
            "利率上限",
            PASS if ok else FAIL,
            f"年利率 {filing.annual_rate.normalize():f}%，"
            f"{'未超过' if ok else '超过'}上限 {ceiling.normalize():f}%"
            f"（{lpr.effective_date} 起1年期LPR {lpr.one_year_rate}% 加 {policy.rate_margin_bp} 个基点）。",
            ART_8,
        )
    )

    share = filing.ip_amount / filing.amount if filing.amount else Decimal(0)
    minimum = policy.min_ip_collateral_share
    ok = filing.amount > 0 and filing.ip_amount <= filing.amount and share >= minimum
    checks.append(
        Check(
            "ip_collateral_share",
            "知识产权担保占比",
            PASS if ok else FAIL,
            f"知识产权质押对应 {format_money(filing.ip_amount)} 元，"
            f"占贷款 {_pct(share)}，下限 {_pct(minimum)}；"
            f"仅该部分纳入风险补偿。",
            ART_8,
        )
    )

    late, filed_on, deadline = filing_lateness(filing, policy, on=on)
    if not late:
        checks.append(
            Check(
                "filing_deadline",
                "放款后按期备案",
                PASS,
                f"{filed_on} 报送，期限为放款后 {policy.filing_deadline_workdays} 个工作日（{deadline}）。",
                ART_9,
            )
        )
    elif filing.late_override_at:
        checks.append(
            Check(
                "filing_deadline",
                "放款后按期备案",
                WARN,
                f"{filed_on} 报送，已超过期限 {deadline}；"
                f"市监局已核准逾期备案：{filing.late_override_reason}",
                ART_9,
            )
        )
    else:
        outcome = WARN if stage == STAGE_SUBMIT else FAIL
        checks.append(
            Check(
                "filing_deadline",
                "放款后按期备案",
                outcome,
                f"{filed_on} 报送，已超过放款后 {policy.filing_deadline_workdays} 个工作日的期限"
                f"（{deadline}），"
                f"须经市监局审核人核准逾期备案。",
                ART_9,
            )
        )

    checks.append(document_check(filing, set(filing.documents.values_list("kind", flat=True))))
    return checks
