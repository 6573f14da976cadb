"""The official documents of the bank side: their kinds, and the wording each one says.

Prefix 云市监知合 for a cooperating bank's documents, 云市监知备 for a filing's. The kinds are
registered when this module is imported (lenders.apps imports it). Each kind has one builder below
that returns the notice's declared context (a dataclass below, registered with the kind: paragraphs,
facts, listed entries, closing words, all as formatted text) from typed facts; the services decide,
call the builder and issue the notice, which checks the context and freezes it. The template
(lenders/pdf/notice.html) only lays it out. The wording here is official: change it only with the bureau.
"""

from dataclasses import dataclass, field

from yunfu_ipfund.common.money import amount_in_capitals, format_money, round_fen
from yunfu_ipfund.notices.kinds import NoticeKind, body_date, register

PREFIX_BANK = "云市监知合"
PREFIX_FILING = "云市监知备"
TEMPLATE = "lenders/pdf/notice.html"

BANK_ADMISSION = "lenders_bank_admission"
BANK_SUSPENSION = "lenders_bank_suspension"
BANK_REINSTATEMENT = "lenders_bank_reinstatement"
BANK_TERMINATION = "lenders_bank_termination"
FILING_CONFIRMATION = "lenders_filing_confirmation"
FILING_RETURN = "lenders_filing_return"
FILING_REFUSAL = "lenders_filing_refusal"
LOAN_EXCLUSION = "lenders_loan_exclusion"


@dataclass(frozen=True)
class BankNotice:
    """A cooperating bank's notice: what was decided, and the agreement's facts (label, value)."""

    paragraphs: list[str]
    facts: list[list[str]]


@dataclass(frozen=True)
class FilingConfirmation:
    """备案确认书: the covered amount (figures and capitals) and the bank's duties afterwards."""

    paragraphs: list[str]
    facts: list[list[str]]
    amount: str
    amount_capitals: str
    closing: list[str]


@dataclass(frozen=True)
class FilingItemised:
    """备案补正通知书 / 不予备案通知书: the filing's facts and the numbered entries (what to correct, or
    the failed rules). Named `entries`, never `items`: a template's `c.items` finds dict.items."""

    paragraphs: list[str]
    facts: list[list[str]]
    entries_title: str
    entries: list[str]


@dataclass(frozen=True)
class FilingRefusal:
    """不予备案通知书: the reason, and the failed rules when the checks found any."""

    paragraphs: list[str]
    facts: list[list[str]]
    entries_title: str = ""
    entries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LoanExclusion:
    """移出风险补偿范围通知书 (fraud found before a claim): what was found, what follows for the bank and the
    enterprise, the loan's facts, and the enterprise's other covered loans flagged for review (when any)."""

    paragraphs: list[str]
    facts: list[list[str]]
    entries_title: str = ""
    entries: list[str] = field(default_factory=list)


KINDS = tuple(
    register(NoticeKind(code=code, title=title, prefix=prefix, template=TEMPLATE, context=context))
    for code, title, prefix, context in (
        (BANK_ADMISSION, "合作银行准入通知书", PREFIX_BANK, BankNotice),
        (BANK_SUSPENSION, "暂停备案通知书", PREFIX_BANK, BankNotice),
        (BANK_REINSTATEMENT, "恢复备案通知书", PREFIX_BANK, BankNotice),
        (BANK_TERMINATION, "终止合作通知书", PREFIX_BANK, BankNotice),
        (FILING_CONFIRMATION, "备案确认书", PREFIX_FILING, FilingConfirmation),
        (FILING_RETURN, "备案补正通知书", PREFIX_FILING, FilingItemised),
        (FILING_REFUSAL, "不予备案通知书", PREFIX_FILING, FilingRefusal),
        (LOAN_EXCLUSION, "移出风险补偿范围通知书", PREFIX_FILING, LoanExclusion),
    )
)


def _percent(share):
    return f"{(share * 100).normalize():f}%"


# --- a cooperating bank's documents ----------------------------------------------------------------


def bank_facts(profile):
    return [
        ["合作银行", profile.organisation.name],
        ["合作协议编号", profile.agreement_number],
        [
            "协议有效期",
            f"{body_date(profile.agreement_valid_from)}至{body_date(profile.agreement_valid_to)}",
        ],
    ]


def bank_admission(profile, *, admitted_on, exposure_limit):
    return BankNotice(
        paragraphs=[
            "经审核，同意贵行作为云浮市知识产权质押融资风险补偿资金合作银行，"
            f"自{body_date(admitted_on)}起可按《管理办法》报送知识产权质押贷款备案。",
            "请贵行按合作协议约定做好贷款发放、质押登记、备案报送、贷后管理和风险报告工作。",
        ],
        facts=bank_facts(profile)
        + ([["在保余额限额", f"{format_money(exposure_limit)}元"]] if exposure_limit else []),
    )


def bank_suspension(profile, *, reason, effective_on):
    return BankNotice(
        paragraphs=[
            f"因{reason}，根据《管理办法》风险控制的规定，"
            f"自{body_date(effective_on)}起暂停贵行报送新的知识产权质押贷款备案。",
            "已纳入风险补偿范围的贷款继续按原规定管理；贵行应继续按时报送贷后情况。",
        ],
        facts=bank_facts(profile),
    )


def bank_reinstatement(profile, *, reason, effective_on):
    return BankNotice(
        paragraphs=[f"经审核（{reason}），自{body_date(effective_on)}起恢复贵行报送知识产权质押贷款备案。"],
        facts=bank_facts(profile),
    )


def bank_termination(profile, *, reason, effective_on):
    return BankNotice(
        paragraphs=[
            f"因{reason}，自{body_date(effective_on)}起终止与贵行的知识产权质押融资风险补偿合作，"
            "贵行不得再报送新的备案。",
            "已纳入风险补偿范围的贷款继续按原规定管理，直至结清。",
        ],
        facts=bank_facts(profile),
    )


# --- a filing's documents --------------------------------------------------------------------------


def filing_facts(filing):
    return [
        ["借款企业", filing.enterprise.name],
        ["贷款银行", filing.bank.name],
        ["借款合同编号", filing.contract_number],
        ["贷款金额", f"{format_money(filing.amount)}元"],
        ["放款日期", body_date(filing.disbursed_on)],
        ["到期日期", body_date(filing.maturity_on)],
        ["年利率", f"{filing.annual_rate.normalize():f}%"],
    ]


def filing_confirmation(filing, loan, *, policy, lpr, rate_ceiling):
    """The 备案确认书: what is covered, the fund's share, the rate ceiling and the version of the Measures."""
    fund_part = round_fen(loan.covered_amount * loan.fund_share)
    return FilingConfirmation(
        paragraphs=[
            f"贵行报送的{filing.enterprise.name}知识产权质押贷款备案材料收悉。经审核，该笔贷款符合"
            f"《{policy.title}》规定的条件，现确认纳入云浮市知识产权质押融资风险补偿范围。",
            f"纳入风险补偿范围的金额为知识产权质押对应部分{format_money(loan.covered_amount)}元"
            f"（{amount_in_capitals(loan.covered_amount)}）；如发生代偿，风险补偿资金按"
            f"{_percent(loan.fund_share)}的比例分担未收回的本金（按本金计，不含利息、罚息）。",
        ],
        facts=filing_facts(filing)
        + [
            [
                "利率上限",
                f"{rate_ceiling.normalize():f}%"
                f"（1年期贷款市场报价利率{lpr.one_year_rate}%加{policy.rate_margin_bp}个基点）",
            ],
            ["纳入补偿范围金额", f"{format_money(loan.covered_amount)}元"],
            ["风险补偿资金分担比例", _percent(loan.fund_share)],
            ["按全额损失测算的资金分担额", f"{format_money(fund_part)}元"],
            ["适用办法", policy.title],
        ],
        amount=format_money(loan.covered_amount),
        amount_capitals=amount_in_capitals(loan.covered_amount),
        closing=["请贵行按规定及时报告还款、逾期、风险分类及展期等贷后情况。"],
    )


def filing_return(filing, *, items):
    """The 备案补正通知书: what to correct, by when; the review clock pauses meanwhile."""
    return FilingItemised(
        paragraphs=[
            f"贵行报送的{filing.enterprise.name}借款合同（编号{filing.contract_number}）备案材料需补正，"
            f"请于{body_date(filing.correction_due_on)}前补正后重新报送。补正期间备案审核期限暂停计算。"
        ],
        facts=filing_facts(filing),
        entries_title="需补正事项",
        entries=list(items),
    )


def filing_refusal(filing, *, reason, failed):
    """The 不予备案通知书: the reason, and each rule the filing failed with its article."""
    entries = [
        f"{c.label}：{c.message}" + (f"（《管理办法》{c.article}）" if c.article else "") for c in failed
    ]
    return FilingRefusal(
        paragraphs=[
            f"贵行报送的{filing.enterprise.name}借款合同（编号{filing.contract_number}）备案，经审核，"
            "不予纳入风险补偿范围。",
            f"理由：{reason}",
        ],
        facts=filing_facts(filing),
        entries_title="未通过的规则" if entries else "",
        entries=entries,
    )


# --- a covered loan's documents ----------------------------------------------------------------------


def loan_exclusion(loan, *, reason, excluded_on, flagged, blacklisted_until=None):
    """The 移出风险补偿范围通知书: fraud found before any claim (《管理办法》第十六条); the loan leaves the
    cover from `excluded_on`; the enterprise's other covered loans (`flagged`, their contract numbers and
    banks) are to be reviewed; the enterprise listed until `blacklisted_until` (第二十一条) when listed."""
    paragraphs = [
        f"经查，{loan.enterprise.name}向{loan.bank.name}申请的知识产权质押贷款（借款合同编号"
        f"{loan.contract_number}）存在骗取风险补偿资金的情形：{reason}",
        f"根据《管理办法》第十六条的规定，该笔贷款自{body_date(excluded_on)}起移出风险补偿范围，"
        "风险补偿资金不再承担该笔贷款的任何补偿责任，贵行不得就该笔贷款申请风险补偿。",
    ]
    if blacklisted_until:
        paragraphs.append(
            f"根据《管理办法》第二十一条的规定，{loan.enterprise.name}自{body_date(excluded_on)}起列入失信黑名单，"
            f"至{body_date(blacklisted_until)}止，期间不得申请纳入风险补偿范围的知识产权质押贷款。"
        )
    if flagged:
        paragraphs.append("该企业其他已纳入风险补偿范围的贷款已标记待复核，请相关合作银行配合核查。")
    return LoanExclusion(
        paragraphs=paragraphs,
        facts=[
            ["借款企业", loan.enterprise.name],
            ["贷款银行", loan.bank.name],
            ["借款合同编号", loan.contract_number],
            ["贷款金额", f"{format_money(loan.amount)}元"],
            ["原纳入补偿范围金额", f"{format_money(loan.covered_amount)}元"],
            ["移出日期", body_date(excluded_on)],
        ],
        entries_title="标记待复核的其他贷款如下" if flagged else "",
        entries=[f"{bank}借款合同{contract}" for contract, bank in flagged],
    )
