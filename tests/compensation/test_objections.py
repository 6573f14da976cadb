"""Public-notice objections (Rulings, December 2026): a real name, a contact that can be checked and a
substantive text; limited per claim and per client; the clerk rules them founded or unfounded. Only a
founded objection sends the claim back to second review; an unfounded one is answered and the period
runs on. No to-do outlives what it was about."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from compensation import reminders, services
from compensation.models import Claim, Objection, PublicNoticeBatch
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.reminders import open_reminders

from .conftest import make_loan

S = Claim.Status
GOOD = {"name": "张三", "contact": "13800000000", "content": "该企业质押的专利已于去年转让他人，请核实。"}
PUBLIC = reverse("compensation:public_list")


def object_to(claim, **overrides):
    return services.objection_submit(claim=claim, **{**GOOD, **overrides})


def at(day, hour=9):
    moment = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


MONDAY = dt.date(2026, 11, 16)


def published_on_monday(flow, loan):
    """A claim published on Monday 16 Nov 2026 (its loan made that day too)."""
    with at(MONDAY):
        claim = flow.published(make_loan(loan.bank, loan.enterprise, flow.officer))
    assert claim.batch.starts_on == MONDAY
    return claim


def row_of(listing, batch):
    return listing.split(f"第 {batch.pk} 批</a>")[1].split("</tr>")[0]


# --- what an objection needs ------------------------------------------------------------------------


def test_an_anonymous_objection_with_contact_abc_changes_nothing(flow, loan):
    claim = flow.published(loan)
    batch = claim.batch
    with pytest.raises(ValidationFailed):
        services.objection_submit(claim=claim, name="anonymous", contact="abc", content="有异议")
    with pytest.raises(ValidationFailed) as refused:
        services.objection_submit(claim=claim, name="张三", contact="abc", content="有异议")
    assert refused.value.code == "contact"
    claim.refresh_from_db()
    assert claim.status == S.PUBLIC_NOTICE and claim.batch_id == batch.pk
    assert PublicNoticeBatch.objects.get(pk=batch.pk).ends_on == batch.ends_on
    assert Objection.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "张", "name"),  # one character
        ("name", "张" * 21, "name"),  # one over twenty
        ("name", "Zhang San", "name"),
        ("name", "张三1", "name"),
        ("contact", "1380000000", "contact"),  # ten digits
        ("contact", "138000000001", "contact"),  # twelve
        ("contact", "12800000000", "contact"),  # 12x is no mainland mobile prefix
        ("contact", "zhangsan@", "contact"),
        ("content", "有异议", "content"),
        ("content", "字" * (services.OBJECTION_MIN_CHARS - 1), "content"),
        ("content", "字" * (services.OBJECTION_MAX_CHARS + 1), "content"),
    ],
)
def test_an_objection_is_refused_without_a_real_name_a_valid_contact_or_a_substantive_text(
    flow, loan, field, value, code
):
    claim = flow.published(loan)
    with pytest.raises(ValidationFailed) as refused:
        object_to(claim, **{field: value})
    assert refused.value.code == code
    assert Objection.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "张三"),
        ("name", "张" * 20),
        ("name", "阿依古丽·买买提"),
        ("contact", "19912345678"),
        ("contact", "zhangsan@example.com"),
        ("content", "字" * services.OBJECTION_MIN_CHARS),
        ("content", "字" * services.OBJECTION_MAX_CHARS),
    ],
)
def test_an_objection_at_each_boundary_is_received(flow, loan, field, value):
    claim = flow.published(loan)
    object_to(claim, **{field: value})
    assert Objection.objects.get().outcome == Objection.Outcome.PENDING


def test_a_received_objection_goes_to_the_clerk_and_the_claim_stays_on_notice(flow, loan, policy):
    claim = flow.published(loan)
    batch = claim.batch
    objection = object_to(claim, ip="10.0.0.1")
    claim.refresh_from_db()
    assert claim.status == S.PUBLIC_NOTICE and claim.batch_id == batch.pk
    todo = open_reminders(kind=reminders.OBJECTION, about=claim, discriminator=objection.pk).get()
    assert todo.recipient_role == "bureau_clerk"
    assert todo.due_date == add_workdays(batch.ends_on, policy.decision_workdays)
    # The decision reminder for the approver is untouched.
    assert open_reminders(kind=reminders.PUBLICITY_END, about=claim).count() == 1


def test_the_public_form_refuses_an_anonymous_objection_with_400_and_keeps_the_claim(client, flow, loan):
    claim = flow.published(loan)
    url = claim.batch.get_absolute_url()
    response = client.post(url, {"claim": claim.pk, "name": "匿", "contact": "abc", "content": "有异议"})
    assert response.status_code == 400
    assert "真实姓名" in response.content.decode()
    ok = client.post(url, {"claim": claim.pk, **GOOD})
    assert ok.status_code == 302
    claim.refresh_from_db()
    assert claim.status == S.PUBLIC_NOTICE and Objection.objects.count() == 1


# --- limits -----------------------------------------------------------------------------------------


def test_objections_per_client_are_limited_by_contact_or_address(flow, loan, policy):
    policy.objection_limit_per_client = 2
    policy.save()
    claim = flow.published(loan)
    object_to(claim, ip="10.0.0.1")
    object_to(claim, ip="10.0.0.2")  # the same contact, a second time: at the limit, received
    with pytest.raises(DomainError) as refused:
        object_to(claim, ip="10.0.0.3")
    assert refused.value.code == "objection_limit_client" and "（2 件）" in refused.value.message
    # Another contact from an address already used twice... once is fine, the address counts too.
    object_to(claim, contact="lisi@example.com", ip="10.0.0.9")
    object_to(claim, contact="wangwu@example.com", ip="10.0.0.9")
    with pytest.raises(DomainError, match="同一提出人"):
        object_to(claim, contact="zhaoliu@example.com", ip="10.0.0.9")
    assert Objection.objects.count() == 4


def test_objections_per_claim_are_limited(flow, loan, policy):
    policy.objection_limit_per_claim = 3
    policy.save()
    claim = flow.published(loan)
    for n in range(3):
        object_to(claim, contact=f"1380000000{n}", ip=f"10.0.0.{n}")
    with pytest.raises(DomainError) as refused:
        object_to(claim, contact="13900000009", ip="10.0.1.1")
    assert refused.value.code == "objection_limit_claim" and "（3 件）" in refused.value.message
    assert Objection.objects.count() == 3


# --- the clerk's ruling -----------------------------------------------------------------------------


def test_an_unfounded_objection_is_answered_and_the_period_runs_on(
    flow, loan, django_capture_on_commit_callbacks
):
    claim = flow.published(loan)
    batch = claim.batch
    objection = object_to(claim, contact="zhangsan@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_rule(
            by=flow.clerk, objection=objection, outcome="unfounded", reason="经核实，专利仍在质押登记中。"
        )
    objection.refresh_from_db()
    assert objection.outcome == "unfounded" and objection.answered_by == flow.clerk
    claim.refresh_from_db()
    assert claim.status == S.PUBLIC_NOTICE and claim.batch_id == batch.pk
    assert PublicNoticeBatch.objects.get(pk=batch.pk).ends_on == batch.ends_on
    assert not open_reminders(kind=reminders.OBJECTION, about=claim).exists()
    assert open_reminders(kind=reminders.PUBLICITY_END, about=claim).count() == 1
    event = AuditEvent.objects.get(code="compensation.objection.rule.unfounded")
    assert event.actor == flow.clerk and event.reason == "经核实，专利仍在质押登记中。"
    # The ruling is in the claim's own trail (the 操作记录 of the claim page), naming the objection.
    assert (event.object_id, event.data["objection"]) == (str(claim.pk), objection.pk)
    assert event in trail_for(claim)
    (answer,) = mail.outbox
    assert answer.to == ["zhangsan@example.com"] and "不成立" in answer.body
    assert "经核实，专利仍在质押登记中。" in answer.body


def test_a_ruling_needs_the_clerk_a_reason_and_is_made_once(flow, loan, bank_officer):
    claim = flow.published(loan)
    objection = object_to(claim)
    for who in (flow.approver, bank_officer, None):
        with pytest.raises(Forbidden):
            services.objection_rule(by=who, objection=objection, outcome="unfounded", reason="不成立")
    with pytest.raises(ValidationFailed):
        services.objection_rule(by=flow.clerk, objection=objection, outcome="unfounded", reason=" ")
    with pytest.raises(ValidationFailed):
        services.objection_rule(by=flow.clerk, objection=objection, outcome="maybe", reason="理由")
    services.objection_rule(by=flow.clerk, objection=objection, outcome="unfounded", reason="不成立")
    with pytest.raises(Conflict, match="不能重复认定"):
        services.objection_rule(by=flow.clerk, objection=objection, outcome="founded", reason="成立")
    assert Claim.objects.get(pk=claim.pk).status == S.PUBLIC_NOTICE


def test_a_founded_objection_sends_the_claim_back_due_objection_review_workdays(flow, loan, policy):
    policy.objection_review_workdays = 3
    policy.save()
    claim = published_on_monday(flow, loan)
    with at(MONDAY):
        objection = object_to(claim)
    thursday = dt.date(2026, 11, 19)
    with at(thursday):
        services.objection_rule(by=flow.clerk, objection=objection, outcome="founded", reason="专利已转让")
    claim.refresh_from_db()
    assert claim.status == S.FIRST_REVIEWED and claim.second_reviewer is None
    # Three working days after Thursday 19 Nov: Fri 20, Mon 23, Tue 24 (not 5 days, not 25 Nov).
    assert claim.review_due_on == dt.date(2026, 11, 24)
    todo = open_reminders(kind=reminders.SECOND_REVIEW, about=claim).get()
    assert todo.due_date == dt.date(2026, 11, 24) and todo.recipient_role == "bureau_approver"
    assert not open_reminders(kind=reminders.PUBLICITY_END, about=claim).exists()
    assert not open_reminders(kind=reminders.OBJECTION, about=claim).exists()
    moved = AuditEvent.objects.get(code="compensation.claim.return_on_objection")
    assert moved.actor == flow.clerk and "专利已转让" in moved.reason


def test_after_a_founded_objection_the_old_batch_no_longer_shows_as_running(client, flow, loan):
    monday = MONDAY
    claim = published_on_monday(flow, loan)
    with at(monday):
        old = claim.batch
        objection = object_to(claim)
        services.objection_rule(by=flow.clerk, objection=objection, outcome="founded", reason="专利已转让")
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="核减后维持")
        new = services.notice_batch_publish(by=flow.clerk, claims=[claim])
        assert not open_reminders(kind=reminders.SECOND_REVIEW, about=claim).exists()
        old.refresh_from_db()
        assert old.state_on(monday) == PublicNoticeBatch.State.WITHDRAWN
        assert new.state_on(monday) == PublicNoticeBatch.State.RUNNING
        listing = client.get(PUBLIC).content.decode()
        assert "公示中" not in row_of(listing, old) and "已撤回" in row_of(listing, old)
        assert "公示中" in row_of(listing, new)
        detail = client.get(old.get_absolute_url()).content.decode()
        assert "已撤回公示（异议成立，重新复审）" in detail and "提出异议</h2>" not in detail
    # One open decision to-do, for the new batch only.
    (todo,) = open_reminders(kind=reminders.PUBLICITY_END, about=claim)
    assert todo.discriminator == str(new.pk)


def test_no_objection_to_do_survives_the_payment(flow, loan):
    claim = flow.published(loan)
    objection = object_to(claim)
    services.objection_rule(by=flow.clerk, objection=objection, outcome="unfounded", reason="不成立")
    claim = services.claim_confirm_payment(
        by=flow.finance,
        claim=services.claim_instruct_payment(by=flow.approver, claim=make_decided(flow, claim)),
        voucher="ZF-0009",
    )
    assert claim.status == S.PAID
    stale = open_reminders(about=claim).filter(
        kind__in=[reminders.OBJECTION.code, reminders.PUBLICITY_END.code, reminders.SECOND_REVIEW.code]
    )
    assert not stale.exists()


def make_decided(flow, claim):
    from tests.factories import decide_after_publicity

    return decide_after_publicity(claim, by=flow.approver)


def test_the_clerk_rules_from_the_claim_page(client_for, flow, loan, bank_officer, bank_b_officer):
    claim = flow.published(loan)
    objection = object_to(claim)
    url = reverse("compensation:claim_action", args=[claim.pk, "rule_objection"])
    page = client_for(flow.clerk).get(claim.get_absolute_url()).content.decode()
    assert "记录认定" in page
    assert "记录认定" not in client_for(flow.approver).get(claim.get_absolute_url()).content.decode()
    data = {"objection": objection.pk, "outcome": "unfounded", "reason": "经核实不成立"}
    assert client_for(flow.approver).post(url, data).status_code == 403
    assert client_for(bank_officer).post(url, data).status_code == 403  # the claim's own bank
    assert client_for(bank_b_officer).post(url, data).status_code == 404
    assert client_for(flow.clerk).post(url, {**data, "objection": 99999}).status_code == 404
    assert client_for(flow.clerk).post(url, data).status_code == 302
    assert client_for(flow.clerk).post(url, data).status_code == 409
    assert Objection.objects.get().outcome == "unfounded"


def test_a_late_objection_is_refused_after_the_period(flow, loan):
    claim = flow.published(loan)
    with at(add_workdays(claim.batch.ends_on, 1)):
        with pytest.raises(DomainError, match="不在公示期内"):
            object_to(claim)
    assert today()  # the real clock is untouched


def test_the_public_notice_tells_the_public_what_an_objection_needs(flow, loan):
    """The 公示 states the rules the objection form enforces (real name, mobile or e-mail, a text of at
    least Objection.MIN_CHARS characters), not a looser "姓名或单位及联系方式"."""
    from yunfu_ipfund.notices.models import Notice

    claim = flow.published(loan)
    notice = Notice.objects.filter(kind="claim_public_notice").latest("id")
    text = str(notice.context)
    assert "真实姓名（中文）、有效的手机号码或电子邮箱" in text and f"不少于 {Objection.MIN_CHARS} 字" in text
    assert "或单位" not in text and claim.batch_id
