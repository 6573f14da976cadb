"""To-dos you can trust (issue 14 item 1): one list per user, built by `accounts.context_processors.tasks_for`
from each app's open steps (portal.py) and the open reminders, shown the same on the home page and the
to-do page; overdue items marked and first; the record's own deadline; far-future reminders apart."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from applications.models import EnterpriseProfile
from compensation import reminders as compensation_reminders
from fund.services.reconciliation import period_create
from tests.factories import Flow, admit, make_non_performing_loan, make_profile
from yunfu_ipfund.accounts.context_processors import tasks_for
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.notices.models import Reminder


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ROW = re.compile(
    r"<tr( class=\"overdue\")?>\s*<td>(?:<a href=\"[^\"]*\">)?([^<]+)(?:</a>)?</td>"
    r"\s*<td>[^<]*</td>\s*<td>(.*?)</td>",
    re.S,
)


def rows(html):
    """(overdue, title, due cell) of each to-do row, in page order."""
    return [
        (bool(m.group(1)), m.group(2).strip(), re.sub(r"<[^>]+>", "", m.group(3)).split())
        for m in ROW.finditer(html)
    ]


def pages(client_for, user):
    client = client_for(user)
    home = client.get(reverse("accounts:home"))
    todo = client.get(reverse("accounts:tasks"))
    assert home.status_code == todo.status_code == 200
    return home.content.decode(), todo.content.decode()


# Overdue marked and first ----------------------------------------------------------------------------


def test_an_overdue_reconciliation_item_is_marked_and_listed_first_on_both_pages(client_for, finance_user):
    day = today()
    period_create(
        by=finance_user,
        start=day - dt.timedelta(days=5),
        end=day + dt.timedelta(days=5),
        opening_balance="0",
        closing_balance="0",
    )
    late_end = day - dt.timedelta(days=62)
    period_create(
        by=finance_user,
        start=late_end - dt.timedelta(days=29),
        end=late_end,
        opening_balance="0",
        closing_balance="0",
    )
    for html in pages(client_for, finance_user):
        listed = rows(html)
        assert listed[0][0] is True, listed
        assert listed[0][2] == [f"{late_end:%Y-%m-%d}", "已逾期"]
        assert f"{late_end:%Y-%m-%d}" in listed[0][1]
        assert all(not overdue for overdue, _t, _d in listed[1:])
        assert '<tr class="overdue">' in html and "已逾期" in html


def test_overdue_items_come_before_items_without_a_deadline(finance_user):
    class Source:
        @staticmethod
        def tasks(user):
            return [
                {"title": "无期限", "url": "/x/", "due": None, "kind": "k", "overdue": False},
                {
                    "title": "明天",
                    "url": "/y/",
                    "due": today() + dt.timedelta(days=1),
                    "kind": "k",
                    "overdue": False,
                },
                {
                    "title": "昨天",
                    "url": "/z/",
                    "due": today() - dt.timedelta(days=1),
                    "kind": "k",
                    "overdue": False,
                },
            ]

    from yunfu_ipfund.accounts import context_processors

    original = context_processors.portal_modules
    context_processors.portal_modules = lambda: [Source]
    try:
        listed = context_processors.tasks_for(finance_user)
    finally:
        context_processors.portal_modules = original
    titles = [t["title"] for t in listed if t["url"] in ("/x/", "/y/", "/z/")]
    assert titles == ["昨天", "明天", "无期限"]
    assert [t["overdue"] for t in listed if t["title"] == "昨天"] == [True]


# The record's own deadline ---------------------------------------------------------------------------


@pytest.fixture
def personas(
    bank_a,
    enterprise_a,
    enterprise_user,
    bank_officer,
    bank_supervisor,
    bureau_clerk,
    bureau_approver,
    finance_user,
    bureau,
    finance_bureau,
):
    return dict(
        officer=bank_officer,
        supervisor=bank_supervisor,
        clerk=bureau_clerk,
        approver=bureau_approver,
        finance=finance_user,
        enterprise=enterprise_user,
    )


@pytest.fixture
def flow(personas):
    p = personas
    return Flow(p["officer"], p["supervisor"], p["clerk"], p["approver"], p["finance"])


def test_the_instruct_todo_shows_the_claims_payment_deadline_not_an_earlier_reminder(
    client_for, bank_a, enterprise_a, personas, flow
):
    claim = flow.decided(make_non_performing_loan(bank_a, enterprise_a, personas["officer"]))
    due = claim.payment_due_on
    # Another open reminder about the same claim with an earlier date (a reminder row counted apart from
    # the claim's field): before, the to-do line took the earliest date of any reminder about the record.
    reminder = Reminder.objects.get(kind=compensation_reminders.INSTRUCT.code, resolved_at__isnull=True)
    Reminder.objects.filter(pk=reminder.pk).update(due_date=due - dt.timedelta(days=14))
    title = f"下达补偿申请 {claim.reference} 的拨付通知"
    [task] = [t for t in tasks_for(personas["approver"]) if t["title"] == title]
    assert task["due"] == due
    for html in pages(client_for, personas["approver"]):
        assert [d for _o, t, d in rows(html) if t == title] == [[f"{due:%Y-%m-%d}"]]


# The right person gets a line when a record comes back ----------------------------------------------


def test_the_supervisor_has_the_countersign_of_a_supplemented_claim_on_both_pages(
    client_for, bank_a, enterprise_a, personas, flow
):
    from compensation import services as cs

    claim = flow.submitted(make_non_performing_loan(bank_a, enterprise_a, personas["officer"]))
    claim = cs.claim_request_supplement(
        by=personas["clerk"], claim=claim, items=[{"code": "D01", "note": "补充"}]
    )
    due = claim.supplements.get().due_on
    title = f"复核补充材料并重新提交补偿申请 {claim.reference}"
    for html in pages(client_for, personas["supervisor"]):
        assert "共 0 项" not in html
        assert [d for _o, t, d in rows(html) if t == title] == [[f"{due:%Y-%m-%d}"]]


# Far-future reminders apart ----------------------------------------------------------------------------


def test_far_future_reminders_are_collapsed_under_later_reminders(
    client_for, bank_a, bank_b, bureau_approver
):
    day = today()
    admit(bank_a, bureau_approver, agreement_valid_to=day + dt.timedelta(days=700))
    admit(bank_b, bureau_approver, agreement_valid_to=day + dt.timedelta(days=20))
    for html in pages(client_for, bureau_approver):
        near, _sep, later = html.partition('<details class="later-tasks">')
        assert "<summary>以后的提醒（1 项）</summary>" in later
        assert "已逾期及 30 天内即将到期的事项" in near
        assert bank_a.name in later and bank_a.name not in near
        assert bank_b.name in near and bank_b.name not in later
        assert f"{day + dt.timedelta(days=700):%Y-%m-%d}" in later


# A new enterprise is pointed to its profile ----------------------------------------------------------


def test_an_enterprise_without_a_complete_profile_is_pointed_to_its_profile(
    client_for, enterprise_a, enterprise_user
):
    edit = reverse("applications:profile_edit")
    for html in pages(client_for, enterprise_user):
        assert "目前没有需要您处理的事项" not in html
        assert f'<a href="{edit}">完善企业信息</a>' in html
    profile = make_profile(enterprise_a, employees=None)
    assert [t["title"] for t in tasks_for(enterprise_user)] == ["完善企业信息"]
    EnterpriseProfile.objects.filter(pk=profile.pk).update(employees=50)
    for html in pages(client_for, enterprise_user):
        assert "完善企业信息" not in html
        assert "目前没有需要您处理的事项" in html


# The same list on both pages --------------------------------------------------------------------------


def test_the_home_page_and_the_todo_page_list_the_same_items_with_the_same_deadlines(
    client_for, bank_a, bank_officer, bank_supervisor, bureau_approver, enterprise_a, enterprise_user
):
    from tests.factories import make_filing, make_registration

    admit(bank_a, bureau_approver)
    make_profile(enterprise_a)
    for _ in range(12):
        make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
    home, todo = pages(client_for, bank_supervisor)
    assert len(rows(home)) == 12
    assert rows(home) == rows(todo)
    assert "（共 12 项）" in home


# The walks: after every step, exactly who has which to-dos -------------------------------------------


def titles(personas):
    return {name: [t["title"] for t in tasks_for(user)] for name, user in personas.items()}


def nobody(**having):
    base = {name: [] for name in ("officer", "supervisor", "clerk", "approver", "finance", "enterprise")}
    return {**base, **having}


def test_a_claims_walk_gives_each_step_to_the_right_people(bank_a, enterprise_a, personas, flow):
    from compensation import services as cs

    p = personas
    loan = make_non_performing_loan(bank_a, enterprise_a, p["officer"])
    watch = "关注逾期及不良在保贷款 1 笔"
    assert titles(p) == nobody(finance=[watch])
    claim = flow.draft(loan)
    ref = claim.reference
    assert titles(p) == nobody(supervisor=[f"复核并提交补偿申请 {ref}"], finance=[watch])
    claim = cs.claim_submit(by=p["supervisor"], claim=claim)
    assert titles(p) == nobody(clerk=[f"受理补偿申请 {ref}"])
    claim = cs.claim_request_supplement(by=p["clerk"], claim=claim, items=[{"code": "D01", "note": "补充"}])
    assert titles(p) == nobody(
        officer=[f"补充补偿申请 {ref} 的材料"], supervisor=[f"复核补充材料并重新提交补偿申请 {ref}"]
    )
    claim = cs.claim_submit(by=p["supervisor"], claim=claim)
    assert titles(p) == nobody(clerk=[f"受理补偿申请 {ref}"])
    claim = cs.claim_accept(by=p["clerk"], claim=claim)
    assert titles(p) == nobody(clerk=[f"初审补偿申请 {ref}"])
    claim = cs.claim_first_review(
        by=p["clerk"],
        claim=claim,
        opinion="材料齐全，符合补偿条件",
        rule_opinions={"claim_window": "在期限内"},
    )
    assert titles(p) == nobody(approver=[f"复审补偿申请 {ref}"])
    assert not cs.policy_of(claim).requires_joint_meeting
    claim = cs.claim_approve(by=p["approver"], claim=claim, reason="符合条件")
    assert titles(p) == nobody(clerk=[f"公示补偿申请 {ref}（拟补偿）"])
    cs.notice_batch_publish(by=p["clerk"], claims=[claim])
    claim.refresh_from_db()
    [publicity] = titles(p)["approver"]
    assert publicity.startswith(f"补偿申请 {ref} 公示期至 {claim.batch.ends_on:%Y-%m-%d} 届满")
    assert titles(p) == nobody(approver=[publicity])
    claim = flow_decide(claim, p["approver"])
    assert titles(p) == nobody(approver=[f"下达补偿申请 {ref} 的拨付通知"])
    claim = cs.claim_instruct_payment(by=p["approver"], claim=claim)
    assert titles(p) == nobody(finance=[f"确认拨付补偿申请 {ref}"])
    cs.claim_confirm_payment(by=p["finance"], claim=claim, voucher="ZF-0001")
    assert titles(p) == nobody(officer=[f"请报告补偿申请 {ref} 本季度的追偿进展"])


def flow_decide(claim, approver):
    from tests.factories import decide_after_publicity

    return decide_after_publicity(claim, by=approver)


def test_a_filings_walk_gives_each_step_to_the_right_people(bank_a, enterprise_a, personas):
    from lenders import services as ls
    from tests.factories import make_filing, make_registration

    p = personas
    admit(bank_a, p["approver"])
    make_profile(enterprise_a)
    [expiry] = titles(p)["approver"]
    assert expiry.startswith(f"{bank_a.name} 合作协议") and expiry.endswith("到期")
    assert titles(p) == nobody(approver=[expiry])
    f = make_filing(p["officer"], make_registration(enterprise_a, bank_a, p["enterprise"]))
    what = f"{f.enterprise.name} {f.contract_number}"
    assert titles(p) == nobody(
        officer=[f"完成备案：{what}"], supervisor=[f"复核报送备案：{what}"], approver=[expiry]
    )
    f = ls.filing_submit(by=p["supervisor"], filing=f)
    assert titles(p) == nobody(clerk=[f"初审备案：{bank_a.name} {what}"], approver=[expiry])
    f = ls.filing_return(by=p["clerk"], filing=f, reasons=["放款凭证不清晰"])
    returned = nobody(officer=[f"补正备案：{what}"], supervisor=[f"复核报送备案：{what}"], approver=[expiry])
    assert titles(p) == returned
    f = ls.filing_update(by=p["officer"], filing=f, annual_rate="3.8")
    assert titles(p) == returned
    f = ls.filing_submit(by=p["supervisor"], filing=f)
    assert titles(p) == nobody(clerk=[f"初审备案：{bank_a.name} {what}"], approver=[expiry])
    f = ls.filing_first_review(by=p["clerk"], filing=f)
    assert titles(p) == nobody(approver=[f"审批备案：{bank_a.name} {what}", expiry])
    f = ls.filing_confirm(by=p["approver"], filing=f)
    assert titles(p) == nobody(
        officer=[f"贷款到期：{f.enterprise.name} 借款合同 {f.contract_number}"], approver=[expiry]
    )
