"""The blacklist as its own record (Art 21; Rulings of December 2026): `blacklist_enterprise` lists for the
`blacklist_years` of the version in force on the day of the listing; nobody picks the end date."""

import datetime as dt

import pytest

from applications.actions import BLACKLIST
from applications.eligibility import enterprise_checks
from applications.models import Blacklisting
from applications.services import blacklist_enterprise, is_blacklisted
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.common.checks import FAIL, PASS
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.policy.models import PolicyVersion

Source = Blacklisting.Source


def rule(checks, name):
    return next(c for c in checks if c.rule == name)


def test_a_bureau_approver_lists_an_enterprise_for_the_policys_years_and_it_is_audited(
    bureau_approver, enterprise_a, profile_a, policy
):
    listing = blacklist_enterprise(
        enterprise_a, by=bureau_approver, reason="提供虚假材料骗取补偿", source=Source.MANUAL
    )
    day = today()
    years = policy.blacklist_years
    assert listing.listed_from == day
    assert listing.listed_until == day.replace(year=day.year + years)  # 2026-12-01 + 3 years
    assert (listing.source, listing.policy, listing.by) == (Source.MANUAL, policy, bureau_approver)
    event = trail_for(listing).last()
    assert (event.code, event.action, event.reason) == (
        BLACKLIST.code,
        "列入失信黑名单",
        "提供虚假材料骗取补偿",
    )
    assert event.data["until"] == listing.listed_until.isoformat()
    assert profile_a.blacklisted_until == listing.listed_until


def test_the_listing_covers_its_last_day_and_not_the_next(bureau_approver, enterprise_a, profile_a):
    listing = blacklist_enterprise(enterprise_a, by=bureau_approver, reason="虚假材料", source=Source.FRAUD)
    assert is_blacklisted(enterprise_a, listing.listed_until)
    assert not is_blacklisted(enterprise_a, listing.listed_until + dt.timedelta(days=1))
    assert not is_blacklisted(enterprise_a, listing.listed_from - dt.timedelta(days=1))


def test_the_years_come_from_the_version_in_force_on_the_day_of_the_listing(bureau_approver, enterprise_a):
    old = PolicyVersion.objects.get(effective_to=dt.date(2025, 9, 24))
    new = PolicyVersion.objects.get(effective_from=dt.date(2025, 9, 25))
    PolicyVersion.objects.filter(pk=old.pk).update(blacklist_years=2)
    PolicyVersion.objects.filter(pk=new.pk).update(blacklist_years=3)
    last_old = blacklist_enterprise(
        enterprise_a, by=bureau_approver, reason="撤销补偿", source=Source.CLAWBACK, on=dt.date(2025, 9, 24)
    )
    first_new = blacklist_enterprise(
        enterprise_a, by=bureau_approver, reason="撤销补偿", source=Source.CLAWBACK, on=dt.date(2025, 9, 25)
    )
    assert (last_old.listed_until, last_old.policy_id) == (dt.date(2027, 9, 24), old.pk)
    assert (first_new.listed_until, first_new.policy_id) == (dt.date(2028, 9, 25), new.pk)


def test_an_enterprise_without_a_profile_can_be_listed_and_fails_article_7(
    bureau_approver, enterprise_a, policy, profile_a
):
    blacklist_enterprise(enterprise_a, by=bureau_approver, reason="虚假材料", source=Source.MANUAL)
    check = rule(enterprise_checks(enterprise_a, policy=policy, on=today()), "not_blacklisted")
    assert check.outcome == FAIL
    assert "虚假材料" in check.message and "人工" in check.message


def test_a_listing_without_a_profile_needs_no_profile(bureau_approver, enterprise_a):
    blacklist_enterprise(enterprise_a, by=bureau_approver, reason="虚假材料", source=Source.MANUAL)
    assert is_blacklisted(enterprise_a, today())


def test_eligibility_passes_again_after_the_listing_ends(bureau_approver, enterprise_a, profile_a, policy):
    listing = blacklist_enterprise(enterprise_a, by=bureau_approver, reason="虚假材料", source=Source.MANUAL)
    after = listing.listed_until + dt.timedelta(days=1)
    assert rule(enterprise_checks(enterprise_a, policy=policy, on=after), "not_blacklisted").outcome == PASS


@pytest.mark.parametrize("persona", ["bureau_clerk", "bank_officer", "enterprise_user", "finance_user"])
def test_only_a_bureau_approver_may_list(request, persona, enterprise_a, profile_a):
    user = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        blacklist_enterprise(enterprise_a, by=user, reason="x", source=Source.MANUAL)
    assert not Blacklisting.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reason": "  ", "source": Source.MANUAL}, "required"),
        ({"reason": "理由", "source": "whatever"}, "bad_source"),
        ({"reason": "理由", "source": Source.MIGRATED}, "bad_source"),
        (
            {"reason": "理由", "source": Source.MANUAL, "on": today() + dt.timedelta(days=1)},
            "blacklist_future",
        ),
    ],
)
def test_it_needs_a_reason_a_known_source_and_no_future_day(bureau_approver, enterprise_a, kwargs, code):
    with pytest.raises(ValidationFailed) as exc:
        blacklist_enterprise(enterprise_a, by=bureau_approver, **kwargs)
    assert exc.value.code == code


def test_it_takes_no_end_date(bureau_approver, enterprise_a):
    with pytest.raises(TypeError):
        blacklist_enterprise(
            enterprise_a, by=bureau_approver, reason="理由", source=Source.MANUAL, until=dt.date(2099, 1, 1)
        )


def test_a_bank_cannot_be_listed(bureau_approver, bank_a):
    with pytest.raises(DomainError):
        blacklist_enterprise(bank_a, by=bureau_approver, reason="理由", source=Source.MANUAL)


def test_a_listing_is_never_edited_or_deleted(bureau_approver, enterprise_a):
    listing = blacklist_enterprise(enterprise_a, by=bureau_approver, reason="虚假材料", source=Source.MANUAL)
    listing.listed_until = dt.date(2099, 1, 1)
    with pytest.raises(DomainError, match="只增不改"):
        listing.save()
    with pytest.raises(DomainError, match="只增不改"):
        listing.delete()
    listing.refresh_from_db()
    assert listing.listed_until != dt.date(2099, 1, 1)
