"""Navigation and the task inbox of each role."""

from lenders import portal, services


def titles(user):
    return [t["title"] for t in portal.tasks(user)]


def test_the_officer_sees_drafts_to_finish_and_the_supervisor_drafts_to_countersign(
    draft, bank_officer, bank_supervisor
):
    assert any("完成备案" in t for t in titles(bank_officer))
    assert any("复核报送备案" in t for t in titles(bank_supervisor))
    assert not any("复核报送备案" in t for t in titles(bank_officer))


def test_the_bureau_sees_the_queue_with_its_deadline(
    submitted, bureau_clerk, bureau_approver, bank_b_officer
):
    # Submitted: the clerk's first review is due; the approver has nothing to decide yet.
    task = next(t for t in portal.tasks(bureau_clerk) if submitted.contract_number in t["title"])
    assert task["title"].startswith("初审备案") and task["due"] == submitted.review_due_on
    assert not any(submitted.contract_number in t for t in titles(bureau_approver))
    assert titles(bank_b_officer) == []
    # First-reviewed: it leaves the clerk's inbox and is the approver's, on the same review deadline.
    reviewed = services.filing_first_review(by=bureau_clerk, filing=submitted)
    assert not any(submitted.contract_number in t for t in titles(bureau_clerk))
    task = next(t for t in portal.tasks(bureau_approver) if submitted.contract_number in t["title"])
    assert task["title"].startswith("审批备案") and task["due"] == reviewed.review_due_on
    assert reviewed.review_due_on == submitted.review_due_on
    assert titles(bank_b_officer) == []


def test_finance_is_pointed_at_overdue_and_bad_loans(loan, bank_officer, finance_user):
    from lenders import services
    from yunfu_ipfund.common.dates import today

    assert titles(finance_user) == []
    services.loan_report_overdue(by=bank_officer, loan=loan, overdue_since=today(), overdue_amount="1.00")
    assert titles(finance_user) == ["关注逾期及不良在保贷款 1 笔"]


def test_navigation_by_role(bank_officer, bureau_clerk, finance_user, enterprise_user):
    assert ("在保贷款", "/lenders/loans/") in portal.nav_items(bank_officer)
    assert ("备案审核", "/lenders/bureau/queue/") in portal.nav_items(bureau_clerk)
    assert ("合作银行", "/lenders/bureau/banks/") in portal.nav_items(finance_user)
    assert portal.nav_items(enterprise_user) == [("在保贷款", "/lenders/loans/")]


def test_the_approver_is_asked_to_decide_open_proposals(bureau_approver, finance_user, bank_a):
    import datetime as dt

    from lenders.models import SuspensionProposal

    SuspensionProposal.objects.create(bank=bank_a, grounds="x", proposed_on=dt.date(2026, 11, 26))
    assert titles(bureau_approver) == [f"暂停“{bank_a.name}”备案的建议待决定"]
    assert titles(finance_user) == []
