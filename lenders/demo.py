"""Demo records of the bank side (idempotent; runs after applications.demo.seed):
the three demo banks admitted as cooperating banks, and one confirmed covered loan for
云浮市云石科技有限公司 with 中国工商银行股份有限公司云浮分行, built through the services so its
notices exist."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import LoanRegistration
from yunfu_ipfund.accounts.models import Organisation, User
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.money import round_fen
from yunfu_ipfund.common.workdays import add_workdays

from . import services
from .models import CooperatingBank, FilingDocument, LoanFiling

BANKS = [
    ("中国工商银行股份有限公司云浮分行", "YFZSCQ-HZ-2025-01", "李经办", "0766-8812001"),
    ("中国农业银行股份有限公司云浮分行", "YFZSCQ-HZ-2025-02", "赵经办", "0766-8812002"),
    ("中国建设银行股份有限公司云浮分行", "YFZSCQ-HZ-2025-03", "孙经办", "0766-8812003"),
]
ENTERPRISE = "云浮市云石科技有限公司"
DEMO_CONTRACT = "GSYF-2026-ZSCQ-0001"
DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(username):
    return User.objects.filter(username=username).first()


def seed(stdout):
    approver = _user("shijianju_sh")
    if approver is None:
        stdout.write("lenders: 未找到市监局审核账号 shijianju_sh，跳过。")
        return
    day = today()
    for name, number, contact, phone in BANKS:
        org = Organisation.objects.filter(name=name, kind=Organisation.Kind.BANK).first()
        if org is None or CooperatingBank.objects.filter(organisation=org).exists():
            continue
        services.bank_admit(
            by=approver,
            organisation=org,
            agreement_number=number,
            admitted_on=dt.date(2025, 10, 15),
            agreement_valid_from=dt.date(2025, 10, 15),
            agreement_valid_to=dt.date(2028, 10, 14),
            contact_name=contact,
            contact_phone=phone,
            reason="演示数据：依据2025年《管理办法》准入",
        )
    stdout.write("lenders: 三家合作银行已准入。")

    bank = Organisation.objects.filter(name=BANKS[0][0]).first()
    officer, supervisor = _user("gongshang_jb"), _user("gongshang_fh")
    if LoanFiling.objects.filter(bank=bank, contract_number=DEMO_CONTRACT).exists():
        return
    registration = (
        LoanRegistration.objects.filter(
            enterprise__name=ENTERPRISE, bank=bank, status=LoanRegistration.Status.ACCEPTED
        )
        .exclude(filings__status__in=LoanFiling.OPEN + (LoanFiling.Status.CONFIRMED,))
        .first()
    )
    if registration is None or officer is None or supervisor is None:
        stdout.write("lenders: 未找到云石科技向工商银行已受理的融资登记，未生成演示在保贷款。")
        return
    disbursed = add_workdays(day, -3).plain()
    amount = min(Decimal(registration.amount), Decimal("3000000.00"))
    filing = services.filing_create(
        by=officer,
        registration=registration,
        contract_number=DEMO_CONTRACT,
        amount=amount,
        ip_amount=round_fen(amount * Decimal("0.8")),
        other_collateral="法定代表人连带责任保证",
        disbursed_on=disbursed,
        maturity_on=disbursed + dt.timedelta(days=364),
        annual_rate=Decimal("3.85"),
        repayment_method="interest_monthly",
        pledges=[
            {
                "asset": a,
                "pledge_registration_number": f"Y2026440000{a.pk:04d}",
                "pledge_registered_on": disbursed,
            }
            for a in registration.assets.all()
        ],
    )
    for kind in FilingDocument.Kind.values:
        services.filing_document_add(
            by=officer,
            filing=filing,
            kind=kind,
            file=SimpleUploadedFile(f"{kind}.pdf", DEMO_PDF, content_type="application/pdf"),
        )
    services.filing_submit(by=supervisor, filing=filing)
    services.filing_confirm(by=approver, filing=filing, reason="演示数据：材料齐全，符合条件")
    stdout.write(f"lenders: 已生成演示在保贷款（借款合同 {DEMO_CONTRACT}）。")
