"""Fraud found before a claim (Art 16, Rulings of December 2026): the bureau approver excludes a covered
loan (EXCLUDED) with a reason and an evidence file; the cover is released; a notice goes to the bank,
copied to the enterprise; the enterprise's other covered loans are flagged for review (cleared by the
bureau, audited); the enterprise is blacklisted. A loan in a claim is refused (the rescission path)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Blacklisting
from applications.selectors import is_blacklisted
from lenders import services
from lenders.models import CoveredLoan, LoanEvent
from lenders.selectors import covered_outstanding
from lenders.services.loans import loan_exclude_for_fraud, loan_review_flag_clear
from tests.conftest import postgres_only, run_in_parallel
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.notices.models import Notice

from .conftest import PDF, make_loan, make_registration

pytestmark = [pytest.mark.django_db, pytest.mark.article(16, 21)]
S = CoveredLoan.Status
REASON = "借款企业伪造专利权属证明，经国家知识产权局核实该专利不属于该企业"


def evidence(name="核查报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def other_loan(
    enterprise_a,
    enterprise_a_profile,
    bank_b,
    bank_b_profile,
    enterprise_user,
    bank_b_officer,
    bank_b_supervisor,
    bureau_approver,
):
    """Another covered loan of enterprise A, at bank B."""
    registration = make_registration(enterprise_a, bank_b, enterprise_user)
    return make_loan(bank_b_officer, bank_b_supervisor, bureau_approver, registration)


def put_in(loan, state, officer, approver):
    """Move `loan` (ACTIVE) into `state` the way the bank's reports and the compensation process do."""
    if state == S.ACTIVE:
        return loan
    if state == S.OVERDUE:
        return services.loan_report_overdue(
            by=officer, loan=loan, overdue_since=today(), overdue_amount="1000.00"
        )
    if state == S.REPAID:
        return services.loan_report_repayment(
            by=officer, loan=loan, amount=loan.outstanding_principal, paid_on=today()
        )
    loan = services.loan_report_classification(
        by=officer, loan=loan, classification="substandard", classified_on=today()
    )
    for step in (S.IN_CLAIM, S.COMPENSATED):
        if state == S.NON_PERFORMING:
            break
        loan = services.covered_loan_transition(by=approver, loan=loan, to_state=step)
        if state == step:
            break
    return loan


# --- the happy path ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.ACTIVE, S.OVERDUE, S.NON_PERFORMING])
def test_the_approver_excludes_a_loan_found_fraudulent_before_a_claim(
    loan, other_loan, state, bank_a, enterprise_a, bank_officer, bureau_approver
):
    loan = put_in(loan, state, bank_officer, bureau_approver)
    before = covered_outstanding()
    assert before == loan.covered_outstanding + other_loan.covered_outstanding

    done = loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())

    assert done.status == S.EXCLUDED
    assert (done.exclusion_reason, done.excluded_by, done.exclusion_evidence_name) == (
        REASON,
        bureau_approver,
        "核查报告.pdf",
    )
    assert done.exclusion_evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert done.exclusion_evidence.read() == PDF
    # the cover is released: now and in the dated history
    assert covered_outstanding() == other_loan.covered_outstanding
    assert covered_outstanding(as_of=today()) == other_loan.covered_outstanding
    last = done.events.order_by("-id").first()
    assert (last.kind, last.status_after) == (LoanEvent.Kind.STATUS, S.EXCLUDED)
    # audited as the approver's move, with the reason and the evidence's hash
    event = AuditEvent.objects.get(code="lenders.coveredloan.exclude_for_fraud", object_id=str(loan.pk))
    assert (event.from_state, event.to_state, event.reason) == (state, S.EXCLUDED, REASON)
    assert event.data["evidence_sha256"] == done.exclusion_evidence_sha256
    # the notice: to the bank, copied to the enterprise
    notice = Notice.objects.get(kind="lenders_loan_exclusion")
    assert notice.title == "移出风险补偿范围通知书" and notice.addressee == bank_a
    assert list(notice.copied_to.all()) == [enterprise_a]
    assert (notice.subject_type, notice.subject_id) == ("lenders.loanfiling", str(loan.filing_id))
    text = "".join(notice.context["paragraphs"])
    assert REASON in text and "《管理办法》第十六条" in text and "移出风险补偿范围" in text
    assert notice.context["entries"] == [f"中国农业银行云浮分行借款合同{other_loan.contract_number}"]
    # the blacklist, source 骗取
    assert is_blacklisted(enterprise_a)
    listing = Blacklisting.objects.get(enterprise=enterprise_a)
    assert listing.source == Blacklisting.Source.FRAUD and loan.contract_number in listing.reason
    assert f"至{listing.listed_until.year}年" in text
    # the other covered loan of the enterprise: flagged for review, who/when/why
    other_loan.refresh_from_db()
    assert other_loan.is_flagged_for_review and other_loan.status == S.ACTIVE
    assert other_loan.review_flagged_by == bureau_approver
    assert loan.contract_number in other_loan.review_flag_reason and REASON in other_loan.review_flag_reason
    assert AuditEvent.objects.filter(
        code="lenders.coveredloan.review_flag", object_id=str(other_loan.pk)
    ).exists()


def test_a_repeat_on_an_excluded_loan_does_nothing_twice(loan, bureau_approver):
    loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())
    again = loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason="再次", evidence=evidence())
    assert again.status == S.EXCLUDED and again.exclusion_reason == REASON
    assert Notice.objects.filter(kind="lenders_loan_exclusion").count() == 1
    assert Blacklisting.objects.count() == 1


# --- refusals --------------------------------------------------------------------------------------------


def _nothing_moved(loan, state):
    loan.refresh_from_db()
    assert loan.status == state and not loan.exclusion_reason
    assert not Notice.objects.filter(kind="lenders_loan_exclusion").exists()
    assert not Blacklisting.objects.exists()


@pytest.mark.parametrize("who", ["bureau_clerk", "bank_officer", "bank_supervisor", "finance_user"])
def test_only_the_approver_may_exclude(loan, who, request):
    with pytest.raises(Forbidden):
        loan_exclude_for_fraud(by=request.getfixturevalue(who), loan=loan, reason=REASON, evidence=evidence())
    _nothing_moved(loan, S.ACTIVE)


@pytest.mark.parametrize(
    "state, label",
    [(S.IN_CLAIM, "补偿申请中"), (S.COMPENSATED, "已补偿")],
)
def test_a_loan_in_the_compensation_process_is_refused_with_its_state(
    loan, state, label, bank_officer, bureau_approver
):
    loan = put_in(loan, state, bank_officer, bureau_approver)
    with pytest.raises(DomainError) as exc:
        loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())
    assert exc.value.code == "in_compensation"
    assert exc.value.message == (
        f"该笔贷款当前状态为“{label}”，已进入补偿程序，不能在补偿前认定骗取并移出风险补偿范围；"
        "请在补偿程序中撤销补偿决定（《管理办法》第十六条）。"
    )
    _nothing_moved(loan, state)


def test_a_repaid_loan_is_no_longer_covered(loan, bank_officer, bureau_approver):
    loan = put_in(loan, S.REPAID, bank_officer, bureau_approver)
    with pytest.raises(DomainError) as exc:
        loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())
    assert exc.value.message == "该笔贷款当前状态为“已还清”，已不在风险补偿范围内，无需移出。"
    _nothing_moved(loan, S.REPAID)


def test_a_reason_and_an_evidence_file_are_required(loan, bureau_approver):
    with pytest.raises(ValidationFailed) as exc:
        loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason="  ", evidence=evidence())
    assert exc.value.details[0]["field"] == "reason"
    with pytest.raises(ValidationFailed) as exc:
        loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=None)
    assert (
        exc.value.code == "evidence_required"
        and exc.value.message == "请上传认定骗取的证据材料（PDF 或图片）。"
    )
    with pytest.raises(ValidationFailed) as exc:
        bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00not a pdf at all", content_type="application/pdf")
        loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=bad)
    assert exc.value.code == "upload_type"
    _nothing_moved(loan, S.ACTIVE)


# --- the review flag ---------------------------------------------------------------------------------------


def test_the_bureau_clears_a_review_flag_with_a_reason_audited(
    loan, other_loan, bureau_approver, bureau_clerk, bank_b_officer, finance_user
):
    loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())
    for who in (bank_b_officer, finance_user):
        with pytest.raises(Forbidden):
            loan_review_flag_clear(by=who, loan=other_loan, reason="已复核")
    with pytest.raises(ValidationFailed):
        loan_review_flag_clear(by=bureau_clerk, loan=other_loan, reason="")
    cleared = loan_review_flag_clear(by=bureau_clerk, loan=other_loan, reason="经复核，该笔贷款材料真实")
    assert not cleared.is_flagged_for_review and cleared.review_flag_reason == ""
    event = AuditEvent.objects.get(code="lenders.coveredloan.review_flag_clear", object_id=str(other_loan.pk))
    assert event.reason == "经复核，该笔贷款材料真实" and loan.contract_number in event.data["flag_reason"]
    with pytest.raises(DomainError, match="该笔贷款没有待复核标记"):
        loan_review_flag_clear(by=bureau_clerk, loan=other_loan, reason="再次")


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_button_is_the_approvers_only(loan, client_for, bureau_approver, bureau_clerk, bank_officer):
    url = loan.get_absolute_url()
    exclude_url = reverse("lenders:loan_exclude", args=[loan.pk])
    assert exclude_url in client_for(bureau_approver).get(url).content.decode()
    for who in (bureau_clerk, bank_officer):
        page = client_for(who).get(url)
        assert page.status_code == 200 and exclude_url not in page.content.decode()


@pytest.mark.parametrize(
    "who, status",
    [
        ("bureau_clerk", 403),
        ("bank_officer", 403),
        ("finance_user", 403),
        ("enterprise_user", 403),
        ("bank_b_officer", 404),
        ("outsider", 404),
    ],
)
def test_anyone_else_is_refused_the_exclusion_with_the_exact_status(loan, client_for, who, status, request):
    client = client_for(request.getfixturevalue(who))
    url = reverse("lenders:loan_exclude", args=[loan.pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"reason": REASON, "confirm": "yes", "evidence": evidence()})
    assert response.status_code == status
    _nothing_moved(loan, S.ACTIVE)


def test_the_approver_confirms_then_excludes_on_the_page(loan, client_for, bureau_approver):
    client = client_for(bureau_approver)
    url = reverse("lenders:loan_exclude", args=[loan.pk])
    page = client.get(url)
    assert page.status_code == 200 and "此操作不可撤回" in page.content.decode()
    unconfirmed = client.post(url, {"reason": REASON, "evidence": evidence()})
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.content.decode()
    _nothing_moved(loan, S.ACTIVE)
    done = client.post(url, {"reason": REASON, "confirm": "yes", "evidence": evidence()})
    assert done.status_code == 302 and done["Location"] == loan.get_absolute_url()
    loan.refresh_from_db()
    assert loan.status == S.EXCLUDED
    detail = client.get(loan.get_absolute_url()).content.decode()
    assert (
        "已认定骗取" in detail
        and REASON in detail
        and reverse("lenders:loan_exclusion_evidence", args=[loan.pk]) in detail
    )
    download = client.get(reverse("lenders:loan_exclusion_evidence", args=[loan.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_page_refuses_a_loan_in_a_claim_with_its_state(loan, client_for, bank_officer, bureau_approver):
    loan = put_in(loan, S.IN_CLAIM, bank_officer, bureau_approver)
    client = client_for(bureau_approver)
    url = reverse("lenders:loan_exclude", args=[loan.pk])
    assert "请在补偿程序中撤销补偿决定" in client.get(url).content.decode()
    response = client.post(url, {"reason": REASON, "confirm": "yes", "evidence": evidence()})
    assert response.status_code == 400 and "当前状态为“补偿申请中”" in response.content.decode()
    _nothing_moved(loan, S.IN_CLAIM)


def test_the_flag_shows_to_the_bureau_and_the_bank_and_the_clerk_clears_it(
    loan, other_loan, client_for, bureau_approver, bureau_clerk, bank_b_officer, finance_user
):
    loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())
    url = other_loan.get_absolute_url()
    clear_url = reverse("lenders:loan_review_flag_clear", args=[other_loan.pk])
    for who in (bank_b_officer, bureau_clerk):
        page = client_for(who).get(url).content.decode()
        assert "待复核" in page and loan.contract_number in page
        assert (clear_url in page) is (who == bureau_clerk)
    assert client_for(bank_b_officer).post(clear_url, {"reason": "已复核"}).status_code == 403
    assert client_for(finance_user).post(clear_url, {"reason": "已复核"}).status_code == 403
    response = client_for(bureau_clerk).post(clear_url, {"reason": "经复核无异常"})
    assert response.status_code == 302
    other_loan.refresh_from_db()
    assert not other_loan.is_flagged_for_review


def test_the_evidence_is_the_bureaus_and_finances_only(
    loan, client_for, bureau_approver, bank_officer, finance_user
):
    loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())
    url = reverse("lenders:loan_exclusion_evidence", args=[loan.pk])
    assert client_for(bank_officer).get(url).status_code == 404
    assert client_for(finance_user).get(url).status_code == 200


def test_the_exclusion_day_is_today_in_the_notice(loan, bureau_approver):
    loan_exclude_for_fraud(by=bureau_approver, loan=loan, reason=REASON, evidence=evidence())
    facts = dict(Notice.objects.get(kind="lenders_loan_exclusion").context["facts"])
    day = today()
    assert facts["移出日期"] == f"{day.year}年{day.month}月{day.day}日"


# --- at the same time as the claim ----------------------------------------------------------------------


@pytest.fixture
def policies(transactional_db):
    """A transactional test starts without the seeded versions and the fund's opening: put them back."""
    from tests.factories import ensure_policies

    ensure_policies()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_exclusion_and_a_claim_at_once_are_judged_one_after_the_other(
    policies, loan, bank_officer, bureau_approver
):
    """The exclusion locks the loan before it reads its state: whichever of the two comes second sees the
    first one's state and is refused; the loan ends excluded with no claim, or in claim with no exclusion."""
    loan = put_in(loan, S.NON_PERFORMING, bank_officer, bureau_approver)
    results = run_in_parallel(
        lambda: loan_exclude_for_fraud(
            by=bureau_approver, loan=CoveredLoan.objects.get(pk=loan.pk), reason=REASON, evidence=evidence()
        ),
        lambda: services.covered_loan_transition(
            by=bureau_approver, loan=CoveredLoan.objects.get(pk=loan.pk), to_state=S.IN_CLAIM
        ),
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    loan.refresh_from_db()
    notices = Notice.objects.filter(kind="lenders_loan_exclusion").count()
    if loan.status == S.EXCLUDED:
        assert notices == 1 and Blacklisting.objects.count() == 1
    else:
        assert loan.status == S.IN_CLAIM and refused[0].code == "in_compensation"
        assert notices == 0 and not Blacklisting.objects.exists()
