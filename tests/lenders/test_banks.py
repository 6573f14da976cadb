"""Cooperating banks: admission, suspension, reinstatement, termination (bureau approver only)."""

import datetime as dt

import pytest

from lenders import services
from lenders.models import CooperatingBank
from lenders.selectors import active_bank_orgs
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.notices.models import Notice

from .conftest import admit

S = CooperatingBank.Status


def test_admission_issues_the_admission_notice(bank_a_profile, bank_a):
    assert bank_a_profile.status == S.ACTIVE
    notice = Notice.objects.get(kind="lenders_bank_admission")
    assert notice.addressee == bank_a
    assert notice.title == "合作银行准入通知书"
    assert notice.number.startswith("云市监知合〔")
    assert list(active_bank_orgs()) == [bank_a]


@pytest.mark.parametrize("who", ["bureau_clerk", "bank_supervisor", "finance_user", "administrator"])
def test_only_the_bureau_approver_admits(bank_a, request, who):
    with pytest.raises(Forbidden):
        admit(bank_a, request.getfixturevalue(who))


def test_only_banks_are_admitted(enterprise_a, bureau_approver):
    with pytest.raises(ValidationFailed, match="银行"):
        admit(enterprise_a, bureau_approver)


def test_a_bank_is_admitted_once(bank_a_profile, bank_a, bureau_approver):
    with pytest.raises(DomainError, match="已是合作银行"):
        admit(bank_a, bureau_approver)


def test_the_agreement_period_must_be_in_order(bank_a, bureau_approver):
    with pytest.raises(ValidationFailed):
        admit(
            bank_a,
            bureau_approver,
            agreement_valid_from=today(),
            agreement_valid_to=today() - dt.timedelta(days=1),
        )


def test_an_expired_agreement_takes_the_bank_off_the_active_list(bank_a, bureau_approver):
    admit(
        bank_a,
        bureau_approver,
        agreement_valid_from=today() - dt.timedelta(days=800),
        agreement_valid_to=today() - dt.timedelta(days=1),
    )
    assert not active_bank_orgs().exists()


@pytest.mark.parametrize(
    ("source", "action", "target", "error"),
    [
        (S.ACTIVE, "suspend", S.SUSPENDED, None),
        (S.SUSPENDED, "reinstate", S.ACTIVE, None),
        (S.ACTIVE, "terminate", S.TERMINATED, None),
        (S.SUSPENDED, "terminate", S.TERMINATED, None),
        (S.TERMINATED, "suspend", None, DomainError),
        (S.TERMINATED, "reinstate", None, DomainError),
        (S.TERMINATED, "terminate", S.TERMINATED, None),  # a repeat is a no-op
        (S.SUSPENDED, "suspend", S.SUSPENDED, None),
        (S.ACTIVE, "reinstate", S.ACTIVE, None),
    ],
)
def test_bank_status_moves(bank_a_profile, bureau_approver, source, action, target, error):
    CooperatingBank.objects.filter(pk=bank_a_profile.pk).update(status=source)
    bank_a_profile.refresh_from_db()
    call = getattr(services, f"bank_{action}")
    if error:
        with pytest.raises(error) as exc:
            call(by=bureau_approver, bank=bank_a_profile, reason="理由")
        assert type(exc.value) is error  # a 400: the move is not possible from here
    else:
        assert call(by=bureau_approver, bank=bank_a_profile, reason="理由").status == target


def test_a_bank_terminated_since_the_page_was_read_cannot_be_reinstated_409(bank_a_profile, bureau_approver):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="暂停")
    stale = CooperatingBank.objects.get(pk=bank_a_profile.pk)
    services.bank_terminate(by=bureau_approver, bank=stale, reason="终止")
    with pytest.raises(Conflict):
        services.bank_reinstate(by=bureau_approver, bank=stale, reason="恢复")


def test_a_second_suspension_issues_no_second_notice(bank_a_profile, bureau_approver):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="不良率超标")
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="不良率超标")
    assert Notice.objects.filter(kind="lenders_bank_suspension").count() == 1


def test_suspension_issues_the_notice_and_needs_a_reason(bank_a_profile, bureau_approver):
    with pytest.raises(ValidationFailed):
        services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="")
    services.bank_suspend(
        by=bureau_approver, bank=bank_a_profile, reason="在保不良率超过5%", effective_on=today()
    )
    notice = Notice.objects.get(kind="lenders_bank_suspension")
    assert notice.title == "暂停备案通知书"
    assert "在保不良率超过5%" in notice.context["paragraphs"][0]
    assert not active_bank_orgs().exists()


def test_a_clerk_cannot_suspend(bank_a_profile, bureau_clerk):
    with pytest.raises(Forbidden):
        services.bank_suspend(by=bureau_clerk, bank=bank_a_profile, reason="x")
