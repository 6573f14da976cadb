"""Demo records of the bank side (idempotent; runs after applications.demo.seed), built through the
services so their notices exist:

- the five demo banks admitted as cooperating banks; right after its admission 中国银行 is suspended and
  reinstated, and 云浮农商银行 terminated (the bank notices);
- one confirmed covered loan for 云浮市云石科技有限公司 with 中国工商银行股份有限公司云浮分行
  (DEMO_CONTRACT, on which compensation.demo submits a claim);
- `STAGE_FILINGS`: a filing in every other stage of its lifecycle (draft, first-reviewed by the clerk
  and waiting for the approver, returned for correction, refused and re-filed: the re-filing waits for
  the clerk's first review) and covered loans that are active, overdue, repaid, or non-performing (the
  loans compensation.demo takes through every claim stage the real clock reaches).

Every confirmation and refusal is made by two bureau people: the clerk `CLERK` first reviews (or
returns), the approver decides. A database without the clerk's demo account gets it (in the approver's
bureau, without a password).

All dates are today's or a few working days back: a bank report cannot be dated before the filing's
confirmation (today), so a loan disbursed months ago cannot be told without moving the clock.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from applications.demo import STAGE_REGISTRATIONS
from applications.models import LoanRegistration
from yunfu_ipfund.accounts.models import Organisation, User
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.money import round_fen
from yunfu_ipfund.common.workdays import add_workdays

from . import services
from .models import CooperatingBank, CoveredLoan, FilingDocument, LoanFiling

BANKS = [
    ("中国工商银行股份有限公司云浮分行", "YFZSCQ-HZ-2025-01", "李经办", "0766-8812001"),
    ("中国农业银行股份有限公司云浮分行", "YFZSCQ-HZ-2025-02", "赵经办", "0766-8812002"),
    ("中国建设银行股份有限公司云浮分行", "YFZSCQ-HZ-2025-03", "孙经办", "0766-8812003"),
    ("中国银行股份有限公司云浮分行", "YFZSCQ-HZ-2025-04", "何经办", "0766-8812004"),
    ("广东云浮农村商业银行股份有限公司", "YFZSCQ-HZ-2025-05", "梁经办", "0766-8812005"),
]
# What the approver does next to a bank admitted by the demo (its notices): suspend then reinstate, or
# terminate. Done once, right after the admission (a second run finds the bank admitted and skips it).
SUSPENDED_THEN_REINSTATED = "中国银行股份有限公司云浮分行"
TERMINATED = "广东云浮农村商业银行股份有限公司"
ENTERPRISE = "云浮市云石科技有限公司"
DEMO_CONTRACT = "GSYF-2026-ZSCQ-0001"
DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERK = "shijianju_jb"
BANK_USERS = {
    "中国工商银行股份有限公司云浮分行": ("gongshang_jb", "gongshang_fh"),
    "中国农业银行股份有限公司云浮分行": ("nonghang_jb", "nonghang_fh"),
    "中国建设银行股份有限公司云浮分行": ("jianhang_jb", "jianhang_fh"),
}

# Where each stage filing stops: a filing state, or (confirmed) the covered loan's state.
DRAFT, FIRST_REVIEWED, RETURNED, REFUSED = "draft", "first_reviewed", "returned", "refused"
ACTIVE, OVERDUE, REPAID, NON_PERFORMING = "active", "overdue", "repaid", "non_performing"
_STOPS = [DRAFT, FIRST_REVIEWED, RETURNED, REFUSED, ACTIVE, OVERDUE, REPAID] + [NON_PERFORMING] * 7
# The refused filing's registration is filed again (Art 10: a refusal frees it); the re-filing stops at
# SUBMITTED, waiting for the clerk's first review.
REFILED_SUFFIX = "-2"
_PREFIX = {
    "中国工商银行股份有限公司云浮分行": "GSYF",
    "中国农业银行股份有限公司云浮分行": "NHYF",
    "中国建设银行股份有限公司云浮分行": "JHYF",
}
# (registration purpose, contract number, stage), in the order of applications.demo.STAGE_REGISTRATIONS.
STAGE_FILINGS = [
    (purpose, f"{_PREFIX[bank]}-2026-ZSCQ-{n:04d}", stop)
    for n, ((purpose, _user_name, bank, _amount, _asset), stop) in enumerate(
        zip(STAGE_REGISTRATIONS, _STOPS, strict=True), start=101
    )
]


def _user(username):
    return User.objects.filter(username=username).first()


def _clerk(approver):
    """The bureau clerk's demo account (the first review of every demo filing), made if missing."""
    clerk, created = User.objects.get_or_create(
        username=CLERK, defaults={"full_name": "吴经办", "organisation": approver.organisation}
    )
    if created:
        clerk.set_unusable_password()
        clerk.save()
        clerk.groups.add(Group.objects.get(name=Role.BUREAU_CLERK))
    return clerk


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
        profile = CooperatingBank.objects.get(organisation=org)
        if name == SUSPENDED_THEN_REINSTATED:
            profile = services.bank_suspend(
                by=approver, bank=profile, reason="演示数据：追偿款逾期返还超过30日，暂停新增备案"
            )
            services.bank_reinstate(by=approver, bank=profile, reason="演示数据：逾期款项已返还，恢复备案")
        elif name == TERMINATED:
            services.bank_terminate(by=approver, bank=profile, reason="演示数据：合作协议经双方协商提前终止")
    stdout.write(f"lenders: {len(BANKS)} 家银行已准入（其中一家暂停后恢复、一家终止合作）。")

    clerk = _clerk(approver)
    _seed_demo_contract(approver, clerk, day, stdout)
    made = []
    for purpose, contract, stage in STAGE_FILINGS:
        try:
            if _seed_stage_filing(contract, purpose, stage, approver, clerk):
                made.append(contract)
        except DomainError as exc:
            stdout.write(f"lenders: 未生成演示备案 {contract}：{exc.message}")
    stdout.write(f"lenders: 各阶段演示备案和在保贷款已就绪（本次新建 {len(made)} 笔）。")


def _seed_demo_contract(approver, clerk, day, stdout):
    bank = Organisation.objects.filter(name=BANKS[0][0]).first()
    officer, supervisor = _user("gongshang_jb"), _user("gongshang_fh")
    if LoanFiling.objects.filter(bank=bank, contract_number=DEMO_CONTRACT).exists():
        return
    registration = (
        LoanRegistration.objects.filter(
            enterprise__name=ENTERPRISE,
            bank=bank,
            status=LoanRegistration.Status.ACCEPTED,
        )
        .exclude(purpose__in=[purpose for purpose, *_ in STAGE_REGISTRATIONS])
        .exclude(filings__status__in=LoanFiling.OPEN + (LoanFiling.Status.CONFIRMED,))
        .first()
    )
    if registration is None or officer is None or supervisor is None:
        stdout.write("lenders: 未找到云石科技向工商银行已受理的融资登记，未生成演示在保贷款。")
        return
    filing = _prepare(registration, officer, DEMO_CONTRACT, day)
    services.filing_submit(by=supervisor, filing=filing)
    services.filing_first_review(by=clerk, filing=filing, opinion="演示数据：材料齐全")
    services.filing_confirm(by=approver, filing=filing, reason="演示数据：材料齐全，符合条件")
    stdout.write(f"lenders: 已生成演示在保贷款（借款合同 {DEMO_CONTRACT}）。")


def _prepare(registration, officer, contract, day):
    """A filing (DRAFT) of the whole registered amount, disbursed three working days ago, every document
    uploaded: what the bank officer's form and upload page do."""
    disbursed = add_workdays(day, -3).plain()
    amount = min(Decimal(registration.amount), Decimal("3000000.00"))
    filing = services.filing_create(
        by=officer,
        registration=registration,
        contract_number=contract,
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
    return filing


@transaction.atomic
def _seed_stage_filing(contract, purpose, stage, approver, clerk):
    """One filing of STAGE_FILINGS taken to `stage` through the services (skipped once it exists)."""
    registration = (
        LoanRegistration.objects.filter(purpose=purpose, status=LoanRegistration.Status.ACCEPTED)
        .select_related("bank")
        .first()
    )
    if registration is None:
        return False
    bank = registration.bank
    if LoanFiling.objects.filter(bank=bank, contract_number=contract).exists():
        return False
    officer_name, supervisor_name = BANK_USERS[bank.name]
    officer, supervisor = _user(officer_name), _user(supervisor_name)
    if officer is None or supervisor is None:
        return False
    day = today()
    filing = _prepare(registration, officer, contract, day)
    if stage == DRAFT:
        return True
    filing = services.filing_submit(by=supervisor, filing=filing)
    if stage == RETURNED:
        services.filing_return(
            by=clerk, filing=filing, reasons=["质押登记通知书扫描件不清晰，请重新上传（演示）"]
        )
        return True
    filing = services.filing_first_review(by=clerk, filing=filing, opinion="演示数据：材料齐全")
    if stage == FIRST_REVIEWED:
        return True
    if stage == REFUSED:
        services.filing_refuse(
            by=approver, filing=filing, reason="演示数据：借款用途与质押融资登记不一致，不予备案"
        )
        refiled = _prepare(registration, officer, contract + REFILED_SUFFIX, day)
        services.filing_submit(by=supervisor, filing=refiled)
        return True
    filing = services.filing_confirm(by=approver, filing=filing, reason="演示数据：材料齐全，符合条件")
    loan = CoveredLoan.objects.get(filing=filing)
    if stage == OVERDUE:
        services.loan_report_overdue(
            by=officer, loan=loan, overdue_since=day, overdue_amount="20000.00", note="演示数据：本月利息逾期"
        )
    elif stage == REPAID:
        services.loan_report_repayment(
            by=officer, loan=loan, amount=loan.outstanding_principal, paid_on=day, note="演示数据：提前还清"
        )
    elif stage == NON_PERFORMING:
        services.loan_report_classification(
            by=officer,
            loan=loan,
            classification="substandard",
            classified_on=day,
            note="演示数据：下调为次级",
        )
    return True
