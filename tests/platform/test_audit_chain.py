"""The keyed, complete, anchored audit chain (issue 12, item 2): the five tamperings of the attack on the
log, each found by `manage.py verify_audit_chain` (non-zero exit, the first bad event named) and by the
/audit/verify/ page; every stored field is in the hash; key rotation is recorded in the chain."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yunfu_ipfund.audit.actions import audit_action
from yunfu_ipfund.audit.anchors import append_anchor, chain_head, read_anchors
from yunfu_ipfund.audit.hashing import HASHED_FIELDS, canonical, compute_hash
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import KEY_ROTATION, audit_record, verify_chain

from .test_audit import triggers_off

# db_owner: the tests tamper with the log as the owner of the table would (the runtime role cannot).
pytestmark = [pytest.mark.django_db, pytest.mark.db_owner]

SUBMIT = audit_action("platform_test.filing.submit", "提交备案")
RETURN = audit_action("platform_test.filing.return", "退回补正")


@pytest.fixture(autouse=True)
def anchors(settings, tmp_path):
    settings.AUDIT_ANCHOR_DIR = str(tmp_path / "anchors")
    return tmp_path / "anchors" / "checkpoints.jsonl"


@pytest.fixture
def events(bank_a, bank_officer, bureau_clerk):
    made = [
        audit_record(by=bank_officer, action=SUBMIT, obj=bank_a, reason="首次提交", data={"amount": "1.00"}),
        audit_record(by=bureau_clerk, action=RETURN, obj=bank_a, reason="缺少质押登记通知书"),
        audit_record(by=bank_officer, action=SUBMIT, obj=bank_a, reason="再次提交"),
        audit_record(by=None, action=RETURN, obj=bank_a),
    ]
    return [AuditEvent.objects.get(pk=e.pk) for e in made]


def failure():
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit_chain")
    return str(caught.value)


def tamper(sql, params):
    with triggers_off() as cursor:
        cursor.execute(sql, params)


# --- every stored field is hashed -----------------------------------------------------------------


def test_the_hash_covers_every_stored_field_of_the_model_but_the_hash_itself():
    stored = {f.name for f in AuditEvent._meta.concrete_fields} - {"hash"}
    assert set(HASHED_FIELDS) == stored


def test_changing_any_hashed_field_changes_the_hash(events):
    event = events[1]
    original = compute_hash(event.prev_hash, event)
    assert original == event.hash
    for name in HASHED_FIELDS:
        field = AuditEvent._meta.get_field(name)
        saved = getattr(event, field.attname)
        if name == "at":
            changed = saved.replace(microsecond=(saved.microsecond + 1) % 1_000_000)
        elif name == "data":
            changed = {"x": 1}
        elif name == "ip":
            changed = "192.0.2.99"
        elif name in ("id", "actor", "organisation_id_at_time"):
            changed = (saved or 0) + 1
        else:
            changed = (saved or "") + "改"
        setattr(event, field.attname, changed)
        if name == "key_id":
            assert canonical(event) != canonical(AuditEvent.objects.get(pk=event.pk)), name
        else:
            assert compute_hash(event.prev_hash, event) != original, name
        setattr(event, field.attname, saved)


def test_the_hash_is_keyed_a_plain_sha256_is_not_it(events, settings):
    event = events[0]
    assert event.key_id == settings.AUDIT_HMAC_KEY_ID
    assert event.hash != hashlib.sha256(canonical(event)).hexdigest()
    settings.AUDIT_HMAC_KEY = "another-key-of-at-least-thirty-two-characters"
    assert compute_hash(event.prev_hash, event) != event.hash


def test_an_untouched_chain_with_its_checkpoint_verifies(events, capsys, anchors):
    append_anchor(chain_head())
    assert len(read_anchors()) == 1
    call_command("verify_audit_chain")
    assert f"已校验 {AuditEvent.objects.count()} 条记录" in capsys.readouterr().out


# --- the five tamperings ----------------------------------------------------------------------------


def test_1_a_changed_object_repr_is_found_and_named(events):
    target = events[1]
    tamper("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["另一家银行", target.pk])
    message = failure()
    assert f"事件 #{target.pk}（" in message and "内容与哈希不符" in message


def test_2_a_changed_organisation_name_is_found_and_named(events):
    target = events[2]
    tamper("UPDATE audit_auditevent SET organisation_name = %s WHERE id = %s", ["某某银行", target.pk])
    message = failure()
    assert f"事件 #{target.pk}（" in message and "内容与哈希不符" in message


def test_3_deleting_the_newest_rows_is_found_by_the_checkpoint(events):
    append_anchor(chain_head())
    total = AuditEvent.objects.count()
    head = events[-1]
    tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[2].pk])
    assert verify_chain()[0] == total - 2  # the rest of the chain is intact...
    message = failure()  # ...but the checkpoint remembers the head
    assert f"事件 #{events[1].pk} 之后的记录缺失" in message
    assert f"最新事件 #{head.pk}" in message and f"共 {total} 条" in message and "最新的记录被删除" in message


def test_4_an_edited_row_with_every_later_hash_recomputed_without_the_key_is_found(events):
    """The attacker edits a row and recomputes the chain from there on as it was computed before
    (SHA-256, no key): the first edited row is named (its HMAC does not match)."""
    target = events[1]
    rows = list(AuditEvent.objects.filter(id__gte=target.pk).order_by("id"))
    previous = target.prev_hash
    with triggers_off() as cursor:
        for row in rows:
            if row.pk == target.pk:
                row.reason = "材料齐全"
            row.prev_hash = previous
            row.hash = hashlib.sha256(canonical(row)).hexdigest()
            cursor.execute(
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [row.reason, row.prev_hash, row.hash, row.pk],
            )
            previous = row.hash
    message = failure()
    assert f"事件 #{target.pk}（" in message and "内容与哈希不符" in message
    assert f"事件 #{rows[1].pk}（" not in message  # the first bad event, not every later one


def test_5_an_edited_hashed_field_is_found_and_named(events):
    target = events[2]
    tamper("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["材料齐全", target.pk])
    message = failure()
    assert f"事件 #{target.pk}（" in message and "篡改" in message


def test_a_chain_rewritten_with_the_key_still_disagrees_with_the_checkpoint(events):
    """Even someone who holds the key cannot rewrite history written before the last checkpoint."""
    append_anchor(chain_head())
    target = events[1]
    rows = list(AuditEvent.objects.filter(id__gte=target.pk).order_by("id"))
    previous = target.prev_hash
    with triggers_off() as cursor:
        for row in rows:
            if row.pk == target.pk:
                row.reason = "材料齐全"
            row.prev_hash = previous
            row.hash = compute_hash(previous, row)
            cursor.execute(
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [row.reason, row.prev_hash, row.hash, row.pk],
            )
            previous = row.hash
    message = failure()
    assert f"事件 #{events[-1].pk}：哈希" in message and "与" in message and "被改写" in message


def test_a_row_deleted_in_the_middle_and_the_chain_rewritten_with_the_key_disagrees_on_the_count(events):
    append_anchor(chain_head())
    rows = list(AuditEvent.objects.filter(id__gt=events[1].pk).order_by("id"))
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    previous = events[1].prev_hash
    with triggers_off() as cursor:
        for row in rows:
            row.prev_hash = previous
            row.hash = compute_hash(previous, row)
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [row.prev_hash, row.hash, row.pk],
            )
            previous = row.hash
    message = failure()
    assert f"事件 #{events[-1].pk}" in message


def test_a_changed_checkpoint_line_is_reported(events, anchors):
    append_anchor(chain_head())
    anchors.write_text(anchors.read_text() + "not json\n")
    assert "检查点文件中有一行无法识别" in failure()


# --- key rotation -----------------------------------------------------------------------------------


def test_a_key_rotation_is_announced_in_the_chain_under_the_old_key(events, settings, bank_a):
    old_id, old_key = settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY = "2027-01", "a-new-key-of-at-least-thirty-two-chars!"
    settings.AUDIT_HMAC_OLD_KEYS = {old_id: old_key}
    after = audit_record(by=None, action=SUBMIT, obj=bank_a)
    rotation = AuditEvent.objects.filter(id__lt=after.pk).order_by("-id").first()
    assert rotation.code == KEY_ROTATION.code and rotation.key_id == old_id
    assert rotation.data == {"old_key_id": old_id, "new_key_id": "2027-01"}
    assert AuditEvent.objects.get(pk=after.pk).key_id == "2027-01"
    assert verify_chain()[1] == []
    again = audit_record(by=None, action=SUBMIT, obj=bank_a)  # announced once
    assert AuditEvent.objects.filter(code=KEY_ROTATION.code).count() == 1 and again.key_id == "2027-01"
    settings.AUDIT_HMAC_OLD_KEYS = {}  # the old key forgotten: the earlier events cannot be verified
    assert "未配置" in failure()


def test_a_key_id_changed_without_a_rotation_event_is_found(events):
    target = events[2]
    tamper("UPDATE audit_auditevent SET key_id = %s WHERE id = %s", ["forged", target.pk])
    message = failure()
    assert f"事件 #{target.pk}（" in message and "轮换事件" in message


# --- the page ---------------------------------------------------------------------------------------


def test_the_verification_page_shows_the_same_result(events, login_as, bureau_clerk, bank_officer):
    client = login_as(bureau_clerk)
    response = client.get("/audit/verify/")
    assert response.status_code == 200 and "审计日志完整" in response.content.decode()
    tamper("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["另一家银行", events[1].pk])
    html = client.get("/audit/verify/").content.decode()
    assert "审计日志校验失败" in html and f"事件 #{events[1].pk}（" in html
    assert login_as(bank_officer).get("/audit/verify/").status_code == 404


def test_the_canonical_form_is_plain_sorted_json(events):
    payload = json.loads(canonical(events[0]))
    assert list(payload) == sorted(payload) and payload["organisation_name"] == "中国工商银行云浮分行"
    assert connection.vendor in ("postgresql", "sqlite")


# --- the daily checkpoint ---------------------------------------------------------------------------


def test_the_daily_check_anchors_the_head_in_the_file_and_in_a_notice_once_a_day(
    events, bureau, finance_bureau
):
    from yunfu_ipfund.notices.checkpoint import AUDIT_CHECKPOINT
    from yunfu_ipfund.notices.checks import run_daily_checks
    from yunfu_ipfund.notices.models import Notice

    head = AuditEvent.objects.order_by("-id").first()
    run_daily_checks()
    [anchor] = read_anchors()
    assert (anchor.last_id, anchor.last_hash, anchor.count) == (
        head.pk,
        head.hash,
        AuditEvent.objects.filter(id__lte=head.pk).count(),
    )
    notice = Notice.objects.get(kind=AUDIT_CHECKPOINT)
    assert notice.addressee == bureau and list(notice.copied_to.all()) == [finance_bureau]
    assert f"#{head.pk}" in str(notice.context) and head.hash[:8] in str(notice.context)
    run_daily_checks()
    assert Notice.objects.filter(kind=AUDIT_CHECKPOINT).count() == 1 and len(read_anchors()) == 2
    assert verify_chain()[1] == []
    tamper("DELETE FROM audit_auditevent WHERE id >= %s", [head.pk])
    assert "最新的记录被删除" in failure()


# --- concurrency ------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_appends_keep_one_linear_chain(bank_a):
    from django.db import transaction

    from tests.conftest import run_in_parallel

    def append(i):
        def call():
            with transaction.atomic():
                return audit_record(by=None, action=SUBMIT, obj=bank_a, reason=f"并发 {i}").pk

        return call

    results = run_in_parallel(*(append(i) for i in range(8)))
    assert all(isinstance(r, int) for r in results), results
    rows = list(AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash"))
    assert all(later[1] == earlier[2] for earlier, later in zip(rows, rows[1:], strict=False))
    assert verify_chain()[1] == []
