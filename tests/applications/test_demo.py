"""The demo records of the enterprise side: valid, eligible and idempotent."""

import io

import pytest
from django.contrib.auth.models import Group

from applications import demo
from applications.eligibility import enterprise_checks
from applications.models import CreditCheck, EnterpriseProfile, IPAsset, LoanRegistration
from yunfu_ipfund.accounts.management.commands.seed_demo import ORGANISATIONS, USERS
from yunfu_ipfund.accounts.models import Organisation, User
from yunfu_ipfund.common.checks import FAIL
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.identifiers import make_uscc, validate_patent_number, validate_uscc


@pytest.fixture
def platform_demo(db):
    for kind, name, stem in ORGANISATIONS:
        Organisation.objects.create(kind=kind, name=name, uscc=make_uscc(stem))
    for username, full_name, org_name, roles, _ in USERS:
        user = User.objects.create(
            username=username, full_name=full_name, organisation=Organisation.objects.get(name=org_name)
        )
        user.groups.add(*[Group.objects.get(name=r) for r in roles])


def test_seed_creates_the_demo_records_once(platform_demo, policy):
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    assert EnterpriseProfile.objects.count() == len(demo.ENTERPRISES)
    assert IPAsset.objects.count() == 3 * len(demo.ENTERPRISES) + len(demo.STAGE_REGISTRATIONS)
    statuses = sorted(LoanRegistration.objects.values_list("status", flat=True))
    assert statuses == ["accepted"] * (1 + len(demo.STAGE_REGISTRATIONS)) + ["draft", "submitted"]
    for profile in EnterpriseProfile.objects.select_related("organisation"):
        validate_uscc(profile.organisation.uscc)
        assert [
            c for c in enterprise_checks(profile.organisation, policy=policy, on=today()) if c.outcome == FAIL
        ] == []
    for asset in IPAsset.objects.exclude(ip_type="trademark"):
        validate_patent_number(asset.number, declared_type=asset.ip_type)
    submitted = LoanRegistration.objects.get(status="submitted")
    accepted = LoanRegistration.objects.get(status="accepted", purpose=demo.ACCEPTED_PURPOSE)
    assert accepted.decided_by.username == "gongshang_jb"
    for registration in LoanRegistration.objects.filter(status="accepted"):
        assert registration.decided_by.organisation_id == registration.bank_id
    assert submitted.bank.name == demo.BANK and submitted.commitment_signed and submitted.submitted_checks
    # Art 7 verified, not declared: the region matches, the figures classify, the clerk checked the credit.
    for registration in LoanRegistration.objects.exclude(status="draft"):
        failed = [c["rule"] for c in registration.submitted_checks if c["outcome"] == FAIL]
        assert failed == [], (registration.purpose, failed)
        rules = {c["rule"] for c in registration.submitted_checks}
        assert {"uscc_region", "enterprise_size", "credit_check", "independent_legal_person"} <= rules
    assert CreditCheck.objects.count() == len(demo.ENTERPRISES)
    assert all(c.extract for c in CreditCheck.objects.all())


def test_seed_skips_quietly_without_the_platform_demo(db):
    out = io.StringIO()
    demo.seed(out)
    assert not EnterpriseProfile.objects.exists() and "跳过" in out.getvalue()
