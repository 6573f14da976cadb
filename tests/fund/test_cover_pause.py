"""The bureau approver's optional stop of new cover (fund pause): who may pause/resume, the refusal of
confirmations while paused (with date and reason), the audit trail and the risk page's button pair."""

import pytest
from django.utils import timezone

from fund import services
from fund.models import FundCoverPause
from fund.risk import assert_cover_not_paused, assert_leverage_allows
from fund.selectors import open_cover_pause
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db


def test_the_approver_pauses_and_confirmations_are_refused_naming_date_and_reason(bureau_approver, policy):
    pause = services.cover_pause(by=bureau_approver, reason="累计净代偿已达资金规模50%")
    assert open_cover_pause() == pause
    with pytest.raises(DomainError) as exc:
        assert_leverage_allows(covered_outstanding=0, additional_covered="1.00", on=None, policy=policy)
    day = f"{timezone.localdate(pause.started_at):%Y-%m-%d}"
    assert exc.value.code == "cover_paused"
    assert day in exc.value.message and "累计净代偿已达资金规模50%" in exc.value.message
    assert "暂停新增纳入风险补偿" in exc.value.message


def test_after_resume_the_leverage_ceiling_alone_decides_again(bureau_approver, policy):
    services.cover_pause(by=bureau_approver, reason="研究暂停")
    resumed = services.cover_resume(by=bureau_approver, reason="已补充资金")
    assert resumed.ended_by == bureau_approver and resumed.end_reason == "已补充资金"
    assert open_cover_pause() is None
    assert_cover_not_paused()
    assert (
        assert_leverage_allows(covered_outstanding=0, additional_covered="1.00", on=None, policy=policy)[
            "total"
        ]
        > 0
    )


@pytest.mark.parametrize("who", ["finance_user", "bureau_clerk", "bank_officer", "enterprise_user"])
def test_only_the_bureau_approver_pauses(request, who):
    with pytest.raises(Forbidden):
        services.cover_pause(by=request.getfixturevalue(who), reason="越权")
    assert not FundCoverPause.objects.exists()


@pytest.mark.parametrize("who", ["finance_user", "bureau_clerk"])
def test_only_the_bureau_approver_resumes(request, bureau_approver, who):
    services.cover_pause(by=bureau_approver, reason="研究暂停")
    with pytest.raises(Forbidden):
        services.cover_resume(by=request.getfixturevalue(who), reason="越权")
    assert open_cover_pause() is not None


def test_the_system_cannot_pause_on_its_own(db):
    with pytest.raises(Forbidden):
        services.cover_pause(by=None, reason="自动")


@pytest.mark.parametrize("service", ["cover_pause", "cover_resume"])
def test_a_reason_is_required(bureau_approver, service):
    if service == "cover_resume":
        services.cover_pause(by=bureau_approver, reason="研究暂停")
    with pytest.raises(ValidationFailed, match="请填写事由"):
        getattr(services, service)(by=bureau_approver, reason="  ")


def test_a_second_pause_while_one_is_open_is_refused(bureau_approver):
    services.cover_pause(by=bureau_approver, reason="第一次")
    with pytest.raises(Conflict, match="第一次"):
        services.cover_pause(by=bureau_approver, reason="第二次")
    assert FundCoverPause.objects.count() == 1


def test_resume_without_an_open_pause_is_refused(bureau_approver):
    with pytest.raises(DomainError, match="当前未暂停"):
        services.cover_resume(by=bureau_approver, reason="恢复")


def test_pause_after_resume_starts_a_new_record_and_keeps_the_history(bureau_approver):
    first = services.cover_pause(by=bureau_approver, reason="第一次")
    services.cover_resume(by=bureau_approver, reason="恢复")
    second = services.cover_pause(by=bureau_approver, reason="第二次")
    assert first.pk != second.pk and FundCoverPause.objects.count() == 2
    assert open_cover_pause() == second


def test_pause_and_resume_are_audited(bureau_approver):
    pause = services.cover_pause(by=bureau_approver, reason="研究暂停")
    services.cover_resume(by=bureau_approver, reason="已补充资金")
    events = list(trail_for(pause))
    assert [(e.action, e.to_state, e.reason, e.actor_id) for e in events] == [
        ("暂停新增纳入风险补偿", "paused", "研究暂停", bureau_approver.pk),
        ("恢复新增纳入风险补偿", "resumed", "已补充资金", bureau_approver.pk),
    ]
    assert "net_payouts" in events[0].data


# --- the risk page ---------------------------------------------------------------------------------


def test_the_approver_sees_the_pause_button_with_confirmation(client_for, bureau_approver):
    body = client_for(bureau_approver).get("/fund/risk/").content.decode()
    assert "/fund/risk/cover/pause/" in body and 'data-confirm="确认暂停新增纳入风险补偿' in body
    assert "/fund/risk/cover/resume/" not in body


def test_the_approver_pauses_and_resumes_from_the_page(client_for, bureau_approver):
    client = client_for(bureau_approver)
    response = client.post("/fund/risk/cover/pause/", {"cover-reason": "累计净代偿过半"})
    assert response.status_code == 302 and response["Location"] == "/fund/risk/"
    assert open_cover_pause().reason == "累计净代偿过半"
    body = client.get("/fund/risk/").content.decode()
    assert "已暂停" in body and "/fund/risk/cover/resume/" in body and "累计净代偿过半" in body
    client.post("/fund/risk/cover/resume/", {"cover-reason": "恢复受理"})
    assert open_cover_pause() is None


def test_a_missing_reason_on_the_page_is_shown_not_a_crash(client_for, bureau_approver):
    client = client_for(bureau_approver)
    response = client.post("/fund/risk/cover/pause/", {"cover-reason": ""}, follow=True)
    assert response.status_code == 200 and "请填写事由" in response.content.decode()
    assert open_cover_pause() is None


def test_finance_sees_the_state_but_no_buttons_and_cannot_post(client_for, finance_user, bureau_approver):
    services.cover_pause(by=bureau_approver, reason="研究暂停")
    client = client_for(finance_user)
    body = client.get("/fund/risk/").content.decode()
    assert "已暂停" in body and "/fund/risk/cover/" not in body
    assert client.post("/fund/risk/cover/resume/", {"cover-reason": "越权"}).status_code == 403
    assert open_cover_pause() is not None


@pytest.mark.parametrize("who", ["bank_officer", "enterprise_user"])
def test_others_get_not_found(client_for, request, who):
    assert (
        client_for(request.getfixturevalue(who))
        .post("/fund/risk/cover/pause/", {"cover-reason": "x"})
        .status_code
        == 404
    )
    assert not FundCoverPause.objects.exists()


def test_an_unknown_action_is_not_found(client_for, bureau_approver):
    assert (
        client_for(bureau_approver).post("/fund/risk/cover/stop/", {"cover-reason": "x"}).status_code == 404
    )
