"""Demo records of compensation (idempotent; runs after lenders.demo.seed), built through the services
exactly as the pages do, so every notice those stages issue exists:

- the demo covered loan of 云浮市云石科技有限公司 with 工商银行 (DEMO_CONTRACT) is reported non-performing
  and a claim with a complete checklist is submitted, so the bureau clerk finds it in the intake queue;
- `STAGE_CLAIMS`: on the non-performing stage loans of lenders.demo, one claim in each further stage
  the real clock reaches: draft, supplement requested (补充材料通知书), accepted (受理通知书), first
  reviewed, approved awaiting publication, rejected (不予补偿决定书), on public notice (公示).

Not in the demo, because today's services stamp the day itself and decide by a deadline that has not
passed on a freshly seeded database (see the README's "What the demo shows"):
decided, queued, payment instructed, paid, recovery, closed and rescinded (claim_decide refuses while
`batch.ends_on >= today`, and notice_batch_publish always starts the period today); lapsed
(claim_lapse refuses until the supplement deadline, set from today, has passed); joint meeting (only
under the 2020 Measures, and a claim takes the version in force on the day it is first submitted).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lenders import services as lenders_services
from lenders.demo import NON_PERFORMING, STAGE_FILINGS
from lenders.models import CoveredLoan
from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError

from . import services
from .evidence import REQUIRED_EVIDENCE
from .models import Claim

DEMO_CONTRACT = "GSYF-2026-ZSCQ-0001"
DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERK, APPROVER = "shijianju_jb", "shijianju_sh"
BANK_USERS = {
    "中国工商银行股份有限公司云浮分行": ("gongshang_jb", "gongshang_fh"),
    "中国农业银行股份有限公司云浮分行": ("nonghang_jb", "nonghang_fh"),
    "中国建设银行股份有限公司云浮分行": ("jianhang_jb", "jianhang_fh"),
}
S = Claim.Status
# Where each stage claim stops, in the order of the non-performing loans of lenders.demo.STAGE_FILINGS.
_STOPS = [
    S.DRAFT,
    S.SUPPLEMENT_REQUESTED,
    S.ACCEPTED,
    S.FIRST_REVIEWED,
    S.APPROVED,
    S.REJECTED,
    S.PUBLIC_NOTICE,
]
STAGE_CLAIMS = list(zip([c for _, c, stop in STAGE_FILINGS if stop == NON_PERFORMING], _STOPS, strict=True))
NOT_APPLICABLE = (
    ("litigation_papers", "尚未起诉，正在协商还款"),
    ("disposal_evidence", "质押专利尚未处置"),
)


def _user(username):
    return User.objects.filter(username=username).first()


def _draft(loan, officer):
    claim = services.claim_create(
        by=officer,
        covered_loan=loan,
        unrecovered_principal=loan.outstanding_principal,
        enforcement_actions="演示数据：电话催收 6 次，上门催收 2 次，已发送律师函。",
    )
    for kind in REQUIRED_EVIDENCE:
        upload = SimpleUploadedFile(f"{kind}.pdf", DEMO_PDF, content_type="application/pdf")
        services.evidence_upload(by=officer, claim=claim, kind=kind, file=upload)
    for kind, reason in NOT_APPLICABLE:
        services.evidence_mark_not_applicable(by=officer, claim=claim, kind=kind, reason=reason)
    return claim


def seed(stdout):
    officer = _user("gongshang_jb")
    supervisor = _user("gongshang_fh")
    loan = CoveredLoan.objects.filter(contract_number=DEMO_CONTRACT).first()
    if loan is None or officer is None or supervisor is None:
        stdout.write("compensation: 未找到演示在保贷款或工商银行账号，跳过。")
        return
    if not Claim.objects.filter(covered_loan=loan).exists():
        try:
            with transaction.atomic():
                if loan.status != CoveredLoan.Status.NON_PERFORMING:
                    loan = lenders_services.loan_report_classification(
                        by=officer,
                        loan=loan,
                        classification="substandard",
                        classified_on=today(),
                        note="演示数据：下调为次级",
                    )
                claim = services.claim_submit(by=supervisor, claim=_draft(loan, officer))
            stdout.write(f"compensation: 已提交演示补偿申请 {claim.reference}，待市监局受理。")
        except DomainError as exc:
            stdout.write(f"compensation: 未生成演示补偿申请：{exc.message}")
    made = 0
    for contract, stop in STAGE_CLAIMS:
        try:
            made += _seed_stage_claim(contract, stop)
        except DomainError as exc:
            stdout.write(f"compensation: 未生成“{S(stop).label}”演示补偿申请：{exc.message}")
    stdout.write(f"compensation: 各阶段演示补偿申请已就绪（本次新建 {made} 笔）。")


@transaction.atomic
def _seed_stage_claim(contract, stop):
    """A claim on the stage loan `contract`, taken to `stop` by the people whose move each step is."""
    loan = CoveredLoan.objects.filter(contract_number=contract).select_related("bank").first()
    if loan is None or Claim.objects.filter(covered_loan=loan).exists():
        return 0
    officer_name, supervisor_name = BANK_USERS[loan.bank.name]
    officer, supervisor = _user(officer_name), _user(supervisor_name)
    clerk, approver = _user(CLERK), _user(APPROVER)
    if None in (officer, supervisor, clerk, approver):
        return 0
    claim = _draft(loan, officer)
    if stop == S.DRAFT:
        return 1
    claim = services.claim_submit(by=supervisor, claim=claim)
    if stop == S.SUPPLEMENT_REQUESTED:
        services.claim_request_supplement(
            by=clerk,
            claim=claim,
            items=[{"code": "D05", "note": "请补充上门催收记录及借款人签收的催收通知书（演示）"}],
        )
        return 1
    claim = services.claim_accept(by=clerk, claim=claim)
    if stop == S.ACCEPTED:
        return 1
    claim = services.claim_first_review(
        by=clerk,
        claim=claim,
        opinion="演示数据：材料齐全，在申请期限内，符合补偿条件",
        rule_opinions={"claim_window": "在期限内"},
    )
    if stop == S.FIRST_REVIEWED:
        return 1
    if stop == S.REJECTED:
        services.claim_reject(
            by=approver,
            claim=claim,
            reason="演示数据：借款人仍在正常经营且已达成还款协议，暂不符合补偿条件",
        )
        return 1
    claim = services.claim_approve(by=approver, claim=claim, reason="演示数据：符合条件，拟予全额补偿")
    if stop == S.PUBLIC_NOTICE:
        services.notice_batch_publish(by=clerk, claims=[claim])
    return 1
