"""The public notice (公示), its objections and the decision (Rulings, December 2026).

- Approved claims are published in a batch for the policy's working days.
- Anyone may object during the period, with a real name, a mobile number or e-mail that can be checked,
  and a substantive text; objections are limited per claim and per client (same contact or address).
  An objection changes nothing by itself: it goes to the bureau clerk as a to-do.
- The clerk rules it founded (成立) or unfounded (不成立), with a reason (audited). Only a founded
  objection withdraws the claim from the batch and sends it back to second review (due
  `objection_review_workdays`); an unfounded one is answered and the period runs on unchanged.
- When the period has ended and no objection awaits a ruling, the bureau approver decides (a button on
  the claim page). The sweep only reminds the approver, and escalates once `decision_workdays` working
  days after the period have passed; it never decides.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, Max, OuterRef

from fund.locks import lock_fund
from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_BUREAU_REVIEW, Role
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import Conflict, DomainError, ValidationFailed
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.common.workdays import add_workdays, is_working_day
from yunfu_ipfund.notices.reminders import reminder_resolve
from yunfu_ipfund.notices.services import TASK_SEND_EMAIL, enqueue_after_commit, register_action

from .. import actions, documents, reminders
from ..masking import mask_enterprise_name
from ..models import Claim, Objection, PublicNoticeBatch
from .common import bureau, finance, issue, move, now, policy_of, remind
from .payment import commit_or_queue

MSG_NOTHING_TO_PUBLISH = "没有待公示的拟补偿申请。"
MSG_PUBLISH_DAY = "公示发布日期不能晚于今天（{today}）。"
MSG_NOT_IN_NOTICE = "该项目不在公示期内，不能提出异议。"
MSG_OBJECTION_NAME = "请填写真实姓名（2至20个汉字，可含间隔号“·”），以便核实。"
MSG_OBJECTION_CONTACT = "请留下有效的联系方式：中国大陆手机号码（11位，1开头）或电子邮箱，以便核实和答复。"
MSG_OBJECTION_CONTENT = (
    "请具体写明异议的事实和理由（{minimum}至{limit}字），例如涉及哪项材料、与事实有何不符。"
)
MSG_OBJECTION_LIMIT_CLAIM = (
    "该项目本期公示已受理异议 {count} 件，已达适用办法规定的每项申请受理异议上限（{limit} 件），"
    "不再受理新的异议。"
)
MSG_OBJECTION_LIMIT_CLIENT = (
    "您（同一联系方式或同一网络地址）已对该项目提出异议 {count} 件，已达适用办法规定的"
    "同一提出人异议上限（{limit} 件）。我局将逐件核实并答复。"
)
MSG_RULING_OUTCOME = "请选择异议认定结论：成立或不成立。"
MSG_RULING_REASON = "请填写认定理由（不超过 {limit} 字），该理由将答复异议人并记入操作记录。"
MSG_ALREADY_RULED = "该异议已于 {at} 认定为“{outcome}”，不能重复认定。"
MSG_PUBLICITY_RUNNING = "公示期至 {end} 结束，期满后方可作出补偿决定。"
MSG_OBJECTION_PENDING = (
    "该申请公示期间收到的异议尚有 {count} 件待市监局经办人员认定（成立或不成立），"
    "全部认定后方可作出补偿决定。"
)

OBJECTION_MIN_CHARS = Objection.MIN_CHARS
OBJECTION_MAX_CHARS = Objection.MAX_CHARS
RULING_MAX_CHARS = 2000
MOBILE = re.compile(r"1[3-9]\d{9}")
# A real name in Chinese characters, with the middle dot of minority and transliterated names.
CHINESE_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+(?:[·•][\u3400-\u4dbf\u4e00-\u9fff]+)*")

S = Claim.Status
O = Objection.Outcome  # noqa: E741


def publicity_period(day, workdays):
    """(first day, last day): from `day` (or the next working day) for `workdays` working days."""
    start = day if is_working_day(day) else add_workdays(day, 1)
    return start, add_workdays(start, workdays - 1)


def decision_due(batch, policy):
    """The approver's decision is due `decision_workdays` working days after the period ended."""
    return add_workdays(batch.ends_on, policy.decision_workdays)


def _masked_row(claim):
    return {
        "claim": claim.pk,
        "reference": claim.reference,
        "bank": claim.bank.name,
        "enterprise": mask_enterprise_name(claim.covered_loan.enterprise.name),
        "loan_amount": format_money(claim.covered_loan.amount),
        "proposed": format_money(claim.approved_amount),
    }


def _schedule_decision(claim, batch):
    policy = policy_of(claim)
    due = decision_due(batch, policy)
    remind(
        reminders.PUBLICITY_END,
        claim,
        discriminator=batch.pk,
        title=(
            f"补偿申请 {claim.reference} 公示期至 {batch.ends_on:%Y-%m-%d} 届满，"
            f"期满后请作出补偿决定（{due:%Y-%m-%d} 前）"
        ),
        due_date=due,
        recipient_role=Role.BUREAU_APPROVER,
        # From the first working day after the period, and on the due day; escalated after it.
        notify_workdays_before=(policy.decision_workdays - 1,),
    )


@transaction.atomic
def notice_batch_publish(*, by, claims=None, on=None):
    """Publish the approved claims (all, or those given) as one public notice batch (clerk or approver).

    `on`: the day of publication when it is not today; only the demo seed gives it (a notice period that
    has already ended). The audit trail records that day beside the real time of the record."""
    require_perm(by, PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)
    today = local_today()
    day = today if on is None else on
    if day > today:
        raise ValidationFailed(MSG_PUBLISH_DAY.format(today=today), code="publish_day")
    qs = Claim.objects.select_for_update().filter(status=S.APPROVED).order_by("second_reviewed_at", "id")
    if claims is not None:
        qs = qs.filter(pk__in=[c.pk for c in claims])
    chosen = list(qs)
    if not chosen:
        raise DomainError(MSG_NOTHING_TO_PUBLISH, code="nothing_to_publish")
    # One period for the batch: the longest any of its claims' policy versions requires.
    workdays = max(policy_of(c).public_notice_workdays for c in chosen)
    start, end = publicity_period(day, workdays)
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
    stated = "" if on is None else f"，发布日 {day:%Y-%m-%d}（补录）"
    for c in chosen:
        c = move(c, "publish", by=by, reason=f"第 {batch.pk} 批公示{stated}", batch=batch)
        _schedule_decision(c, batch)
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
    data = {"claims": [c.pk for c in chosen], "starts_on": start, "ends_on": end}
    if on is not None:
        data["published_on"] = day
    audit_record(by=by, action=actions.BATCH_PUBLISH, obj=batch, reason=stated.lstrip("，"), data=data)
    return batch


# --- objections -------------------------------------------------------------------------------------


def _clean_objection(name, contact, content):
    name = (name or "").strip()
    contact = (contact or "").strip()
    content = (content or "").strip()
    if not (2 <= len(name) <= 20 and CHINESE_NAME.fullmatch(name)):
        raise ValidationFailed(MSG_OBJECTION_NAME, code="name")
    email = ""
    if not MOBILE.fullmatch(contact):
        try:
            validate_email(contact)
        except ValidationError:
            raise ValidationFailed(MSG_OBJECTION_CONTACT, code="contact") from None
        email = contact
    if not OBJECTION_MIN_CHARS <= len(content) <= OBJECTION_MAX_CHARS:
        raise ValidationFailed(
            MSG_OBJECTION_CONTENT.format(minimum=OBJECTION_MIN_CHARS, limit=OBJECTION_MAX_CHARS),
            code="content",
        )
    return name, contact, content, email


def objection_email(objection):
    """The objector's e-mail address, or "" when they left a mobile number."""
    return "" if MOBILE.fullmatch(objection.contact) else objection.contact


@transaction.atomic
def objection_submit(*, claim, name, contact, content, ip=None):
    """Anyone objects to a claim on public notice. It goes to the clerk; the claim stays on notice."""
    name, contact, content, _email = _clean_objection(name, contact, content)
    claim = Claim.objects.select_for_update(of=("self",)).select_related("batch").get(pk=claim.pk)
    today = local_today()
    batch = claim.batch
    on_notice = batch is not None and batch.starts_on <= today <= batch.ends_on
    if claim.status != S.PUBLIC_NOTICE or not on_notice:
        raise DomainError(MSG_NOT_IN_NOTICE, code="not_in_notice")
    policy = policy_of(claim)
    received = Objection.objects.filter(claim=claim, batch=batch)
    count = received.count()
    if count >= policy.objection_limit_per_claim:
        raise DomainError(
            MSG_OBJECTION_LIMIT_CLAIM.format(count=count, limit=policy.objection_limit_per_claim),
            code="objection_limit_claim",
        )
    same_client = [o for o in received if o.contact.lower() == contact.lower() or (ip and o.ip == ip)]
    if len(same_client) >= policy.objection_limit_per_client:
        raise DomainError(
            MSG_OBJECTION_LIMIT_CLIENT.format(
                count=len(same_client), limit=policy.objection_limit_per_client
            ),
            code="objection_limit_client",
        )
    objection = Objection.objects.create(
        batch=batch, claim=claim, name=name, contact=contact, content=content, ip=ip
    )
    audit_record(
        by=None,
        action=actions.OBJECTION_RECEIVE,
        obj=claim,
        reason=content[:300],
        data={"objection": objection.pk, "batch": batch.pk},
    )
    remind(
        reminders.OBJECTION,
        claim,
        discriminator=objection.pk,
        title=f"补偿申请 {claim.reference} 公示期间收到异议（#{objection.pk}），请核实并认定是否成立",
        # An objection awaiting a ruling holds the decision, which is due then.
        due_date=decision_due(batch, policy),
        recipient_role=Role.BUREAU_CLERK,
    )
    return objection


def objection_can_rule(objection, user):
    """Whether `user` may rule this objection now (the button on the claim page)."""
    return objection.is_pending and user is not None and user.has_perm(PERM_BUREAU_REVIEW)


def _answer_objector(objection):
    email = objection_email(objection)
    if not email:
        return "phone"
    subject = f"关于风险补偿公示项目异议（#{objection.pk}）的答复"
    body = (
        f"{objection.name}：\n\n您于{objection.submitted_at:%Y年%m月%d日}对第 {objection.batch_id} 批风险补偿"
        f"公示项目提出的异议，经我局核实，认定为“{objection.get_outcome_display()}”。\n"
        f"理由：{objection.answer}\n\n"
        + (
            "该项目已退回复审，复审后将重新公示。"
            if objection.outcome == O.FOUNDED
            else "该项目公示期照常计算。"
        )
        + "\n\n云浮市市场监督管理局"
    )
    enqueue_after_commit(TASK_SEND_EMAIL, [email], subject, body)
    return "email"


@transaction.atomic
def objection_rule(*, by, objection, outcome, reason):
    """The clerk rules an objection founded or unfounded, with a reason (audited, answered).

    Founded: the claim leaves the batch and goes back to second review, due `objection_review_workdays`
    working days from today. Unfounded: the objector is answered and the period runs on unchanged."""
    require_perm(by, PERM_BUREAU_REVIEW)
    if outcome not in (O.FOUNDED, O.UNFOUNDED):
        raise ValidationFailed(MSG_RULING_OUTCOME, code="outcome")
    reason = (reason or "").strip()
    if not reason or len(reason) > RULING_MAX_CHARS:
        raise ValidationFailed(MSG_RULING_REASON.format(limit=RULING_MAX_CHARS), code="reason")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_pending:
        raise Conflict(
            MSG_ALREADY_RULED.format(
                at=f"{objection.answered_at:%Y-%m-%d %H:%M}", outcome=objection.get_outcome_display()
            ),
            code="already_ruled",
        )
    claim = Claim.objects.select_for_update().get(pk=objection.claim_id)
    objection.outcome = outcome
    objection.answered_by = by
    objection.answered_at = now()
    objection.answer = reason
    objection.save(update_fields=["outcome", "answered_by", "answered_at", "answer"])
    reminder_resolve(kind=reminders.OBJECTION, about=claim, discriminator=objection.pk)
    withdrawn = (
        outcome == O.FOUNDED and claim.status == S.PUBLIC_NOTICE and claim.batch_id == objection.batch_id
    )
    told = _answer_objector(objection)
    audit_record(
        by=by,
        action=actions.OBJECTION_RULING[outcome],
        obj=claim,  # in the claim's trail, beside the objection it rules on
        reason=reason,
        data={
            "objection": objection.pk,
            "batch": objection.batch_id,
            "withdrawn": withdrawn,
            "answered_by": told,
        },
    )
    if withdrawn:
        _return_to_second_review(claim, objection, by=by, reason=reason)
    return objection


def _return_to_second_review(claim, objection, *, by, reason):
    policy = policy_of(claim)
    due = add_workdays(local_today(), policy.objection_review_workdays)
    # The batch's decision is off: every open to-do of the public notice goes (other objections of this
    # batch stay to be ruled: they are answered too).
    reminder_resolve(kind=reminders.PUBLICITY_END, about=claim, discriminator=None)
    claim = move(
        claim,
        "return_on_objection",
        by=by,
        follows=True,  # follows from the clerk's ruling, just checked and audited
        reason=f"异议 #{objection.pk} 成立：{reason}"[:300],
        data={"objection": objection.pk, "batch": objection.batch_id},
        outcome="",
        second_reviewer=None,
        second_reviewed_at=None,
        review_due_on=due,
    )
    remind(
        reminders.SECOND_REVIEW,
        claim,
        title=f"补偿申请 {claim.reference} 公示异议成立，请重新复审（{due:%Y-%m-%d} 前）",
        due_date=due,
        recipient_role=Role.BUREAU_APPROVER,
    )
    return claim


# --- the decision -----------------------------------------------------------------------------------


def pending_objections(claim):
    return Objection.objects.filter(claim=claim, outcome=O.PENDING)


def _decision_refusal(claim, today):
    """Why the claim cannot be decided today (a DomainError), or None. The one place of this rule."""
    if claim.batch is not None and today <= claim.batch.ends_on:
        return DomainError(MSG_PUBLICITY_RUNNING.format(end=claim.batch.ends_on), code="publicity_running")
    waiting = pending_objections(claim).count()
    if waiting:
        return DomainError(MSG_OBJECTION_PENDING.format(count=waiting), code="objection_pending")
    return None


def claim_can_decide(claim, user):
    """Whether `user` may press the decision button now."""
    return (
        user is not None
        and user.has_perm(PERM_BUREAU_APPROVE)
        and claim.status == S.PUBLIC_NOTICE
        and _decision_refusal(claim, local_today()) is None
    )


def claims_ripe_for_decision(claims):
    """Of `claims`, those on public notice whose period has ended and no objection awaits a ruling."""
    pending = Objection.objects.filter(claim=OuterRef("pk"), outcome=O.PENDING)
    return (
        claims.filter(status=S.PUBLIC_NOTICE, batch__ends_on__lt=local_today())
        .exclude(Exists(pending))
        .select_related("batch", "policy_version")
        .order_by("batch__ends_on", "id")
    )


def decision_due_of(claim):
    return decision_due(claim.batch, policy_of(claim)) if claim.batch_id else None


@register_action(reminders.ACTION_PUBLICITY_END)
def _publicity_end_action(reminder):
    """Reminders scheduled before the approver decided carried this action. It never decides: the
    reminder stays open for the approver (settled=False)."""
    return False


def _decision_time():
    """The decision's place in the queue, taken under the fund's lock: now, or just after the latest
    decision when a clock is behind, so decision times strictly increase in the order the lock was
    granted and the queue (ordered by decision time) is the order in which money was committed."""
    moment = now()
    latest = Claim.objects.aggregate(latest=Max("decided_at"))["latest"]
    if latest is not None and moment <= latest:
        moment = latest + dt.timedelta(microseconds=1)
    return moment


@transaction.atomic
def claim_decide(*, by, claim):
    """The bureau approver decides the compensation once the public notice has ended and no objection
    awaits a ruling: the decision notice, then the amount is committed or queued.

    Strictly first come, first served: the fund's lock is taken before anything else, so decisions
    are stamped (`_decision_time`) and committed or queued one after the other, in one order."""
    require_perm(by, PERM_BUREAU_APPROVE)
    lock_fund()
    claim = Claim.objects.select_related("batch", "covered_loan__enterprise", "bank").get(pk=claim.pk)
    today = local_today()

    def check(locked):
        error = _decision_refusal(locked, today)
        if error is not None:
            raise error

    policy = policy_of(claim)
    unfounded = Objection.objects.filter(claim=claim, batch=claim.batch, outcome=O.UNFOUNDED).count()
    claim = move(
        claim,
        "decide",
        by=by,
        follows=True,  # the approver's permission was checked above; the table marks it a bureau step
        check=check,
        reason="公示期满，异议均已认定不成立" if unfounded else "公示期满无异议",
        decided_at=_decision_time(),
        payment_due_on=add_workdays(today, policy.payment_workdays),
    )
    # Every to-do of the claim before its decision is met (its public notice, its objections).
    reminder_resolve(about=claim)
    claim = Claim.objects.select_related("batch", "covered_loan__enterprise", "bank").get(pk=claim.pk)
    context = documents.decision(
        claim,
        policy=policy,
        computation=claim.computation,
        batch=claim.batch,
        unfounded_objections=unfounded,
    )
    issue(documents.DECISION, claim, context, by=by, addressee=claim.bank, copied_to=[finance()])
    commit_or_queue(claim, by=by)
    return Claim.objects.get(pk=claim.pk)
