"""The audit log: a hash chain that finds any changed or deleted row; the database refuses changes."""

import contextlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yunfu_ipfund.audit.actions import audit_action
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import GENESIS, audit_record, compute_hash, verify_chain

from .conftest import atomic_refusal

pytestmark = pytest.mark.django_db

SUBMIT = audit_action("platform_test.filing.submit", "提交备案")
RETURN = audit_action("platform_test.filing.return", "退回补正")
NOTICE_ENDS = audit_action("platform_test.claim.notice_ends", "自动公示结束")
VIEW = audit_action("platform_test.record.view", "查看")


@pytest.fixture
def three_events(bank_a, bank_officer, bureau_clerk):
    return [
        audit_record(
            by=bank_officer,
            action=SUBMIT,
            obj=bank_a,
            from_state="draft",
            to_state="submitted",
            reason="首次提交",
            data={"amount": "1000000.00"},
        ),
        audit_record(by=bureau_clerk, action=RETURN, obj=bank_a, reason="缺少质押登记通知书"),
        audit_record(by=None, action=NOTICE_ENDS, obj=bank_a),
    ]


@contextlib.contextmanager
def triggers_off():
    """Tamper as a database superuser would: switch the append-only guard off for a moment."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
            yield cursor
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
        else:
            triggers = dict(
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_auditevent'"
                ).fetchall()
            )
            for name in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            yield cursor
            for sql in triggers.values():
                cursor.execute(sql)


def test_each_event_chains_to_the_previous_one(three_events, bank_officer):
    first, second, third = three_events
    assert first.prev_hash == (
        AuditEvent.objects.filter(id__lt=first.id).order_by("-id").values_list("hash", flat=True).first()
        or GENESIS
    )
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    stored = AuditEvent.objects.get(pk=first.pk)
    assert compute_hash(stored.prev_hash, stored) == stored.hash
    assert stored.actor == bank_officer and stored.actor_name == "李经办"
    assert stored.organisation_name == "中国工商银行云浮分行"
    assert stored.object_type == "accounts.organisation" and stored.object_id == str(
        stored.organisation_id_at_time or first.object_id
    )
    assert three_events[2].actor is None and three_events[2].actor_name == "系统"


def test_the_request_address_is_recorded(client_for, bank_officer, bank_a, rf, settings):
    """The client address of common.client: the socket address, unless proxies are configured
    (tests/platform/test_client_address.py); a forged X-Forwarded-For is not recorded."""
    from yunfu_ipfund.common.middleware import current_request

    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1", REMOTE_ADDR="192.0.2.8")
    token = current_request.set(request)
    try:
        event = audit_record(by=bank_officer, action=VIEW, obj=bank_a)
    finally:
        current_request.reset(token)
    assert AuditEvent.objects.get(pk=event.pk).ip == "192.0.2.8"


def test_an_event_stores_its_action_code_and_label_and_a_bare_phrase_is_refused(three_events, bank_a):
    stored = AuditEvent.objects.get(pk=three_events[0].pk)
    assert (stored.code, stored.action) == ("platform_test.filing.submit", "提交备案")
    assert list(AuditEvent.objects.filter(code=SUBMIT.code)) == [stored]
    with pytest.raises(TypeError):
        audit_record(by=None, action="提交备案", obj=bank_a)


def test_the_action_code_is_in_the_hash(three_events):
    stored = AuditEvent.objects.get(pk=three_events[0].pk)
    stored.code = "platform_test.filing.confirm"
    assert compute_hash(stored.prev_hash, stored) != stored.hash


def test_verify_audit_chain_passes_on_an_untouched_log(three_events, capsys):
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "审计日志完整" in out and f"{AuditEvent.objects.count()} 条" in out


def test_verify_audit_chain_finds_a_changed_row_and_names_it(three_events):
    target = three_events[1]
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["材料齐全", target.pk])
    assert AuditEvent.objects.get(pk=target.pk).reason == "材料齐全"
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit_chain")
    assert f"事件 #{target.pk}" in str(caught.value)
    assert "篡改" in str(caught.value)


def test_verify_audit_chain_finds_a_changed_row_even_when_its_hash_is_recomputed(three_events):
    target = three_events[1]
    stored = AuditEvent.objects.get(pk=target.pk)
    stored.reason = "材料齐全"
    forged = compute_hash(stored.prev_hash, stored)
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET reason = %s, hash = %s WHERE id = %s",
            ["材料齐全", forged, target.pk],
        )
    checked, problems = verify_chain()
    assert problems and f"#{three_events[2].pk}" in problems[0]


def test_verify_audit_chain_finds_a_deleted_middle_row(three_events):
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [three_events[1].pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit_chain")
    assert f"事件 #{three_events[2].pk}" in str(caught.value)
    assert "删除" in str(caught.value)


def test_the_database_refuses_update_of_an_audit_row(three_events):
    target = three_events[0]
    error = atomic_refusal(AuditEvent.objects.filter(pk=target.pk).update, reason="改")
    assert error is not None and "append-only" in str(error)
    assert AuditEvent.objects.get(pk=target.pk).reason == "首次提交"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite leaves DELETE possible by design (common.db: Django's test flush deletes rows there); "
    "the hash chain still finds a deleted row (test above)",
)
def test_the_database_refuses_delete_of_an_audit_row(three_events):
    target = three_events[0]
    assert atomic_refusal(AuditEvent.objects.filter(pk=target.pk).delete) is not None
    assert atomic_refusal(AuditEvent.objects.get(pk=target.pk).delete) is not None
    assert AuditEvent.objects.filter(pk=target.pk).exists()


def test_the_database_refuses_raw_sql_updates_too(three_events):
    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    assert atomic_refusal(raw, "UPDATE audit_auditevent SET action = 'x'") is not None
    if connection.vendor == "postgresql":
        assert atomic_refusal(raw, "DELETE FROM audit_auditevent") is not None
    assert AuditEvent.objects.exclude(action="x").count() == AuditEvent.objects.count() >= 3


def test_the_audit_page_lists_and_searches_events_for_read_all_staff(three_events, login_as, bureau_clerk):
    client = login_as(bureau_clerk)
    html = client.get("/audit/").content.decode()
    assert "提交备案" in html and "退回补正" in html
    html = client.get("/audit/", {"q": "退回"}).content.decode()
    assert "退回补正" in html and "提交备案" not in html
