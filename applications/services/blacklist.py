"""The blacklist (Art 21): each listing is its own append-only record, `Blacklisting`.

`blacklist_enterprise` is the one way to list an enterprise; the compensation clawback (撤销补偿) and
the lenders' fraud exclusion (骗取) call it, and a bureau approver lists by hand (人工). Nobody chooses
the end date: it is the day of the listing plus the `blacklist_years` of the policy version in force
ON THAT DAY (Rulings of December 2026: blacklist years by the day of the rescission)."""

from django.db import transaction

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.articles import ARTICLE_22, implements
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.parsing import parse_text
from yunfu_ipfund.notices.services import notify_organisation
from yunfu_ipfund.policy.services import policy_in_force

from ..actions import BLACKLIST
from ..models import Blacklisting
from .base import MSG_NOT_ENTERPRISE

MSG_REASON_REQUIRED = "请填写列入失信黑名单的理由。"
MSG_BAD_SOURCE = "黑名单来源“{value}”无效（可选：{choices}）。"
MSG_FUTURE = "列入日期 {on:%Y-%m-%d} 晚于今天，不能预先列入黑名单。"

ARTICLE = "《管理办法》第二十一条"


def blacklist_until(on):
    """The last day listed for a listing made on `on`: `on` + `blacklist_years` of the version in force
    on `on` (2026-12-01 under a 3-year version: 2029-12-01)."""
    policy = policy_in_force(on)
    return add_months(on, 12 * policy.blacklist_years), policy


@implements(ARTICLE_22)
@transaction.atomic
def blacklist_enterprise(enterprise, *, by, reason, source, on=None) -> Blacklisting:
    """List `enterprise` on the blacklist from `on` (today) for the policy's years.

    `by` is a bureau approver (the clawback and the fraud exclusion are the approver's decisions too);
    `source` a `Blacklisting.Source` (撤销补偿 / 骗取 / 人工). Returns the new record; it is audited and
    the enterprise is told. A listing while another is in force adds a record (the longest decides)."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = parse_text(reason, field="理由", max_length=2000, message=MSG_REASON_REQUIRED)
    if source not in Blacklisting.Source.values or source == Blacklisting.Source.MIGRATED:
        choices = "、".join(
            label for value, label in Blacklisting.Source.choices if value != Blacklisting.Source.MIGRATED
        )
        raise ValidationFailed(MSG_BAD_SOURCE.format(value=source, choices=choices), code="bad_source")
    today = local_today()
    on = on or today
    if on > today:
        raise ValidationFailed(MSG_FUTURE.format(on=on), code="blacklist_future")
    enterprise = Organisation.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.kind != Organisation.Kind.ENTERPRISE:
        raise DomainError(MSG_NOT_ENTERPRISE)
    until, policy = blacklist_until(on)
    listing = Blacklisting.objects.create(
        enterprise=enterprise,
        listed_from=on,
        listed_until=until,
        reason=reason,
        source=Blacklisting.Source(source),
        policy=policy,
        by=by,
    )
    audit_record(
        by=by,
        action=BLACKLIST,
        obj=listing,
        reason=reason,
        data={
            "enterprise": enterprise.pk,
            "source": listing.source,
            "from": on,
            "until": until,
            "policy": policy.pk,
            "blacklist_years": policy.blacklist_years,
        },
    )
    notify_organisation(
        enterprise,
        title="贵企业已被列入知识产权质押融资失信黑名单",
        body=(
            f"依据{ARTICLE}及《{policy.title}》，自 {on:%Y-%m-%d} 起至 {until:%Y-%m-%d}"
            f"（{policy.blacklist_years}年）列入失信黑名单。理由：{reason}"
        ),
    )
    return listing
