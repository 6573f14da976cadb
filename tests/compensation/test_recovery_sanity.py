"""Unusual recovery figures (Rulings of December 2026): costs above the recovery, or recoveries above
the unrecovered principal plus interest (contract rate, disbursement to the day received, 360-day
year), are refused unless the officer confirms with a reason; the supervisor sees the warning and the
reason before countersigning; the countersign judges the figures again; the reason is audited and is
not printed on the return notice. Refusals are ValidationFailed: 400 on the page and on the API.

The paid claim is written into the tables (tests/compensation/test_recovery_pari_passu.py says why)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from compensation import services
from compensation.models import Recovery
from lenders.models import CoveredLoan
from lenders.services.tokens import api_token_issue
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.notices.models import Notice

from .test_recovery_pari_passu import paid_claim

RS = Recovery.Status
REASON = "本次追偿款含法院判决的迟延履行金及诉讼费，已核对判决书"


@pytest.fixture
def claim(flow, loan):
    """600,000.00 unrecovered on the 1,000,000 loan (800,000 covered), 192,000.00 paid; disbursed 360
    days before the money arrives at 3.9 %: interest 23,400.00, ceiling 623,400.00."""
    claim = paid_claim(flow, loan, unrecovered="600000.00", paid="192000.00")
    CoveredLoan.objects.filter(pk=loan.pk).update(
        disbursed_on=claim.payment_value_date - dt.timedelta(days=360)
    )
    loan.filing.__class__.objects.filter(pk=loan.filing_id).update(annual_rate=D("3.9"))
    return claim


def prepare(flow, claim, amount, costs="0", **kw):
    return services.recovery_prepare(
        by=flow.officer, claim=claim, received_on=claim.payment_value_date, amount=amount, costs=costs, **kw
    )


def test_a_recovery_of_five_million_on_a_one_million_loan_is_refused_with_the_figures(flow, claim):
    with pytest.raises(ValidationFailed) as refused:
        prepare(flow, claim, "5000000.00")
    message = refused.value.message
    assert refused.value.status == 400 and refused.value.code == "recovery_unusual"
    assert "第十四条" in message and "5,000,000.00" in message and "600,000.00" in message
    assert "23,400.00" in message and "623,400.00" in message and "4,376,600.00" in message
    assert not Recovery.objects.exists()


@pytest.mark.parametrize("amount, refused", [("623400.00", False), ("623400.01", True)])
def test_the_principal_plus_interest_boundary_is_exact_to_the_fen(flow, claim, amount, refused):
    if refused:
        with pytest.raises(ValidationFailed, match="超出 0.01 元"):
            prepare(flow, claim, amount)
    else:
        assert prepare(flow, claim, amount).warnings == []


@pytest.mark.parametrize("costs, refused", [("1000.00", False), ("1000.01", True)])
def test_costs_above_the_recovery_are_refused_at_one_fen(flow, claim, costs, refused):
    if refused:
        with pytest.raises(ValidationFailed, match="追偿费用 1,000.01 元超过追偿金额 1,000.00 元"):
            prepare(flow, claim, "1000.00", costs)
    else:
        assert prepare(flow, claim, "1000.00", costs).net_amount == 0


def test_confirmed_costs_are_kept_shown_to_the_supervisor_audited_and_settle_without_a_notice(
    flow, claim, client_for
):
    draft = prepare(flow, claim, "1000.00", "3000.00", confirm_reason=REASON)
    assert [w["code"] for w in draft.warnings] == ["costs_over_recovery"] and draft.confirm_reason == REASON
    prepared = AuditEvent.objects.filter(code="compensation.claim.recovery_prepare").get()
    assert prepared.data["confirm_reason"] == REASON and prepared.data["warnings"] == ["costs_over_recovery"]
    page = client_for(flow.supervisor).get(claim.get_absolute_url()).content.decode()
    assert "金额异常，经办人已确认" in page and REASON in page and "追偿费用 3,000.00 元超过追偿金额" in page
    recovery = services.recovery_countersign(by=flow.supervisor, recovery=draft)
    assert recovery.status == RS.SETTLED and recovery.return_amount == 0
    assert not Notice.objects.filter(kind="claim_recovery_return").exists()


def test_a_confirmed_large_recovery_is_reported_and_the_reason_is_not_on_the_notice(flow, claim):
    draft = prepare(flow, claim, "700000.00", confirm_reason=REASON)
    recovery = services.recovery_countersign(by=flow.supervisor, recovery=draft)
    # capped at what was paid: 192,000.00
    assert recovery.status == RS.REPORTED and recovery.return_amount == D("192000.00")
    notice = Notice.objects.get(kind="claim_recovery_return", subject_id=str(recovery.pk))
    assert REASON not in str(notice.context) and "金额异常" not in str(notice.context)
    reported = AuditEvent.objects.get(object_type="compensation.recovery", to_state="reported")
    assert reported.data["confirm_reason"] == REASON


def test_an_unconfirmed_draft_is_not_countersigned_nor_given_a_notice(flow, claim):
    """A draft from before the check (or edited in the table) with costs above the recovery."""
    draft = prepare(flow, claim, "1000.00")
    Recovery.objects.filter(pk=draft.pk).update(costs=D("5000.00"), net_amount=0)
    with pytest.raises(ValidationFailed, match="经办人未就此确认") as refused:
        services.recovery_countersign(by=flow.supervisor, recovery=Recovery.objects.get(pk=draft.pk))
    assert refused.value.status == 400
    assert Recovery.objects.get(pk=draft.pk).status == RS.DRAFT
    assert not Notice.objects.filter(kind="claim_recovery_return").exists()


def test_the_countersign_judges_the_total_again(flow, claim):
    first, second = prepare(flow, claim, "400000.00"), prepare(flow, claim, "300000.00")
    services.recovery_countersign(by=flow.supervisor, recovery=first)
    with pytest.raises(ValidationFailed, match="累计追偿金额 700,000.00 元"):
        services.recovery_countersign(by=flow.supervisor, recovery=second)
    confirmed = services.recovery_update(
        by=flow.officer,
        recovery=second,
        received_on=claim.payment_value_date,
        amount="300000.00",
        confirm_reason=REASON,
    )
    assert services.recovery_countersign(by=flow.supervisor, recovery=confirmed).status == RS.REPORTED


def test_the_page_refuses_without_the_box_with_400_and_accepts_it_ticked_with_a_reason(
    flow, claim, client_for
):
    url = reverse("compensation:claim_action", args=[claim.pk, "recovery"])
    c = client_for(flow.officer)
    form = {"received_on": str(claim.payment_value_date), "amount": "5,000,000.00", "costs": "0"}
    refused = c.post(url, {**form, "confirm_reason": REASON})  # a reason without the box confirms nothing
    assert refused.status_code == 400 and "5,000,000.00" in refused.content.decode()
    assert not Recovery.objects.exists()
    ticked = c.post(url, {**form, "confirm": "on", "confirm_reason": ""})
    assert ticked.status_code == 400 and not Recovery.objects.exists()
    done = c.post(url, {**form, "confirm": "on", "confirm_reason": REASON})
    assert done.status_code == 302 and Recovery.objects.get().confirm_reason == REASON
    page = c.get(claim.get_absolute_url()).content.decode()
    assert "确认金额无误" in page and "确认理由" in page


def test_the_api_refuses_with_400_and_the_figures_and_accepts_a_confirmation(flow, claim):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(by=flow.officer).key}")
    url = reverse("api-claims-recoveries", args=[claim.pk])
    payload = {"received_on": str(claim.payment_value_date), "amount": "5000000.00"}
    refused = api.post(url, payload, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "recovery_unusual"
    assert "5,000,000.00" in refused.json()["error"]["message"]
    done = api.post(url, {**payload, "confirm_reason": REASON}, format="json")
    assert done.status_code == 201 and done.json()["warnings"][0]["code"] == "recovery_over_owed"
