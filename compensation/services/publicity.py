"""The public notice (公示): approved claims are published in a batch for the policy's working days;
anyone may object (the claim goes back to second review); when the period ends without objection the
compensation is decided (run by the sweep) and committed or queued."""

from django.db import transaction

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_BUREAU_REVIEW, Role
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.common.workdays import add_workdays, is_working_day
from yunfu_ipfund.notices.reminders import reminder_resolve
from yunfu_ipfund.notices.services import register_action

from .. import actions, documents, reminders
from ..masking import mask_enterprise_name
from ..models import Claim, Objection, PublicNoticeBatch
from .common import bureau, finance, issue, move, now, policy_of, remind
from .payment import commit_or_queue

MSG_NOTHING_TO_PUBLISH = "没有待公示的拟补偿申请。"
MSG_NOT_IN_NOTICE = "该项目不在公示期内，不能提出异议。"
MSG_OBJECTION_CONTACT = "请留下联系方式（电话或电子邮箱），以便核实和答复。"
MSG_OBJECTION_CONTENT = "请填写异议内容（不超过 {limit} 字）。"
MSG_OBJECTION_NAME = "请填写姓名或单位名称（不超过 100 字）。"
MSG_PUBLICITY_RUNNING = "公示期至 {end} 结束，期满后方可作出补偿决定。"

OBJECTION_MAX_CHARS = 2000
OBJECTION_ANSWER_WORKDAYS = 5

S = Claim.Status


def publicity_period(day, workdays):
    """(first day, last day): from `day` (or the next working day) for `workdays` working days."""
    start = day if is_working_day(day) else add_workdays(day, 1)
    return start, add_workdays(start, workdays - 1)


def _masked_row(claim):
    return {
        "claim": claim.pk,
        "reference": claim.reference,
        "bank": claim.bank.name,
        "enterprise": mask_enterprise_name(claim.covered_loan.enterprise.name),
        "loan_amount": format_money(claim.covered_loan.amount),
        "proposed": format_money(claim.approved_amount),
    }


@transaction.atomic
def notice_batch_publish(*, by, claims=None):
    """Publish the approved claims (all, or those given) as one public notice batch (clerk or approver)."""
    require_perm(by, PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)
    qs = Claim.objects.select_for_update().filter(status=S.APPROVED).order_by("second_reviewed_at", "id")
    if claims is not None:
        qs = qs.filter(pk__in=[c.pk for c in claims])
    chosen = list(qs)
    if not chosen:
        raise DomainError(MSG_NOTHING_TO_PUBLISH, code="nothing_to_publish")
    # One period for the batch: the longest any of its claims' policy versions requires.
    workdays = max(policy_of(c).public_notice_workdays for c in chosen)
    start, end = publicity_period(local_today(), workdays)
    rows = [
        _masked_row(c)
        for c in Claim.objects.filter(pk__in=[c.pk for c in chosen])
        .select_related("covered_loan__enterprise", "bank")
        .order_by("second_reviewed_at", "id")
    ]
    batch = PublicNoticeBatch.objects.create(
        published_by=by,
        published_at=now(),
        starts_on=start,
        ends_on=end,
        workdays=workdays,
        rows=rows,
    )
    for c in chosen:
        c = move(c, "publish", by=by, reason=f"第 {batch.pk} 批公示", batch=batch)
        remind(
            reminders.PUBLICITY_END,
            c,
            discriminator=batch.pk,
            title=f"补偿申请 {c.reference} 公示期满（{end}）后自动作出补偿决定",
            due_date=end,
            recipient_role=Role.BUREAU_APPROVER,
            notify_workdays_before=(),
            action=reminders.ACTION_PUBLICITY_END,
        )
    context = documents.public_notice(
        rows=rows,
        start=start,
        end=end,
        workdays=workdays,
        policy_titles=sorted({policy_of(c).title for c in chosen}),
    )
    batch.notice = issue(
        documents.PUBLIC_NOTICE,
        batch,
        context,
        by=by,
        addressee=by.organisation or bureau(),
        copied_to=list(Organisation.objects.filter(pk__in={c.bank_id for c in chosen})),
    )
    batch.save(update_fields=["notice"])
    audit_record(
        by=by,
        action=actions.BATCH_PUBLISH,
        obj=batch,
        data={"claims": [c.pk for c in chosen], "ends_on": end},
    )
    return batch


@transaction.atomic
def objection_submit(*, claim, name, contact, content, ip=None):
    """Anyone objects to a claim on public notice. The claim goes back to second review at once."""
    name = (name or "").strip()
    contact = (contact or "").strip()
    content = (content or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(MSG_OBJECTION_NAME, code="name")
    if not contact or len(contact) > 100:
        raise ValidationFailed(MSG_OBJECTION_CONTACT, code="contact")
    if not content or len(content) > OBJECTION_MAX_CHARS:
        raise ValidationFailed(MSG_OBJECTION_CONTENT.format(limit=OBJECTION_MAX_CHARS), code="content")
    claim = Claim.objects.select_for_update(of=("self",)).select_related("batch").get(pk=claim.pk)
    today = local_today()
    batch = claim.batch
    on_notice = batch is not None and batch.starts_on <= today <= batch.ends_on
    if claim.status != S.PUBLIC_NOTICE or not on_notice:
        raise DomainError(MSG_NOT_IN_NOTICE, code="not_in_notice")
    objection = Objection.objects.create(
        batch=batch, claim=claim, name=name, contact=contact, content=content, ip=ip
    )
    audit_record(
        by=None,
        action=actions.OBJECTION_RECEIVE,
        obj=claim,
        reason=content[:300],
        data={"objection": objection.pk},
    )
    reminder_resolve(kind=reminders.PUBLICITY_END, about=claim, discriminator=batch.pk)
    claim = move(
        claim,
        "return_on_objection",
        by=None,
        reason=content[:300],
        outcome="",
        second_reviewer=None,
        second_reviewed_at=None,
    )
    remind(
        reminders.OBJECTION,
        claim,
        title=f"补偿申请 {claim.reference} 公示期间收到异议，请复核",
        due_date=add_workdays(today, OBJECTION_ANSWER_WORKDAYS),
        recipient_role=Role.BUREAU_APPROVER,
    )
    return objection


@register_action(reminders.ACTION_PUBLICITY_END)
def _publicity_end_action(reminder):
    claim = Claim.objects.filter(pk=reminder.subject_id).first()
    if claim is None or claim.status != S.PUBLIC_NOTICE:
        return True
    claim_decide(by=None, claim=claim)
    return True


@transaction.atomic
def claim_decide(*, by, claim):
    """The public notice ended without objection: the compensation decision (normally run by the sweep)."""
    claim = Claim.objects.select_related("batch", "covered_loan__enterprise", "bank").get(pk=claim.pk)
    today = local_today()
    if claim.batch is not None and today <= claim.batch.ends_on:
        raise DomainError(MSG_PUBLICITY_RUNNING.format(end=claim.batch.ends_on), code="publicity_running")
    policy = policy_of(claim)
    payment_due = add_workdays(today, policy.payment_workdays)
    claim = move(
        claim, "decide", by=by, reason="公示期满无异议", decided_at=now(), payment_due_on=payment_due
    )
    context = documents.decision(claim, policy=policy, computation=claim.computation, batch=claim.batch)
    issue(documents.DECISION, claim, context, by=by, addressee=claim.bank, copied_to=[finance()])
    commit_or_queue(claim, by=by)
    return Claim.objects.get(pk=claim.pk)
