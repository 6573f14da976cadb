"""The two versions of the Measures and the LPR history, shipped as data (DOMAIN.md)."""

import datetime as dt
from decimal import Decimal

from .models import BUILT_IN_FAMILIES, IPType, IPTypeEntry, LprRate, PolicyVersion

LEGAL_BASIS = (
    "《广东省人民政府办公厅关于印发广东省促进中小企业知识产权保护和利用若干政策措施的通知》"
    "（粤办函〔2019〕79号）；"
    "《国家知识产权局关于印发〈推动知识产权高质量发展年度工作指引（2019）〉的通知》"
    "（国知发运字〔2019〕38号）。"
)

DEFAULTS_2025 = dict(
    ip_types_in_scope=["invention", "utility_model", "design", "trademark", "geo_indication"],
    fund_capital=Decimal("5000000.00"),
    enterprise_sizes=["micro", "small", "medium"],
    credit_lookback_months=36,
    single_loan_cap=Decimal("5000000.00"),
    enterprise_outstanding_cap=Decimal("10000000.00"),
    loan_term_cap_months=12,
    rate_margin_bp=150,
    min_ip_collateral_share=Decimal("0.5000"),
    filing_deadline_workdays=10,
    filing_review_workdays=10,
    correction_workdays=10,
    leverage_multiple=Decimal("10.00"),
    claim_window_months=6,
    completeness_check_workdays=5,
    supplement_workdays=10,
    supplement_rounds=1,
    substantive_review_workdays=15,
    public_notice_workdays=5,
    decision_workdays=5,
    payment_workdays=10,
    fund_share=Decimal("0.4000"),
    per_loan_compensation_cap=Decimal("1000000.00"),
    per_bank_compensation_cap=None,
    recovery_report_workdays=5,
    recovery_return_workdays=10,
    suspension_npl_ratio=Decimal("0.0500"),
    suspension_return_overdue_days=30,
    fund_pause_payout_ratio=Decimal("0.5000"),
    blacklist_years=3,
    fees_allowed=False,
    npl_overdue_days=90,
    npl_classes=["substandard", "doubtful", "loss"],
    declaration_valid_days=30,
    recovery_share_basis="effective",
    suspension_window_months=12,
    bank_claims_share=Decimal("0.2000"),
    objection_review_workdays=5,
    objection_limit_per_claim=20,
    objection_limit_per_client=2,
    clawback_return_workdays=10,
    per_bank_cap_period="calendar_year",
    max_posting_amount=Decimal("100000000.00"),
)

# Where each default comes from (DOMAIN.md, "Rulings (December 2026)" and the parameter table).
SOURCES = {
    "npl_overdue_days": "2023年金融资产风险分类办法：逾期90天以上至少归为次级（DOMAIN 裁定）",
    "npl_classes": "五级分类中的次级、可疑、损失（DOMAIN 裁定）",
    "declaration_valid_days": "DOMAIN 裁定：自我声明须在提交前30日内作出",
    "recovery_share_basis": "DOMAIN 裁定：按实际分担比例同比例返还（EIF/BBB pari passu）",
    "suspension_window_months": "DOMAIN 裁定：回溯12个月",
    "bank_claims_share": "DOMAIN 裁定：回溯期内拨付补偿≥资金规模20%",
    "objection_review_workdays": "暂定（原系统固定为5个工作日）",
    "objection_limit_per_claim": "暂定（防止滥用异议拖延）",
    "objection_limit_per_client": "暂定（防止滥用异议拖延）",
    "clawback_return_workdays": "暂定（与追偿款返还期限一致）",
    "per_bank_cap_period": "暂定（自然年度）",
    "max_posting_amount": "防录入错误的记账上限，非《管理办法》规定",
}

VERSIONS = [
    dict(
        code="2020",
        title="云浮市知识产权质押融资风险补偿资金管理办法",
        document_number="云市监〔2020〕（五部门联合印发）",
        issuing_body="云浮市市场监督管理局、云浮市财政局等五部门",
        legal_basis=LEGAL_BASIS,
        effective_from=dt.date(2020, 9, 24),
        effective_to=dt.date(2025, 9, 24),
        requires_joint_meeting=True,
        **DEFAULTS_2025,
    ),
    dict(
        code="2025",
        title="云浮市中小微企业知识产权质押融资风险补偿资金管理办法",
        document_number="",
        issuing_body="云浮市市场监督管理局",
        legal_basis=LEGAL_BASIS,
        effective_from=dt.date(2025, 9, 25),
        effective_to=dt.date(2030, 9, 24),
        requires_joint_meeting=False,
        **DEFAULTS_2025,
    ),
]

LPR_HISTORY = [
    ("2019-08-20", "4.25"),
    ("2019-09-20", "4.20"),
    ("2019-11-20", "4.15"),
    ("2020-02-20", "4.05"),
    ("2020-04-20", "3.85"),
    ("2021-12-20", "3.80"),
    ("2022-01-20", "3.70"),
    ("2022-08-22", "3.65"),
    ("2023-06-20", "3.55"),
    ("2023-08-21", "3.45"),
    ("2024-07-22", "3.35"),
    ("2024-10-21", "3.10"),
    ("2025-05-20", "3.00"),
]


# The IP type table as shipped: the five types of Art 2 (policy 0004 keeps its own frozen copy).
IP_TYPES = [
    dict(code=t.value, name=t.label, family=BUILT_IN_FAMILIES[t].value, sort=i * 10, active=True)
    for i, t in enumerate(IPType, 1)
]


def seed_ip_types():
    for fields in IP_TYPES:
        IPTypeEntry.objects.get_or_create(code=fields["code"], defaults=fields)


def seed_measures():
    """Create the shipped IP types, versions and LPR history where missing. Idempotent. (The migrations
    that first wrote them, policy 0002 and 0004, keep their own frozen copy of these rows.)"""
    seed_ip_types()
    for fields in VERSIONS:
        PolicyVersion.objects.get_or_create(code=fields["code"], defaults=fields)
    for day, rate in LPR_HISTORY:
        LprRate.objects.get_or_create(
            effective_date=dt.date.fromisoformat(day), defaults={"one_year_rate": Decimal(rate)}
        )


def seed_if_empty(**kwargs):
    """post_migrate: a database emptied by a flush (the test suite's transactional tests) gets the
    shipped Measures back; a database that has any version is left exactly as it is."""
    if not IPTypeEntry.objects.exists():
        seed_ip_types()
    if not PolicyVersion.objects.exists():
        seed_measures()
