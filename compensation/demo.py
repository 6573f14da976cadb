"""Demo records of compensation (idempotent; runs after lenders.demo.seed), built through the services
exactly as the pages do, so every notice those stages issue exists:

- the demo covered loan of 云浮市云石科技有限公司 with 工商银行 (DEMO_CONTRACT) is reported non-performing
  and a claim with a complete checklist is submitted, so the bureau clerk finds it in the intake queue;
- `STAGE_CLAIMS`: on the non-performing stage loans of lenders.demo, one claim in each further stage
  the real clock reaches: draft, supplement requested (补充材料通知书), accepted (受理通知书), first
  reviewed, approved awaiting publication, rejected (不予补偿决定书), on public notice (公示, published
  on the previous working day so that its period has begun) with an objection waiting for the clerk's
  ruling;
- `LATE_CLAIMS`: four more loans of their own (a patent, an accepted registration and a filing each,
  made as applications.demo and lenders.demo make theirs), whose claims were published on a seeded day
  far enough back that the public notice period has already ended (`notice_batch_publish(on=...)`,
  the only caller of that argument; the audit trail records the seeded day): one waits for the
  approver's decision today, then one each decided (决定书), payment instructed (拨付通知书) and paid,
  each step by its person on the real clock.

- `AFTER_PAYMENT_CLAIMS`: eight more loans of their own whose claims are paid today (as LATE_CLAIMS'),
  then taken on by their people: a recovery reported with a share owed (追偿款返还通知书) and one
  returned (claim in recovery), a recovery report waiting for the supervisor's countersign, a withdrawn
  report then one whose costs ate it (nothing due), a claim closed on write-off, and three rescissions
  (追回风险补偿资金通知书): clawback demanded, clawback received, and rescinded before payment
  (nothing due). The rescissions are 新兴县禅心茶业 (qiye3)'s, as is `EXCLUDED_LOAN`, a covered loan
  excluded for fraud before any claim (移出风险补偿范围通知书): their blacklisting leaves the other
  demo enterprises' next steps open. Every loan is made before the first rescission (a blacklisted
  enterprise's registration would be refused);
- the fund's monthly statement of last month and its annual report of last year.

Not in the demo: queued (the fund is not short on a fresh database); lapsed (claim_lapse refuses until
the supplement deadline, set from today, has passed); joint meeting (only under the 2020 Measures, and
a claim takes the version in force on the day it is first submitted).
"""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from applications import demo as applications_demo
from applications.models import LoanRegistration
from fund import documents as fund_documents
from lenders import demo as lenders_demo
from lenders import services as lenders_services
from lenders.demo import NON_PERFORMING, STAGE_FILINGS
from lenders.models import CoveredLoan
from yunfu_ipfund.accounts.models import Organisation, User
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.policy.models import IPType
from yunfu_ipfund.policy.services import policy_in_force

from . import services
from .evidence import REQUIRED_EVIDENCE
from .models import Claim

DEMO_CONTRACT = "GSYF-2026-ZSCQ-0001"
DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERK, APPROVER, FINANCE = "shijianju_jb", "shijianju_sh", "caizheng"
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
ICBC, ABC, CCB = applications_demo.ICBC, applications_demo.ABC, applications_demo.CCB
# The claim that waits for the approver's decision: on public notice, its period already ended.
RIPE = "ripe"
# (registration purpose, enterprise user, bank, amount, (type, application-number body, title),
#  contract number, where the claim stops).
LATE_CLAIMS = [
    (
        "石材抛光线节能改造（演示，公示期满待决定）",
        "qiye1",
        ICBC,
        "800000.00",
        (IPType.UTILITY_MODEL, "202120711021", "一种石材抛光废水循环利用装置"),
        "GSYF-2026-ZSCQ-0121",
        RIPE,
    ),
    (
        "大米色选线升级（演示，已决定补偿）",
        "qiye2",
        ABC,
        "600000.00",
        (IPType.UTILITY_MODEL, "202220711022", "一种大米色选除杂装置"),
        "NHYF-2026-ZSCQ-0122",
        S.DECIDED,
    ),
    (
        "石材雕刻数控化改造（演示，已下达拨付通知）",
        "qiye1",
        CCB,
        "700000.00",
        (IPType.UTILITY_MODEL, "202120711023", "一种石材数控雕刻夹持装置"),
        "JHYF-2026-ZSCQ-0123",
        S.PAYMENT_INSTRUCTED,
    ),
    (
        "稻谷烘干余热回收（演示，已拨付）",
        "qiye2",
        ICBC,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711024", "一种稻谷烘干余热回收装置"),
        "GSYF-2026-ZSCQ-0124",
        S.PAID,
    ),
]
# After payment: recovery, closing and rescission, each on a loan of its own (made as LATE_CLAIMS' are):
# (registration purpose, enterprise user, bank, amount, asset, contract number, where it stops).
# The fraud cases are 新兴县禅心茶业 (qiye3)'s: their blacklisting leaves the other enterprises alone.
RECOVERY_REPORTED, RECOVERY_RECEIVED, RECOVERY_DRAFT = (
    "recovery_reported",
    "recovery_received",
    "recovery_draft",
)
RECOVERY_SETTLED = "recovery_settled"  # a withdrawn draft, then a recovery that its costs ate (nothing due)
CLOSED_WRITE_OFF = "closed_write_off"
RESCIND_PAID, RESCIND_REPAID, RESCIND_UNPAID = "rescind_paid", "rescind_repaid", "rescind_unpaid"
QIYE3 = "qiye3"
AFTER_PAYMENT_CLAIMS = [
    (
        "稻谷低温储藏库（演示，追偿款待返还）",
        "qiye2",
        ABC,
        "600000.00",
        (IPType.UTILITY_MODEL, "202220711025", "一种稻谷低温储藏通风装置"),
        "NHYF-2026-ZSCQ-0125",
        RECOVERY_REPORTED,
    ),
    (
        "石材切割锯片采购（演示，追偿款已返还）",
        "qiye1",
        CCB,
        "500000.00",
        (IPType.UTILITY_MODEL, "202120711026", "一种石材切割锯片冷却装置"),
        "JHYF-2026-ZSCQ-0126",
        RECOVERY_RECEIVED,
    ),
    (
        "大米礼盒包装线（演示，追偿报告待复核）",
        "qiye2",
        ICBC,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711027", "一种大米礼盒自动封装装置"),
        "GSYF-2026-ZSCQ-0127",
        RECOVERY_DRAFT,
    ),
    (
        "石材仓储货架改造（演示，追偿无需返还）",
        "qiye1",
        ABC,
        "500000.00",
        (IPType.UTILITY_MODEL, "202120711028", "一种石材板材立式仓储架"),
        "NHYF-2026-ZSCQ-0128",
        RECOVERY_SETTLED,
    ),
    (
        "稻米副产品加工（演示，已核销结案）",
        "qiye2",
        CCB,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711029", "一种米糠稳定化处理装置"),
        "JHYF-2026-ZSCQ-0129",
        CLOSED_WRITE_OFF,
    ),
    (
        "茶叶初制厂房改造（演示，撤销补偿待追回）",
        QIYE3,
        ICBC,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711033", "一种茶叶揉捻压力调节装置"),
        "GSYF-2026-ZSCQ-0130",
        RESCIND_PAID,
    ),
    (
        "茶园灌溉设备（演示，撤销补偿已追回）",
        QIYE3,
        ABC,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711034", "一种茶园滴灌控制装置"),
        "NHYF-2026-ZSCQ-0131",
        RESCIND_REPAID,
    ),
    (
        "茶叶冷链仓储（演示，撤销补偿未拨付）",
        QIYE3,
        CCB,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711035", "一种茶叶冷藏除湿装置"),
        "JHYF-2026-ZSCQ-0132",
        RESCIND_UNPAID,
    ),
]
# A covered loan of qiye3 found to rest on false information before any claim: excluded by the approver.
EXCLUDED_LOAN = (
    "茶叶包装材料采购（演示，移出风险补偿范围）",
    QIYE3,
    ICBC,
    "400000.00",
    (IPType.UTILITY_MODEL, "202220711036", "一种茶叶包装充氮装置"),
    "GSYF-2026-ZSCQ-0133",
)
DEMO_RECOVERY = {"amount": "100000.00", "costs": "5000.00"}
DEMO_OBJECTION = {
    "name": "陈明",
    "contact": "chenming@example.com",
    "content": "演示数据：听说该企业质押的实用新型专利年费未按期缴纳，请核实专利是否仍然有效。",
}
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
        # Each material its own file (the duplicate-evidence check compares contents): a real bank
        # scans a different document for each.
        content = DEMO_PDF + f"% {loan.contract_number} {kind}\n".encode()
        upload = SimpleUploadedFile(f"{kind}.pdf", content, content_type="application/pdf")
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
    for spec in LATE_CLAIMS:
        try:
            made += _seed_late_claim(*spec, stdout=stdout)
        except DomainError as exc:
            stdout.write(f"compensation: 未生成“{spec[0]}”演示补偿申请：{exc.message}")
    made += _seed_after_payment(stdout)
    _seed_fund_reports(stdout)
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
        # Published on the previous working day: the period has begun even when seeded on a holiday.
        services.notice_batch_publish(by=clerk, claims=[claim], on=add_workdays(today(), -1))
        services.objection_submit(claim=claim, **DEMO_OBJECTION)
    return 1


def _late_loan(purpose, username, bank_name, amount, asset, contract):
    """The non-performing covered loan of a late claim: a patent, an accepted registration and a filing
    taken to non-performing, through the same steps as the demo's other stage loans (idempotent)."""
    user = User.objects.filter(username=username).select_related("organisation").first()
    bank = Organisation.objects.filter(kind=Organisation.Kind.BANK, name=bank_name).first()
    officer = User.objects.filter(username=applications_demo.OFFICERS[bank_name], organisation=bank).first()
    if user is None or user.organisation is None or bank is None or officer is None:
        return None
    if not LoanRegistration.objects.filter(purpose=purpose).exists():
        ip_type, body, title = asset
        patent = applications_demo._stage_asset(user.organisation, user, ip_type, body, title)
        registration, _created = applications_demo._registration(
            user.organisation, user, bank, purpose, Decimal(amount), [patent]
        )
        applications_demo._submit(registration, user)
        applications_demo._accept(registration, officer)
    approver, clerk = _user(APPROVER), _user(CLERK)
    if approver is None or clerk is None:
        return None
    lenders_demo._seed_stage_filing(contract, purpose, NON_PERFORMING, approver, clerk)
    return CoveredLoan.objects.filter(contract_number=contract).select_related("bank").first()


@transaction.atomic
def _seed_late_claim(purpose, username, bank_name, amount, asset, contract, stop, *, stdout):
    """A claim past a public notice that ended on a seeded day, taken to `stop` by its people today."""
    loan = _late_loan(purpose, username, bank_name, amount, asset, contract)
    if loan is None or Claim.objects.filter(covered_loan=loan).exists():
        return 0
    officer_name, supervisor_name = BANK_USERS[loan.bank.name]
    officer, supervisor = _user(officer_name), _user(supervisor_name)
    clerk, approver, finance = _user(CLERK), _user(APPROVER), _user(FINANCE)
    if None in (officer, supervisor, clerk, approver, finance):
        return 0
    claim = services.claim_submit(by=supervisor, claim=_draft(loan, officer))
    claim = services.claim_accept(by=clerk, claim=claim)
    claim = services.claim_first_review(
        by=clerk, claim=claim, opinion="演示数据：材料齐全，在申请期限内，符合补偿条件"
    )
    claim = services.claim_approve(by=approver, claim=claim, reason="演示数据：符合条件，拟予全额补偿")
    # Published far enough back that the period (and one working day more) has passed today.
    workdays = policy_in_force(today()).public_notice_workdays
    services.notice_batch_publish(by=clerk, claims=[claim], on=add_workdays(today(), -(workdays + 1)))
    if stop == RIPE:
        return 1
    claim = services.claim_decide(by=approver, claim=claim)
    if stop == S.DECIDED or claim.status != S.DECIDED:
        return 1
    claim = services.claim_instruct_payment(by=approver, claim=claim)
    if stop == S.PAYMENT_INSTRUCTED:
        return 1
    services.claim_confirm_payment(by=finance, claim=claim, voucher=f"演示-ZF-{claim.pk:04d}")
    return 1


def _paid_claim(loan, *, decide_only=False):
    """A claim on `loan` past a public notice that ended on a seeded day, decided, instructed and paid
    today by its people (the decided one stops at DECIDED): LATE_CLAIMS' path."""
    officer_name, supervisor_name = BANK_USERS[loan.bank.name]
    officer, supervisor = _user(officer_name), _user(supervisor_name)
    clerk, approver, finance = _user(CLERK), _user(APPROVER), _user(FINANCE)
    claim = services.claim_submit(by=supervisor, claim=_draft(loan, officer))
    claim = services.claim_accept(by=clerk, claim=claim)
    claim = services.claim_first_review(
        by=clerk, claim=claim, opinion="演示数据：材料齐全，在申请期限内，符合补偿条件"
    )
    claim = services.claim_approve(by=approver, claim=claim, reason="演示数据：符合条件，拟予全额补偿")
    workdays = policy_in_force(today()).public_notice_workdays
    services.notice_batch_publish(by=clerk, claims=[claim], on=add_workdays(today(), -(workdays + 1)))
    claim = services.claim_decide(by=approver, claim=claim)
    if decide_only:
        return claim
    claim = services.claim_instruct_payment(by=approver, claim=claim)
    return services.claim_confirm_payment(by=finance, claim=claim, voucher=f"演示-ZF-{claim.pk:04d}")


def _recovery(claim, *, amount, costs, description):
    officer_name, _supervisor = BANK_USERS[claim.bank.name]
    return services.recovery_prepare(
        by=_user(officer_name),
        claim=claim,
        received_on=today(),
        amount=amount,
        costs=costs,
        description=description,
    )


def _countersign(recovery):
    _officer, supervisor_name = BANK_USERS[recovery.claim.bank.name]
    return services.recovery_countersign(by=_user(supervisor_name), recovery=recovery)


def _take_after_payment(claim, stop):
    """Take a paid (or, for RESCIND_UNPAID, decided) claim to `stop`, each step by its person."""
    approver, finance = _user(APPROVER), _user(FINANCE)
    note = "演示数据：处置质押专利所得"
    if stop in (RECOVERY_REPORTED, RECOVERY_RECEIVED):
        recovery = _countersign(_recovery(claim, description=note, **DEMO_RECOVERY))
        if stop == RECOVERY_RECEIVED:
            services.recovery_confirm_receipt(
                by=finance, recovery=recovery, voucher=f"演示-ZH-{recovery.pk:04d}"
            )
    elif stop == RECOVERY_DRAFT:
        _recovery(claim, description=note, **DEMO_RECOVERY)
    elif stop == RECOVERY_SETTLED:
        first = _recovery(claim, description="演示数据：金额录入有误", **DEMO_RECOVERY)
        officer_name, _supervisor = BANK_USERS[claim.bank.name]
        services.recovery_withdraw(
            by=_user(officer_name), recovery=first, reason="演示数据：金额录入有误，撤回"
        )
        _countersign(
            _recovery(claim, amount="20000.00", costs="20000.00", description="演示数据：诉讼费用抵尽")
        )
    elif stop == CLOSED_WRITE_OFF:
        services.claim_close(
            by=approver,
            claim=claim,
            close_reason=Claim.CloseReason.WRITE_OFF,
            reason="演示数据：借款企业已注销，质押专利无处置价值，经批准核销",
        )
    elif stop in (RESCIND_PAID, RESCIND_REPAID, RESCIND_UNPAID):
        evidence = SimpleUploadedFile(
            "evidence.pdf", DEMO_PDF + b"% clawback\n", content_type="application/pdf"
        )
        clawback = services.claim_rescind(
            by=approver,
            claim=claim,
            reason="演示数据：经核查，借款企业申报的营业收入与纳税记录不符，属提供虚假材料",
            evidence=evidence,
        )
        if stop == RESCIND_REPAID:
            services.clawback_confirm_receipt(
                by=finance, clawback=clawback, voucher=f"演示-ZH-C{clawback.pk:04d}"
            )


def _seed_after_payment(stdout):
    """AFTER_PAYMENT_CLAIMS and EXCLUDED_LOAN: every loan first (the fraud cases blacklist qiye3, whose
    later registrations would be refused), then each claim to its stop, the rescissions last."""
    made = 0
    loans = []
    for purpose, username, bank, amount, asset, contract, stop in AFTER_PAYMENT_CLAIMS:
        try:
            with transaction.atomic():
                loans.append((_late_loan(purpose, username, bank, amount, asset, contract), stop, purpose))
        except DomainError as exc:
            stdout.write(f"compensation: 未生成“{purpose}”演示贷款：{exc.message}")
    purpose, username, bank, amount, asset, contract = EXCLUDED_LOAN
    try:
        with transaction.atomic():
            registration_loan = _active_loan(purpose, username, bank, amount, asset, contract)
    except DomainError as exc:
        registration_loan = None
        stdout.write(f"compensation: 未生成“{purpose}”演示贷款：{exc.message}")
    for loan, stop, purpose in loans:
        if loan is None or Claim.objects.filter(covered_loan=loan).exists():
            continue
        try:
            with transaction.atomic():
                claim = _paid_claim(loan, decide_only=stop == RESCIND_UNPAID)
                _take_after_payment(claim, stop)
            made += 1
        except DomainError as exc:
            stdout.write(f"compensation: 未生成“{purpose}”演示补偿申请：{exc.message}")
    if registration_loan is not None and registration_loan.status != CoveredLoan.Status.EXCLUDED:
        try:
            lenders_services.loans.loan_exclude_for_fraud(
                by=_user(APPROVER),
                loan=registration_loan,
                reason="演示数据：经核查，质押专利在备案前已被宣告无效，借款企业隐瞒未报",
                evidence=SimpleUploadedFile(
                    "evidence.pdf", DEMO_PDF + b"% exclusion\n", content_type="application/pdf"
                ),
            )
        except DomainError as exc:
            stdout.write(f"compensation: 未移出演示贷款 {registration_loan.contract_number}：{exc.message}")
    return made


def _active_loan(purpose, username, bank_name, amount, asset, contract):
    """A confirmed, performing covered loan of its own (as _late_loan, stopping at ACTIVE)."""
    user = User.objects.filter(username=username).select_related("organisation").first()
    bank = Organisation.objects.filter(kind=Organisation.Kind.BANK, name=bank_name).first()
    officer = User.objects.filter(username=applications_demo.OFFICERS[bank_name], organisation=bank).first()
    approver, clerk = _user(APPROVER), _user(CLERK)
    if None in (user, bank, officer, approver, clerk) or user.organisation is None:
        return None
    if not LoanRegistration.objects.filter(purpose=purpose).exists():
        ip_type, body, title = asset
        patent = applications_demo._stage_asset(user.organisation, user, ip_type, body, title)
        registration, _created = applications_demo._registration(
            user.organisation, user, bank, purpose, Decimal(amount), [patent]
        )
        applications_demo._submit(registration, user)
        applications_demo._accept(registration, officer)
    lenders_demo._seed_stage_filing(contract, purpose, lenders_demo.ACTIVE, approver, clerk)
    return CoveredLoan.objects.filter(contract_number=contract).first()


def _seed_fund_reports(stdout):
    """The fund's monthly statement of last month and its annual report of last year (once each)."""
    day = today()
    last_month = day.replace(day=1) - dt.timedelta(days=1)
    for kind, year, month in (
        (fund_documents.MONTHLY_STATEMENT, last_month.year, last_month.month),
        (fund_documents.ANNUAL_REPORT, day.year - 1, None),
    ):
        if Notice.objects.filter(kind=kind).exists():
            continue
        try:
            lenders_services.fund_report_issue(by=None, year=year, month=month)
        except DomainError as exc:
            stdout.write(f"compensation: 未生成资金报告：{exc.message}")
