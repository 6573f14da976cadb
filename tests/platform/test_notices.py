"""Official notices: numbering without gaps, PDF rendering with embedded CJK fonts, public verification."""

import datetime as dt
import shutil
import subprocess

import pytest
import time_machine
from django.db import connection, transaction

from tests.conftest import postgres_only
from yunfu_ipfund.audit.actions import audit_action
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.money import amount_in_capitals
from yunfu_ipfund.notices import services, tasks
from yunfu_ipfund.notices.kinds import NoticeKind, register
from yunfu_ipfund.notices.models import Notice

from .conftest import run_in_threads

pytestmark = pytest.mark.django_db

OTHER_KIND = register(NoticeKind(code="platform_test_other", title="测试通知", prefix="云市监知测"))
NOON_2026 = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)
GENERAL_CONTEXT = {"paragraphs": ["经审核，现将有关事项告知如下。"]}


@pytest.fixture
def at_noon():
    with time_machine.travel(NOON_2026, tick=False) as traveller:
        yield traveller


# --- numbering ------------------------------------------------------------------------------------


def test_numbers_run_per_prefix_and_year_without_gaps(issue, fast_pdf, bank_a, bureau_approver, at_noon):
    numbers = [issue(bank_a, by=bureau_approver).number for _ in range(3)]
    assert numbers == ["云市监知告〔2026〕1号", "云市监知告〔2026〕2号", "云市监知告〔2026〕3号"]
    assert issue(bank_a, by=bureau_approver, kind=OTHER_KIND.code).number == "云市监知测〔2026〕1号"
    at_noon.move_to(dt.datetime(2027, 1, 4, 2, 0, tzinfo=dt.UTC))
    assert issue(bank_a, by=bureau_approver).number == "云市监知告〔2027〕1号"


def test_the_year_of_the_number_is_the_year_in_yunfu(issue, fast_pdf, bank_a, bureau_approver):
    with time_machine.travel(
        dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), tick=False
    ):  # 1 Jan 01:00 in Yunfu
        assert issue(bank_a, by=bureau_approver).number == "云市监知告〔2027〕1号"


def test_a_rolled_back_decision_gives_its_number_back(issue, fast_pdf, bank_a, bureau_approver, at_noon):
    issue(bank_a, by=bureau_approver)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notice_issue(
            kind="general", subject=bank_a, addressee=bank_a, context=GENERAL_CONTEXT, by=bureau_approver
        )
        raise RuntimeError("the deciding service failed after issuing")
    assert issue(bank_a, by=bureau_approver).number == "云市监知告〔2026〕2号"


def test_issuing_is_audited_and_notifies_addressee_and_copied_organisations(
    issue, fast_pdf, bank_a, enterprise_a, bank_officer, enterprise_user, bank_b_officer, bureau_approver
):
    notice = issue(bank_a, by=bureau_approver, copied_to=[enterprise_a, bank_a])
    assert list(notice.copied_to.all()) == [enterprise_a], "the addressee is not copied to itself"
    event = AuditEvent.objects.get(object_type="notices.notice", object_id=str(notice.pk))
    assert event.action == "签发文书" and event.actor == bureau_approver
    for user in (bank_officer, enterprise_user):
        assert user.messages.filter(title__contains=notice.number, url=f"/notices/{notice.pk}/").count() == 1
    assert not bank_b_officer.messages.exists()
    assert len(notice.verification_code) == 10 and notice.verification_code.isalnum()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_threads_issuing_at_once_get_forty_consecutive_numbers(fast_pdf, bank_a, bureau_approver):
    from yunfu_ipfund.accounts.models import Organisation

    def issue_five(_):
        addressee = Organisation.objects.get(pk=bank_a.pk)
        for _ in range(5):
            with transaction.atomic():
                services.notice_issue(
                    kind="general", subject=addressee, addressee=addressee, context=GENERAL_CONTEXT, by=None
                )

    assert run_in_threads(8, issue_five) == []
    year = Notice.objects.values_list("year", flat=True).first()
    sequences = sorted(Notice.objects.filter(prefix="云市监知告").values_list("sequence", flat=True))
    assert sequences == list(range(1, 41))
    assert len(set(Notice.objects.values_list("number", flat=True))) == 40
    assert Notice.objects.filter(number=f"云市监知告〔{year}〕40号").exists()


# --- rendering ------------------------------------------------------------------------------------


@pytest.fixture
def rendered_notice(issue, bank_a, bureau_approver, enterprise_a):
    context = {
        "paragraphs": ["你行报送的知识产权质押贷款备案材料已收悉。经审核，符合《管理办法》规定。"],
        "table": {
            "head": ["项目", "内容"],
            "rows": [["借款企业", "云浮市云石科技有限公司"], ["贷款金额", "1,000,000.00 元"]],
        },
        "amount": "1,000,000.00",
        "amount_capitals": amount_in_capitals("1000000.00"),
        "closing": ["特此告知。"],
    }
    return issue(bank_a, by=bureau_approver, copied_to=[enterprise_a], context=context)


def test_the_general_notice_renders_to_a_pdf_with_its_hash(rendered_notice):
    import hashlib

    assert rendered_notice.render_status == Notice.RenderStatus.RENDERED
    data = rendered_notice.pdf.read()
    assert data.startswith(b"%PDF-")
    assert rendered_notice.sha256 == hashlib.sha256(data).hexdigest()
    assert rendered_notice.render_attempts == 1 and rendered_notice.rendered_at is not None


@pytest.mark.skipif(
    not (shutil.which("pdffonts") and shutil.which("pdftotext")),
    reason="poppler-utils (pdffonts, pdftotext) is not installed",
)
def test_the_pdf_embeds_a_noto_cjk_font_and_carries_the_chinese_text_and_capitals(rendered_notice):
    path = rendered_notice.pdf.path
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    cjk_lines = [line for line in fonts.splitlines() if "Noto" in line and "CJK" in line]
    assert any("Serif-CJK-SC" in line for line in cjk_lines), fonts
    assert all(" yes " in line for line in cjk_lines), "every CJK font is embedded:\n" + fonts
    text = subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    for expected in (
        "云浮市市场监督管理局",
        rendered_notice.number,
        "告知书",
        "中国工商银行云浮分行：",
        "人民币壹佰万元整",
        "特此告知",
        "抄送：云浮市云石科技有限公司",
        rendered_notice.verification_code,
    ):
        assert expected in flat, expected
    assert "二〇二" in flat  # the date in Chinese numerals


def test_a_failed_render_leaves_the_decision_and_the_notice_and_is_retried_later(
    issue, monkeypatch, bank_a, bureau_approver, fast_pdf
):
    def broken(html):
        raise OSError("font cache unavailable")

    with time_machine.travel(NOON_2026, tick=False) as traveller:
        monkeypatch.setattr("yunfu_ipfund.notices.pdf.render_pdf_bytes", broken)
        with transaction.atomic():
            decision = audit_record(
                by=bureau_approver,
                action=audit_action("platform_test.claim.decide", "作出补偿决定"),
                obj=bank_a,
                to_state="decided",
            )
            notice = issue(bank_a, by=bureau_approver)
        notice.refresh_from_db()
        assert notice.render_status == Notice.RenderStatus.FAILED
        assert "OSError: font cache unavailable" in notice.render_error
        assert AuditEvent.objects.filter(pk=decision.pk).exists()
        tasks.retry_failed_renders()  # too soon: left for the next round
        assert Notice.objects.get(pk=notice.pk).render_attempts == 1

        monkeypatch.setattr("yunfu_ipfund.notices.pdf.render_pdf_bytes", lambda html: fast_pdf)
        traveller.shift(dt.timedelta(minutes=15))
        tasks.retry_failed_renders()
    notice.refresh_from_db()
    assert notice.render_status == Notice.RenderStatus.RENDERED
    assert notice.render_attempts == 2 and notice.render_error == ""
    tasks.retry_failed_renders()
    assert Notice.objects.get(pk=notice.pk).render_attempts == 2, "a rendered notice is left alone"


def test_retries_stop_after_the_maximum_attempts(issue, monkeypatch, bank_a):
    monkeypatch.setattr("yunfu_ipfund.notices.pdf.render_pdf_bytes", lambda html: 1 / 0)
    with time_machine.travel(NOON_2026, tick=False) as traveller:
        notice = issue(bank_a)
        for _ in range(services.MAX_RENDER_ATTEMPTS + 2):
            traveller.shift(dt.timedelta(minutes=15))
            tasks.retry_failed_renders()
    assert Notice.objects.get(pk=notice.pk).render_attempts == services.MAX_RENDER_ATTEMPTS


# --- public verification --------------------------------------------------------------------------


def test_verify_confirms_number_and_code_showing_addressee_time_and_hash_but_not_the_content(
    client, rendered_notice
):
    response = client.post(
        "/verify/", {"number": rendered_notice.number, "code": rendered_notice.verification_code.lower()}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证通过" in html
    assert rendered_notice.addressee.name in html
    assert rendered_notice.sha256 in html
    assert "年" in html and "日" in html
    assert "备案材料已收悉" not in html and "云浮市云石科技有限公司" not in html


def test_verify_accepts_ascii_brackets_in_the_number(client, rendered_notice):
    number = rendered_notice.number.replace("〔", "[").replace("〕", "]")
    assert (
        "验证通过"
        in client.get(
            "/verify/", {"number": number, "code": rendered_notice.verification_code}
        ).content.decode()
    )


@pytest.mark.parametrize(
    "number, code",
    [
        ("{number}", "WRONGCODE2"),
        ("{number}", ""),
        ("云市监知告〔2026〕999号", "{code}"),
        ("", "{code}"),
    ],
)
def test_verify_refuses_a_wrong_code_or_number_without_revealing_anything(
    client, rendered_notice, number, code
):
    data = {
        "number": number.format(number=rendered_notice.number),
        "code": code.format(code=rendered_notice.verification_code),
    }
    html = client.post("/verify/", data).content.decode()
    assert "验证通过" not in html
    assert rendered_notice.addressee.name not in html
    assert rendered_notice.sha256 not in html
    assert "未通过验证" in html


def test_verify_is_rate_limited_per_address(client, rendered_notice, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 3
    for _ in range(3):
        assert client.post("/verify/", {"number": "x", "code": "y"}).status_code == 200
    response = client.post(
        "/verify/", {"number": rendered_notice.number, "code": rendered_notice.verification_code}
    )
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    assert "验证通过" not in response.content.decode()
    other = client.post("/verify/", {"number": "x", "code": "y"}, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 200


def test_the_empty_verify_form_does_not_count_against_the_limit(client, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    for _ in range(3):
        assert client.get("/verify/").status_code == 200
    assert client.get("/verify/", {"number": "x", "code": "y"}).status_code == 200


def test_notices_about_lists_what_the_user_may_see(
    issue, fast_pdf, bank_a, bank_b, bank_officer, bank_b_officer, bureau_clerk
):
    from yunfu_ipfund.notices.selectors import notices_about

    mine = issue(bank_a, subject=bank_a)
    issue(bank_b, subject=bank_a)  # about bank A, but addressed to bank B
    assert list(notices_about(bank_a, bank_officer)) == [mine]
    assert len(notices_about(bank_a, bureau_clerk)) == 2
    assert len(notices_about(bank_a, bank_b_officer)) == 1
    assert connection.vendor in ("postgresql", "sqlite")
