"""Each version of the Measures shown article by article with its own figures (/measures/).

The Measures' articles (common.articles: subject and what the portal does for each) are the same list
for every version; what differs between versions is the figures. Each parameter of a version is listed
under the article it belongs to, in the version's own values, so a reader sees "第十二条、第十三条
风险补偿：不良认定后申请补偿期限 6 个月 …" for the version in force and for the expired one alike. Labels are
the fields' own Chinese names: one place for each name.
"""

from dataclasses import dataclass
from decimal import Decimal

from yunfu_ipfund.common.articles import article, article_label
from yunfu_ipfund.common.money import format_money

from .models import NPL_CLASS_CHOICES, EnterpriseSize, PolicyVersion

# (articles, the version's fields under them), in the Measures' order. Every parameter of a version
# appears once (tests/platform/test_measures_page.py enumerates the model's fields).
GROUPS = (
    ((1,), ()),  # the legal basis heads the version's card (制定依据), not repeated here
    ((2,), ("ip_types_in_scope",)),
    ((3,), ("fund_capital",)),
    ((4,), ("fees_allowed", "max_posting_amount")),
    ((5, 6), ()),
    ((7,), ("enterprise_sizes", "credit_lookback_months", "declaration_valid_days")),
    (
        (8, 9, 10, 11),
        (
            "single_loan_cap",
            "enterprise_outstanding_cap",
            "loan_term_cap_months",
            "rate_margin_bp",
            "min_ip_collateral_share",
            "filing_deadline_workdays",
            "filing_review_workdays",
            "correction_workdays",
        ),
    ),
    (
        (12, 13),
        (
            "npl_overdue_days",
            "npl_classes",
            "claim_window_months",
            "completeness_check_workdays",
            "supplement_workdays",
            "supplement_rounds",
            "substantive_review_workdays",
            "requires_joint_meeting",
            "public_notice_workdays",
            "objection_review_workdays",
            "objection_limit_per_claim",
            "objection_limit_per_client",
            "decision_workdays",
            "payment_workdays",
            "fund_share",
            "per_loan_compensation_cap",
            "per_bank_compensation_cap",
            "per_bank_cap_period",
        ),
    ),
    ((14,), ("recovery_report_workdays", "recovery_return_workdays", "recovery_share_basis")),
    (
        (15, 16),
        (
            "leverage_multiple",
            "suspension_npl_ratio",
            "suspension_return_overdue_days",
            "suspension_window_months",
            "bank_claims_share",
            "fund_pause_payout_ratio",
        ),
    ),
    ((17, 18, 19, 20, 21, 22), ("blacklist_years", "clawback_return_workdays")),
    ((23, 24), ("effective_from", "effective_to")),
)

# Fields of a version that are not parameters of the Measures (identity, bookkeeping), and its legal
# basis, shown at the head of the version (制定依据).
NOT_PARAMETERS = (
    "id",
    "code",
    "title",
    "document_number",
    "issuing_body",
    "legal_basis",
    "first_used_at",
    "created_at",
)
# Ratios shown as percentages (the others are multiples, counts or days).
PERCENT_FIELDS = (
    "min_ip_collateral_share",
    "fund_share",
    "suspension_npl_ratio",
    "bank_claims_share",
    "fund_pause_payout_ratio",
)
MONEY_FIELDS = (
    "fund_capital",
    "single_loan_cap",
    "enterprise_outstanding_cap",
    "per_loan_compensation_cap",
    "per_bank_compensation_cap",
    "max_posting_amount",
)


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class ArticleGroup:
    heading: str  # 第十二条至第十三条　补偿
    does: str
    lines: tuple


def _percent(value):
    text = f"{(Decimal(value) * 100).normalize():f}"
    return f"{text}%"


def display(version, name):
    """The value of one parameter as a reader of the Measures would write it."""
    field = PolicyVersion._meta.get_field(name)
    value = getattr(version, name)
    if name == "ip_types_in_scope":
        return "、".join(t.name for t in version.ip_types()) or "（未列类型）"
    if name == "enterprise_sizes":
        return "、".join(str(EnterpriseSize(v).label) for v in value)
    if name == "npl_classes":
        return "、".join(NPL_CLASS_CHOICES[v] for v in value)
    if field.choices:
        return str(getattr(version, f"get_{name}_display")())
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "不设"
    if name in MONEY_FIELDS:
        return f"{format_money(value)} 元"
    if name in PERCENT_FIELDS:
        return _percent(value)
    if name in ("effective_from", "effective_to"):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _label(name):
    return str(PolicyVersion._meta.get_field(name).verbose_name)


def _heading(numbers):
    first = article(numbers[0])
    if len(numbers) == 1:
        span = first.label
    else:
        span = f"{first.label}{'、' if len(numbers) == 2 else '至'}{article_label(numbers[-1])}"
    return f"{span}　{first.title.split('（')[0]}"


def version_articles(version):
    """The version article by article: heading, what the portal does, the version's figures."""
    return [
        ArticleGroup(
            heading=_heading(numbers),
            does=article(numbers[0]).does,
            lines=tuple(Line(_label(name), display(version, name)) for name in names),
        )
        for numbers, names in GROUPS
    ]
