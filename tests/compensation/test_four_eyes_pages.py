"""Four eyes by last change through the pages (with the views' prepare_again actions): the officer sees
the supervisor's change on the record page, confirms it there, and the supervisor's submit goes through."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from compensation import services
from compensation.models import Claim, Recovery

from .conftest import pdf_file

pytestmark = pytest.mark.django_db


def test_the_officer_confirms_on_the_claim_page_after_the_supervisors_change(
    client_for, flow, loan, bank_officer, bank_supervisor
):
    claim = flow.draft(loan)
    services.evidence_upload(by=bank_supervisor, claim=claim, kind="loan_contract", file=pdf_file("换.pdf"))
    page = client_for(bank_officer).get(claim.get_absolute_url()).content.decode()
    assert "已复查，重新确认经办" in page
    url = reverse("compensation:claim_action", args=[claim.pk, "prepare_again"])
    assert client_for(bank_officer).post(url).status_code == 302
    submit = reverse("compensation:claim_action", args=[claim.pk, "submit"])
    client_for(bank_supervisor).post(submit)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED


def test_the_officer_confirms_a_changed_recovery_report_on_the_claim_page(
    client_for, flow, loan, bank_officer, bank_supervisor
):
    claim = flow.paid(loan)
    draft = services.recovery_prepare(
        by=bank_officer,
        claim=claim,
        received_on=claim.payment_value_date,
        amount="1000.00",
    )
    bank_supervisor.user_permissions.add(Permission.objects.get(codename="bank_prepare"))
    both = type(bank_supervisor).objects.get(pk=bank_supervisor.pk)
    services.recovery_update(by=both, recovery=draft, received_on=draft.received_on, amount="10.00")
    assert (
        "已复查修改，重新确认经办" in client_for(bank_officer).get(claim.get_absolute_url()).content.decode()
    )
    url = reverse("compensation:recovery_action", args=[draft.pk, "prepare_again"])
    assert client_for(bank_officer).post(url).status_code == 302
    assert Recovery.objects.get(pk=draft.pk).reported_by == bank_officer
