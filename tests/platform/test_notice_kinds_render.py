"""EVERY registered notice kind, built by its builder from realistic facts, issued (its context checked)
and rendered through its real template to PDF: the text (pdftotext) has no repr, brace, None, empty
placeholder or English word (allow-list in tests/pdfcheck.py), every font is a CJK font embedded as a
subset (pdffonts). Set NOTICE_SAMPLES_DIR to keep the PDFs (to look at them as PNG)."""

import datetime as dt
import os
import shutil
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest

from compensation import documents as claim_docs
from compensation.amounts import Step
from fund import documents as fund_docs
from lenders import documents as bank_docs
from tests.pdfcheck import font_faults, needs_poppler, pdf_text, text_faults
from yunfu_ipfund.audit.anchors import Checkpoint
from yunfu_ipfund.notices import checkpoint as audit_checkpoint
from yunfu_ipfund.notices import pdf
from yunfu_ipfund.notices.kinds import KINDS, GeneralContext, Table
from yunfu_ipfund.notices.services import notice_issue

pytestmark = [pytest.mark.django_db, needs_poppler]

D = dt.date
POLICY = NS(
    title="云浮市中小微企业知识产权质押融资风险补偿资金管理办法",
    rate_margin_bp=150,
    substantive_review_workdays=15,
    supplement_workdays=10,
    supplement_rounds=2,
    recovery_report_workdays=10,
    recovery_return_workdays=10,
    clawback_return_workdays=10,
    payment_workdays=10,
    blacklist_years=3,
)
BANK = NS(name="中国工商银行云浮分行")
ENTERPRISE = NS(name="云浮市云石科技有限公司")
PROFILE = NS(
    organisation=BANK,
    agreement_number="YFHZ-2026-001",
    agreement_valid_from=D(2026, 1, 1),
    agreement_valid_to=D(2028, 12, 31),
)
FILING = NS(
    enterprise=ENTERPRISE,
    bank=BANK,
    contract_number="JK-2026-0318",
    amount=Decimal("800000.00"),
    disbursed_on=D(2026, 3, 18),
    maturity_on=D(2027, 3, 17),
    annual_rate=Decimal("4.35"),
    correction_due_on=D(2026, 12, 8),
)
LOAN = NS(
    enterprise=ENTERPRISE,
    contract_number="JK-2026-0318",
    amount=Decimal("800000.00"),
    covered_amount=Decimal("600000.00"),
    fund_share=Decimal("0.4"),
)
CLAIM = NS(
    reference="BC-2026-0007",
    bank=BANK,
    covered_loan=LOAN,
    classified_on=D(2026, 9, 30),
    loss_event=lambda: (D(2026, 9, 26), "逾期达到认定不良天数"),
    unrecovered_principal=Decimal("480000.00"),
    approved_amount=Decimal("192000.00"),
    payment_due_on=D(2026, 12, 15),
    paid_amount=Decimal("192000.00"),
)
RECOVERY = NS(
    received_on=D(2026, 11, 20),
    amount=Decimal("100000.00"),
    costs=Decimal("5000.00"),
    net_amount=Decimal("95000.00"),
    return_due_on=D(2026, 12, 4),
)
STEPS = [
    Step("补偿基数（未收回本金）", "480,000.00元", Decimal("480000.00"), "第十二条"),
    Step("核减：质押登记存在瑕疵（D07）", "− 0.00元", Decimal("480000.00"), "第十二条"),
    Step("风险补偿资金分担部分", "480,000.00元 × 40%", Decimal("192000.00"), "第十三条"),
    Step("拟补偿金额", "以上结果四舍五入到分", Decimal("192000.00"), "第十三条"),
]
FIGURES = NS(
    cash=Decimal("5000000.00"),
    committed=Decimal("192000.00"),
    available=Decimal("4808000.00"),
    contributions=Decimal("5000000.00"),
    interest=Decimal("1250.00"),
    payouts=Decimal("0"),
    recoveries=Decimal("0"),
    clawbacks=Decimal("0"),
    covered_outstanding=Decimal("12600000.00"),
    leverage=Decimal("2.52"),
)


def _fund(label, start, end):
    return fund_docs.fund_report(
        label=label,
        start=start,
        end=end,
        opening=FIGURES,
        closing=FIGURES,
        movements=[{"kind": "contribution", "n": 1, "total": Decimal("5000000.00")}],
        series=[
            (D(2026, 11, d), Decimal("5000000"), Decimal("192000"), Decimal("4808000")) for d in (1, 15, 30)
        ],
    )


SAMPLES = {
    "general": lambda: GeneralContext(
        paragraphs=["贵行报送的知识产权质押贷款备案材料已收悉。经审核，现将有关事项告知如下："],
        table=Table(
            head=["项目", "内容"], rows=[["借款企业", ENTERPRISE.name], ["贷款金额", "800,000.00元"]]
        ),
        closing=["特此告知。"],
    ),
    bank_docs.BANK_ADMISSION: lambda: bank_docs.bank_admission(
        PROFILE, admitted_on=D(2026, 12, 1), exposure_limit=Decimal("50000000")
    ),
    bank_docs.BANK_SUSPENSION: lambda: bank_docs.bank_suspension(
        PROFILE, reason="在保不良率超过5%", effective_on=D(2026, 12, 1)
    ),
    bank_docs.BANK_REINSTATEMENT: lambda: bank_docs.bank_reinstatement(
        PROFILE, reason="不良率已降至3%以下", effective_on=D(2026, 12, 1)
    ),
    bank_docs.BANK_TERMINATION: lambda: bank_docs.bank_termination(
        PROFILE, reason="合作协议到期未续签", effective_on=D(2026, 12, 1)
    ),
    bank_docs.FILING_CONFIRMATION: lambda: bank_docs.filing_confirmation(
        FILING, LOAN, policy=POLICY, lpr=NS(one_year_rate=Decimal("3.00")), rate_ceiling=Decimal("4.50")
    ),
    bank_docs.LOAN_EXCLUSION: lambda: bank_docs.loan_exclusion(
        NS(**vars(LOAN), bank=BANK),
        reason="借款企业伪造专利权属证明，经国家知识产权局核实该专利不属于该企业",
        excluded_on=D(2026, 12, 1),
        flagged=[("JK-2026-0402", "中国农业银行云浮分行")],
        blacklisted_until=D(2029, 12, 1),
    ),
    bank_docs.FILING_RETURN: lambda: bank_docs.filing_return(
        FILING, items=["质押登记证明不清晰，请重新扫描上传", "借款合同缺少签章页"]
    ),
    bank_docs.FILING_REFUSAL: lambda: bank_docs.filing_refusal(
        FILING,
        reason="合作银行已暂停备案",
        failed=[NS(label="合作银行可报送备案", message="贵行已被暂停报送新的备案", article="第三条")],
    ),
    fund_docs.MONTHLY_STATEMENT: lambda: _fund("2026年11月", D(2026, 11, 1), D(2026, 11, 30)),
    fund_docs.ANNUAL_REPORT: lambda: _fund("2026年度", D(2026, 1, 1), D(2026, 12, 31)),
    claim_docs.ACCEPTANCE: lambda: claim_docs.acceptance(
        CLAIM, policy=POLICY, submitted_on=D(2026, 12, 1), review_due=D(2026, 12, 22)
    ),
    claim_docs.SUPPLEMENT: lambda: claim_docs.supplement(
        CLAIM,
        policy=POLICY,
        due=D(2026, 12, 15),
        rows=[
            {"code": "D01", "label": "必备材料缺失", "note": "缺少催收记录", "article": "第十二条"},
            {"code": "D07", "label": "质押登记存在瑕疵", "note": "", "article": "第十二条"},
        ],
        round_number=1,
    ),
    claim_docs.REFUSAL: lambda: claim_docs.refusal(
        CLAIM, policy=POLICY, reason="借款人经营正常，不属于代偿情形"
    ),
    claim_docs.PUBLIC_NOTICE: lambda: claim_docs.public_notice(
        policy_titles=[POLICY.title],
        rows=[
            {
                "bank": BANK.name,
                "enterprise": "云浮市云**技有限公司",
                "loan_amount": "800,000.00",
                "proposed": "192,000.00",
            }
        ],
        start=D(2026, 12, 1),
        end=D(2026, 12, 7),
        workdays=5,
    ),
    claim_docs.DECISION: lambda: claim_docs.decision(
        CLAIM,
        policy=POLICY,
        computation={
            "steps": [s.as_dict() for s in STEPS],
            "reductions": [
                {"code": "D07", "label": "质押登记存在瑕疵", "article": "第十二条", "amount": "0.01"}
            ],
        },
        batch=NS(starts_on=D(2026, 11, 23), ends_on=D(2026, 11, 27)),
    ),
    claim_docs.PAYMENT_INSTRUCTION: lambda: claim_docs.payment_instruction(CLAIM, policy=POLICY),
    claim_docs.RECOVERY_RETURN: lambda: claim_docs.recovery_return(
        CLAIM, RECOVERY, policy=POLICY, computation=NS(amount=Decimal("28500.00"), steps=STEPS[2:])
    ),
    claim_docs.CLAWBACK: lambda: claim_docs.clawback(
        CLAIM,
        policy=POLICY,
        reason="申请材料中的催收记录系伪造",
        owed=Decimal("192000.00"),
        due=D(2026, 12, 15),
        blacklisted_until=D(2029, 12, 1),
    ),
    claim_docs.LAPSE: lambda: claim_docs.lapse(CLAIM, requested_on=D(2026, 11, 2), due=D(2026, 11, 16)),
}
# The audit chain's daily checkpoint (notices.checkpoint): the hash printed in hyphenated groups.
SAMPLES[audit_checkpoint.AUDIT_CHECKPOINT] = lambda: audit_checkpoint.checkpoint_context(
    Checkpoint(
        date="2026-12-01",
        last_id=1035,
        last_hash="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        count=1035,
        key_id="2026-12",
    )
)
REGISTERED = sorted(code for code in KINDS if not code.startswith("platform_test"))


def test_every_registered_kind_has_a_sample():
    assert sorted(set(KINDS) - set(SAMPLES) - {c for c in KINDS if c.startswith("platform_test")}) == []


def render(code, bank_a, finance_bureau, tmp_path, *, sample=None):
    notice = notice_issue(
        kind=code,
        subject=bank_a,
        addressee=bank_a,
        context=SAMPLES[sample or code](),
        by=None,
        copied_to=[finance_bureau],
    )
    path = tmp_path / f"{code}.pdf"
    path.write_bytes(pdf.render_pdf_bytes(pdf.notice_html(notice)))
    if os.environ.get("NOTICE_SAMPLES_DIR"):
        shutil.copy(path, os.environ["NOTICE_SAMPLES_DIR"])
    return notice, path


@pytest.mark.parametrize("code", REGISTERED)
def test_every_kind_renders_clean_text_in_embedded_cjk_subset_fonts(code, bank_a, finance_bureau, tmp_path):
    notice, path = render(code, bank_a, finance_bureau, tmp_path)
    text = pdf_text(path)
    assert text_faults(text, allowed=[notice.verification_code]) == [], text
    assert font_faults(path) == []
    assert notice.number in "".join(text.split())
