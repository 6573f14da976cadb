"""Demo records of compensation (idempotent; runs after lenders.demo.seed): the demo covered loan of
云浮市云石科技有限公司 with 工商银行 is reported non-performing and a claim with a complete checklist is
submitted, so the bureau clerk finds it in the intake queue."""

from django.core.files.uploadedfile import SimpleUploadedFile

from lenders import services as lenders_services
from lenders.models import CoveredLoan
from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError

from . import services
from .evidence import REQUIRED_EVIDENCE
from .models import Claim

DEMO_CONTRACT = "GSYF-2026-ZSCQ-0001"
DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed(stdout):
    officer = User.objects.filter(username="gongshang_jb").first()
    supervisor = User.objects.filter(username="gongshang_fh").first()
    loan = CoveredLoan.objects.filter(contract_number=DEMO_CONTRACT).first()
    if loan is None or officer is None or supervisor is None:
        stdout.write("compensation: 未找到演示在保贷款或工商银行账号，跳过。")
        return
    if Claim.objects.filter(covered_loan=loan).exists():
        return
    try:
        if loan.status != CoveredLoan.Status.NON_PERFORMING:
            loan = lenders_services.loan_report_classification(
                by=officer,
                loan=loan,
                classification="substandard",
                classified_on=today(),
                note="演示数据：下调为次级",
            )
        claim = services.claim_create(
            by=officer,
            covered_loan=loan,
            unrecovered_principal=loan.outstanding_principal,
            enforcement_actions="演示数据：电话催收 6 次，上门催收 2 次，已发送律师函。",
        )
        for kind in REQUIRED_EVIDENCE:
            upload = SimpleUploadedFile(f"{kind}.pdf", DEMO_PDF, content_type="application/pdf")
            services.evidence_upload(by=officer, claim=claim, kind=kind, file=upload)
        not_applicable = (
            ("litigation_papers", "尚未起诉，正在协商还款"),
            ("disposal_evidence", "质押专利尚未处置"),
        )
        for kind, reason in not_applicable:
            services.evidence_mark_not_applicable(by=officer, claim=claim, kind=kind, reason=reason)
        services.claim_submit(by=supervisor, claim=claim)
    except DomainError as exc:
        stdout.write(f"compensation: 未生成演示补偿申请：{exc.message}")
        return
    stdout.write(f"compensation: 已提交演示补偿申请 {claim.reference}，待市监局受理。")
