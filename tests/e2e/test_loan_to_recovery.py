"""One loan through its whole life in a real browser, each role logging in through the login form:
the enterprise applies once the bureau clerk has recorded its credit check, the bank files the disbursed
loan, the bureau returns it once, the clerk passes its first review and the approver confirms it, the
loan goes bad, the bank claims, the bureau reviews and publishes, a citizen objects and the clerk rules
the objection unfounded, the approver decides after the period, finance pays, and the bank's recovery
flows back into the fund. Every step is done on the pages; the only thing the test does itself is move
the clock (time_machine, shared with the live server's thread) and run the daily reminder sweep, which in
production is a Celery beat task with no page (it reminds; it no longer decides).

Screenshots of each step go to var/screenshots/NN-*.png (ignored by git); `make screenshots` writes them
to docs/screenshots/ instead, the walkthrough the docs show. After the walk every notice it issued (sealed
with a demo CA of the test) is written page by page as notices/<kind>-<n>-<page>.png beside them, its text
and fonts checked with tests/pdfcheck.py, and the public check is done with the decision's QR link and by
uploading its PDF.

The calendar: credit check recorded and applied 2026-03-02, disbursed 2026-03-05, overdue from
2026-06-05, classified 次级 on 2026-09-07, published 2026-09-28 for 5 working days across the National Day
week (Oct 1-7 off), an objection on 2026-09-29 ruled unfounded on 2026-09-30, so the notice ends
2026-10-09; the sweep of 2026-10-12 reminds and the approver decides that day; paid 2026-10-12; recovery
received 2026-11-13, prepared by the bank officer and countersigned by the bank supervisor on 2026-11-16.
"""

import datetime as dt
import re
import subprocess
import zoneinfo
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection

from tests.factories import PASSWORD, make_org, make_user
from tests.pdfcheck import font_faults, needs_poppler, text_faults
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.identifiers import make_patent_number, make_uscc
from yunfu_ipfund.notices.models import Notice
from yunfu_ipfund.notices.qr import verify_link
from yunfu_ipfund.notices.services import notice_render, sweep_reminders
from yunfu_ipfund.notices.signing import DEMO_SIGNER_NAME, MSG_VALID

from .conftest import SCREENSHOTS, login, logout

pytestmark = pytest.mark.django_db(transaction=True)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
ENTERPRISE = "罗定市稻香农业发展有限公司"
MASKED = "罗定市**农业发展有限公司"
BANK = "中国农业银行股份有限公司云浮分行"
PATENT = make_patent_number("202210567893")
TRADEMARK = "41234567"
WRONG_CONTRACT = "NH-YF-2026-ZY-037"
CONTRACT = "NH-YF-2026-ZY-0037"


def make_pdf(title):
    """A small valid one-page PDF (ASCII text), built by hand with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 760 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_upload(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": make_pdf(name)}


class Clock:
    """Moves the process clock (the test and the live server thread alike); time keeps ticking."""

    def __init__(self):
        self.traveller = None

    def go(self, day, hour=9):
        self.stop()
        self.traveller = time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=TZ), tick=True)
        self.traveller.start()

    def stop(self):
        if self.traveller is not None:
            self.traveller.stop()
            self.traveller = None


@pytest.fixture
def clock():
    c = Clock()
    yield c
    c.stop()


def main_text(page):
    return page.locator("main").inner_text()


def card(page, heading):
    """The page's section whose heading is `heading` (a section's text may mention another's title)."""
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))


def flash(page):
    """The flash message after an action; when there is none, fail with what the page says instead."""
    messages = page.locator(".messages")
    try:
        messages.wait_for(timeout=5000)
    except Exception:
        page.screenshot(path="/tmp/e2e-no-message.png", full_page=True)
        raise AssertionError(f"no message on {page.url}:\n{main_text(page)[:3000]}") from None
    return messages.inner_text()


def pdf_text(page, click, path):
    """Click what downloads a PDF, keep it under `path`, and return its text (pdftotext)."""
    with page.expect_download() as info:
        click()
    info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), data[:20]
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"[ \t]+", " ", text)


def compact(text):
    return re.sub(r"\s+", "", text)


def download_notice(page, title, path):
    """From a page listing 相关文书, download the PDF of the notice whose title contains `title`."""
    item = page.locator("li", has_text=title).first
    return pdf_text(page, lambda: item.get_by_role("link", name="PDF").click(), path)


def as_user(page, username):
    login(page, username, PASSWORD)


def off_the_loop(fn, *args, **kwargs):
    """Call fn in a thread of its own. Playwright's sync API keeps an asyncio loop running in the test's
    thread, and the seal (pyhanko) calls asyncio.run, which refuses to start inside a running loop; in
    production the sweep and the renders run in a Celery worker, where no loop runs."""

    def call():
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def notices_to_png(tmp_path):
    """Every notice issued so far, rendered (the walk's tasks run eagerly, so normally already), each
    page written as SCREENSHOTS/notices/<kind>-<n>.png (pdftoppm, 70 dpi) and its text and fonts
    checked with tests/pdfcheck.py. Returns {kind: [png paths]} and the notices."""
    out = SCREENSHOTS / "notices"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    seen, pngs, faults = Counter(), {}, {}
    notices = list(Notice.objects.order_by("issued_at", "id"))
    assert notices, "the walk issued no notice"
    for notice in notices:
        if notice.render_status != Notice.RenderStatus.RENDERED:
            notice = off_the_loop(notice_render, notice.pk)
        assert notice.render_status == Notice.RenderStatus.RENDERED, (notice.number, notice.render_error)
        seen[notice.kind] += 1
        name = f"{notice.kind}-{seen[notice.kind]}"
        path = tmp_path / f"{name}.pdf"
        with notice.pdf.open("rb") as stored:
            path.write_bytes(stored.read())
        run = subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(path), str(out / name)], capture_output=True, text=True
        )
        assert run.returncode == 0, (name, run.stderr)
        pages = sorted(out.glob(f"{name}-*.png"))
        assert pages, f"pdftoppm wrote no page of {name}"
        pngs[name] = pages
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        problems = text_faults(text, allowed=[notice.verification_code]) + font_faults(path)
        if problems:
            faults[f"{name} {notice.number}"] = problems
    assert faults == {}, faults
    return pngs, notices


def verify_in_browser(page, shot, notice, tmp_path):
    """The public check as a citizen does it: the QR code's link, then the PDF uploaded on the page."""
    link = urlsplit(verify_link(notice))
    page.goto(f"{link.path}?{link.query}")
    answer = page.get_by_role("status")
    assert "验证通过：该文书由本平台签发" in answer.inner_text()
    assert notice.number in answer.inner_text() and notice.sha256 in answer.inner_text()
    shot(page, "33-public-verifies-qr-link")

    path = tmp_path / "uploaded.pdf"
    with notice.pdf.open("rb") as stored:
        path.write_bytes(stored.read())
    upload = page.locator("form[enctype='multipart/form-data']")
    upload.get_by_label("PDF 文件（不超过 10 MB）").set_input_files(str(path))
    upload.get_by_role("button", name="核验文件").click()
    page.locator("section.verified, section.not-verified, p.msg.error").last.wait_for()
    text = main_text(page)
    assert "核验通过：该文件是本平台签发的原件，电子签章有效" in text, text
    assert "与签发的文件一致：该文件与本平台签发的原件逐字节相同。" in text, text
    assert MSG_VALID in text and DEMO_SIGNER_NAME in text and notice.number in text, text
    shot(page, "34-public-verifies-uploaded-pdf")


@needs_poppler
def test_a_loan_from_application_to_recovery_through_the_pages(
    page, shot, clock, tmp_path, measures_and_fund, demo_seal
):
    page.on("dialog", lambda dialog: dialog.accept())
    clock.go(dt.date(2026, 3, 2))
    bureau = make_org("bureau", "云浮市市场监督管理局", make_uscc("11445300MB2C1234"))
    finance_org = make_org("finance", "云浮市财政局", make_uscc("11445300MB2C5678"))
    bank = make_org("bank", BANK, make_uscc("91445300MA4UG002"))
    enterprise = make_org("enterprise", ENTERPRISE, make_uscc("91445381MA51A002"))
    make_user("qiye_dx", enterprise, Role.ENTERPRISE_USER, full_name="黄稻香")
    make_user("nh_jb", bank, Role.BANK_OFFICER, full_name="赵经办")
    make_user("nh_fh", bank, Role.BANK_SUPERVISOR, full_name="钱复核")
    make_user("sjj_jb", bureau, Role.BUREAU_CLERK, full_name="吴经办")
    make_user("sjj_sh", bureau, Role.BUREAU_APPROVER, full_name="郑审核")
    make_user("czj", finance_org, Role.FINANCE, full_name="冯财政")

    # --- 0. The bureau approver admits the bank as a cooperating bank --------------------------------
    as_user(page, "sjj_sh")
    page.goto("/lenders/bureau/banks/")
    page.get_by_label("银行").select_option(label=BANK)
    page.get_by_label("合作协议编号").fill("YFZSCQ-HZ-2026-02")
    page.get_by_label("协议生效日期").fill("2026-01-01")
    page.get_by_label("协议到期日期").fill("2028-12-31")
    page.get_by_label("联系人").fill("赵经办")
    page.get_by_label("联系电话").fill("0766-8812002")
    page.get_by_role("button", name="准入并签发通知书").click()
    assert "已准入" in flash(page)
    assert BANK in main_text(page)
    shot(page, "00-bureau-admits-bank")
    logout(page)

    # --- 1. Enterprise: profile, IP assets, registration, eligibility, commitment, submit -------------
    as_user(page, "qiye_dx")
    page.goto("/applications/profile/")
    assert "尚未填写企业信息" in main_text(page)
    page.get_by_role("link", name="填写企业信息").click()
    page.get_by_label("法定代表人").fill("黄稻香")
    page.get_by_label("注册地址").fill("罗定市素龙街道稻香路18号")
    page.get_by_label("注册地所在县（市、区）").select_option("luoding")
    page.get_by_label("是否具有独立法人资格").select_option("yes")
    page.get_by_label("所属行业（划型标准）").select_option("industry")
    page.get_by_label("申报企业规模").select_option("micro")
    page.get_by_label("从业人员（人）").fill("18")
    page.get_by_label("上年营业收入（万元）").fill("260")
    page.get_by_label("资产总额（万元）").fill("410")
    page.get_by_label("最近按时报送年度报告的年度").fill("2025")
    page.get_by_role("button", name="保存").click()
    assert "企业信息已保存" in flash(page)
    page.get_by_role("button", name="作出信用声明").click()
    assert "信用声明已记录" in flash(page)
    body = main_text(page)
    assert "罗定市" in body and "微型企业" in body and "2026-03-02" in body
    shot(page, "01-enterprise-profile")

    page.goto("/applications/assets/new/")
    page.get_by_label("知识产权类型").select_option("invention")
    page.get_by_label("专利号/商标注册号/证书号").fill(PATENT)
    page.locator("#id_title").fill("一种富硒大米低温加工方法")
    page.get_by_label("授权/核准注册日").fill("2023-05-16")
    page.get_by_label("有效期至").fill("2042-09-27")
    page.get_by_label("专利年费缴至").fill("2026-09-27")
    page.get_by_role("button", name="保存").click()
    assert "已登记" in flash(page)
    page.goto("/applications/assets/new/")
    page.get_by_label("知识产权类型").select_option("trademark")
    page.get_by_label("专利号/商标注册号/证书号").fill(TRADEMARK)
    page.locator("#id_title").fill("罗定稻香")
    page.get_by_label("授权/核准注册日").fill("2020-06-07")
    page.get_by_label("有效期至").fill("2030-06-06")
    page.get_by_label("商标类别（尼斯分类第1—45类）").fill("30")
    page.get_by_role("button", name="保存").click()
    assert "已登记" in flash(page)
    page.goto("/applications/assets/")
    body = main_text(page)
    assert PATENT in body and "罗定稻香" in body
    shot(page, "02-enterprise-ip-assets")

    page.goto("/applications/registrations/new/")
    page.get_by_label("合作银行").select_option(label=BANK)
    page.get_by_label("申请金额（元）").fill("2000000")
    page.get_by_label("期限（月）").fill("12")
    page.get_by_label("贷款用途").fill("收购2026年早稻、扩建低温加工车间")
    page.get_by_label(re.compile(PATENT.replace(".", r"\."))).check()
    page.get_by_label(re.compile(TRADEMARK)).check()
    page.get_by_role("button", name="保存草稿").click()
    assert "草稿已保存" in flash(page)
    check_url = page.url
    checks = page.locator("ul.checks")
    # Everything passes but the bureau's credit check, which nobody has recorded yet (Art 7)
    failing = checks.locator("li.fail")
    assert failing.count() == 1, checks.inner_text()
    assert "市监局信用核查" in failing.inner_text() and "尚无核查记录" in failing.inner_text()
    assert "在云浮市注册" in checks.inner_text() and "专利年费已缴纳" in checks.inner_text()
    shot(page, "03-enterprise-eligibility-check")
    logout(page)

    # --- 1b. The bureau clerk looks the enterprise up and records the check, with the extract ----------
    as_user(page, "sjj_jb")
    page.goto("/applications/registrations/")
    page.locator("tr", has_text=ENTERPRISE).get_by_role("link").first.click()  # its draft, #n
    page.locator("dl.facts").get_by_role("link", name=ENTERPRISE).click()
    assert "尚未核查" in main_text(page)
    page.get_by_role("link", name="记录信用核查").click()
    page.get_by_label("查询来源").select_option("国家企业信用信息公示系统")
    assert page.get_by_label("查询日期").input_value() == "2026-03-02"
    page.get_by_label("企业及法定代表人近 36 个月有无不良信用记录").select_option("yes")
    page.get_by_label("是否按时报送年度报告").select_option("yes")
    page.get_by_label("核查说明（可不填）").fill(
        "经查国家企业信用信息公示系统，未列入经营异常名录和严重违法失信名单，2025年度年报已按时公示。"
    )
    page.get_by_label("查询结果截图或报告（PDF、JPEG、PNG）").set_input_files(
        pdf_upload("信用信息查询结果.pdf")
    )
    page.get_by_role("button", name="记录核查结果").click()
    assert "信用核查结果已记录" in flash(page)
    assert "2026-03-02 国家企业信用信息公示系统" in main_text(page)
    page.get_by_role("link", name="记录信用核查").click()
    history = page.locator("section", has_text="历次核查").inner_text()
    assert "2026-03-02" in history and "吴经办" in history and "下载" in history, history
    shot(page, "03b-bureau-clerk-records-credit-check")
    logout(page)

    as_user(page, "qiye_dx")
    page.goto(check_url)
    checks = page.locator("ul.checks")
    assert checks.locator("li.fail").count() == 0, checks.inner_text()
    assert "市监局已核查（国家企业信用信息公示系统，2026-03-02 查询）" in checks.inner_text()
    shot(page, "03c-enterprise-eligibility-passes")
    for box in page.locator("form input[type=checkbox]").all():
        box.check()
    page.get_by_role("button", name="签署并提交").click()
    assert f"已提交至{BANK}" in flash(page)
    assert "已提交" in main_text(page)
    shot(page, "04-enterprise-registration-submitted")
    logout(page)

    # --- 2. Bank officer accepts --------------------------------------------------------------------
    as_user(page, "nh_jb")
    assert "待受理" in main_text(page)
    page.get_by_role("link", name=re.compile(f"{ENTERPRISE}的质押融资申请")).click()
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("意见").fill("材料齐全，同意受理，进入授信审批。")
    page.get_by_role("button", name="提交银行意见").click()
    assert "已记录银行意见" in flash(page)
    assert "已受理" in main_text(page)
    shot(page, "05-bank-accepts-registration")
    logout(page)

    # ... the loan is approved and disbursed on 2026-03-05; the bank files it on Monday 2026-03-09.
    clock.go(dt.date(2026, 3, 9))
    as_user(page, "nh_jb")
    page.goto("/lenders/registrations/")
    page.get_by_role("link", name="报送备案").click()
    page.get_by_label("借款合同编号").fill(WRONG_CONTRACT)
    page.get_by_label("贷款金额（元）").fill("2000000.00")
    page.get_by_label("知识产权质押对应金额（元）").fill("1600000.00")
    page.get_by_label("其他担保方式").fill("法定代表人黄稻香个人连带责任保证")
    page.get_by_label("放款日期").fill("2026-03-05")
    page.get_by_label("到期日期").fill("2027-03-04")
    page.get_by_label("年利率（%）").fill("3.85")
    page.get_by_label("还款方式").select_option("interest_monthly")
    page.get_by_label(f"发明专利 {PATENT}：质押登记号").fill("Y2026980001234")
    page.get_by_label(f"{PATENT}：质押登记日期").fill("2026-03-04")
    page.get_by_label(f"注册商标 {TRADEMARK}：质押登记号").fill("ZC2026030400056")
    page.get_by_label(f"{TRADEMARK}：质押登记日期").fill("2026-03-04")
    shot(page, "06-bank-filing-form")
    page.get_by_role("button", name="保存").click()
    assert "备案草稿已保存" in flash(page)
    for kind, name in (
        ("loan_contract", "借款合同.pdf"),
        ("pledge_contract", "质押合同.pdf"),
        ("pledge_certificate", "质押登记通知书.pdf"),
        ("disbursement_voucher", "放款凭证.pdf"),
    ):
        page.get_by_label("材料类型").select_option(kind)
        page.get_by_label("文件（PDF、JPEG 或 PNG）").set_input_files(pdf_upload(name))
        page.get_by_role("button", name="上传").click()
        assert "材料已上传" in flash(page)
    body = main_text(page)
    assert "放款凭证.pdf" in body and "1,600,000.00" in body
    assert page.locator("ul.checks li.fail").count() == 0, page.locator("ul.checks").inner_text()
    shot(page, "07-bank-filing-draft-with-documents")
    logout(page)

    as_user(page, "nh_fh")
    page.goto("/lenders/filings/")
    page.get_by_role("link", name=WRONG_CONTRACT).click()
    page.get_by_role("button", name="复核并报送").click()
    assert "已报送" in flash(page)
    assert "审核期限" in main_text(page)
    shot(page, "08-bank-supervisor-submits-filing")
    logout(page)

    # --- 3. Bureau: returned once, corrected, resubmitted, confirmed ---------------------------------
    as_user(page, "sjj_jb")
    page.goto("/lenders/bureau/queue/")
    page.get_by_role("link", name=WRONG_CONTRACT).click()
    page.get_by_label("需补正事项（每行一项）").fill(
        f"借款合同编号与合同文本不一致：合同文本为 {CONTRACT}，请更正\n请重新上传加盖骑缝章的借款合同"
    )
    page.get_by_role("button", name="退回补正").click()
    assert "已退回补正" in flash(page)
    body = main_text(page)
    assert "退回补正事项" in body and CONTRACT in body
    shot(page, "09-bureau-returns-filing")
    logout(page)

    as_user(page, "nh_jb")
    page.goto("/lenders/filings/")
    page.get_by_role("link", name=WRONG_CONTRACT).click()
    assert "补正期限" in main_text(page)
    page.get_by_role("link", name="修改备案信息").click()
    page.get_by_label("借款合同编号").fill(CONTRACT)
    page.get_by_role("button", name="保存").click()
    assert "备案已修改" in flash(page)
    page.get_by_label("材料类型").select_option("loan_contract")
    page.get_by_label("文件（PDF、JPEG 或 PNG）").set_input_files(pdf_upload("借款合同（骑缝章）.pdf"))
    page.get_by_role("button", name="上传").click()
    assert "材料已上传" in flash(page)
    assert CONTRACT in page.locator("h1").inner_text()
    shot(page, "10-bank-corrects-filing")
    logout(page)

    as_user(page, "nh_fh")
    page.goto("/lenders/filings/")
    page.get_by_role("link", name=CONTRACT).click()
    page.get_by_role("button", name="复核并报送").click()
    assert "已报送" in flash(page)
    logout(page)

    as_user(page, "sjj_jb")
    page.goto("/lenders/bureau/queue/")
    page.get_by_role("link", name=CONTRACT).click()
    assert page.get_by_role("button", name="确认纳入风险补偿").count() == 0  # not the clerk's to confirm
    page.get_by_label("初审意见（可空）").fill("已核对更正后的借款合同编号和骑缝章合同文本，材料齐全。")
    page.get_by_role("button", name="初审通过").click()
    assert "已初审通过，提交审核人审核决定" in flash(page)
    assert "吴经办" in page.locator("dl.facts").first.inner_text()
    shot(page, "10b-bureau-clerk-first-review")
    logout(page)

    as_user(page, "sjj_sh")
    page.goto("/lenders/bureau/queue/")
    page.get_by_role("link", name=CONTRACT).click()
    assert page.get_by_role("button", name="初审通过").count() == 0
    page.locator("#c-reason").fill("经审核，材料齐全，符合《管理办法》第八条至第十条规定。")
    page.get_by_role("button", name="确认纳入风险补偿").click()
    assert "已确认纳入风险补偿范围" in flash(page)
    assert "已确认" in page.locator("dl.facts").first.inner_text()
    shot(page, "11-bureau-confirms-filing")
    logout(page)

    as_user(page, "nh_jb")
    page.goto("/lenders/filings/")
    page.get_by_role("link", name=CONTRACT).click()
    text = download_notice(page, "备案确认书", tmp_path / "confirmation-bank.pdf")
    assert CONTRACT in text and "2,000,000.00" in text, text
    shot(page, "12-bank-filing-confirmed-notices")
    logout(page)

    as_user(page, "qiye_dx")
    page.goto("/notices/")
    row = page.locator("tr", has_text="备案确认书").first
    row.get_by_role("link").first.click()
    download = page.get_by_role("link", name="下载 PDF")
    text = pdf_text(page, lambda: download.click(), tmp_path / "confirmation-enterprise.pdf")
    assert CONTRACT in text and "2,000,000.00" in text, text
    shot(page, "13-enterprise-downloads-confirmation")
    logout(page)

    # --- 4. The loan defaults: overdue, then 次级 ------------------------------------------------------
    clock.go(dt.date(2026, 6, 15))
    as_user(page, "nh_jb")
    page.goto("/lenders/loans/")
    page.get_by_role("link", name=CONTRACT).click()
    page.get_by_label("逾期起始日").fill("2026-06-05")
    page.get_by_label("逾期金额（元）").fill("2000000.00")
    page.locator("#id_overdue-note").fill("借款人未按期付息，本行宣布贷款提前到期")
    page.get_by_role("button", name="报告逾期").click()
    assert "请确认：报告逾期" in page.locator("h1").inner_text()  # confirmed after validation
    page.get_by_role("button", name="确认报告逾期").click()
    assert "报告逾期已记录" in flash(page)
    assert "逾期" in page.locator("dl.facts").inner_text()
    shot(page, "14-bank-reports-overdue")
    logout(page)

    clock.go(dt.date(2026, 9, 7))
    as_user(page, "nh_jb")
    page.goto("/lenders/loans/")
    page.get_by_role("link", name=CONTRACT).click()
    page.get_by_label("风险分类").select_option("substandard")
    page.get_by_label("分类日期").fill("2026-09-07")
    page.locator("#id_classification-note").fill("逾期超过90天，经分行审批下调为次级")
    page.get_by_role("button", name="调整风险分类").click()
    assert "请确认：调整风险分类" in page.locator("h1").inner_text()
    page.get_by_role("button", name="确认调整风险分类").click()
    assert "调整风险分类已记录" in flash(page)
    facts = page.locator("dl.facts").inner_text()
    assert "次级" in facts and "2026-09-07 认定不良" in facts
    shot(page, "15-bank-classifies-substandard")

    # --- 5. Claim: prepared, submitted, supplement, accepted, first and second review ----------------
    page.get_by_role("link", name="申请风险补偿").click()
    loan_select = page.get_by_label("在保贷款（已认定不良）")
    loan_select.select_option(loan_select.locator("option", has_text=CONTRACT).get_attribute("value"))
    page.get_by_label("未收回本金（元）").fill("2000000.00")
    page.get_by_label("已采取的催收和追偿措施").fill(
        "2026年6月起电话催收12次、上门催收3次；2026年7月发送律师函；已对保证人发出履行保证责任通知。"
    )
    page.get_by_role("button", name="创建申请").click()
    assert "补偿申请已创建" in flash(page)
    evidence = page.locator("form[action$='/evidence/']")
    for kind, name in (
        ("loan_contract", "借款合同"),
        ("pledge_contract", "质押合同"),
        ("pledge_registration", "质押登记通知书"),
        ("disbursement_voucher", "放款凭证"),
        ("repayment_record", "还款流水"),
        ("classification_approval", "五级分类下调审批表"),
        ("collection_notices", "催收通知及送达回证"),
        ("bank_internal_approval", "分行审批意见"),
        ("truthfulness_undertaking", "真实性承诺书"),
    ):
        evidence.get_by_label("材料类型").select_option(kind)
        evidence.get_by_label("文件（PDF、JPEG 或 PNG）").set_input_files(pdf_upload(f"{name}.pdf"))
        evidence.get_by_role("button", name="上传").click()
        assert "材料已上传" in flash(page)
    not_applicable = page.locator("form[action$='/not_applicable/']")
    for kind, reason in (
        ("litigation_papers", "尚未起诉，正与保证人协商还款"),
        ("disposal_evidence", "质押专利、商标尚未处置，已委托评估"),
    ):
        not_applicable.get_by_label("材料类型").select_option(kind)
        not_applicable.get_by_label("不适用理由").fill(reason)
        not_applicable.get_by_role("button", name="标记不适用").click()
        assert "已标记为不适用" in flash(page)
    assert "完整度 100%" in main_text(page)
    shot(page, "16-bank-prepares-claim")
    claim_url = page.url
    logout(page)

    as_user(page, "nh_fh")
    page.goto(claim_url)
    page.get_by_role("button", name="复核并提交").click()
    assert "申请已提交市监局" in flash(page)
    assert "已提交，待受理" in page.locator("h1").inner_text()
    shot(page, "17-bank-supervisor-submits-claim")
    logout(page)

    as_user(page, "sjj_jb")
    page.goto("/compensation/")
    page.locator("section", has_text="待受理").get_by_role("link").first.click()
    page.get_by_label("D02 材料不清晰或不完整").check()
    page.get_by_label("说明").fill("催收通知送达回证扫描件不清晰，请重新扫描上传")
    page.get_by_role("button", name="通知补充材料").click()
    assert "补充材料通知书已签发" in flash(page)
    assert "待补充材料" in page.locator("h1").inner_text()
    shot(page, "18-bureau-requests-supplement")
    logout(page)

    clock.go(dt.date(2026, 9, 14))
    as_user(page, "nh_jb")
    page.goto(claim_url)
    evidence = page.locator("form[action$='/evidence/']")
    evidence.get_by_label("材料类型").select_option("collection_notices")
    evidence.get_by_label("文件（PDF、JPEG 或 PNG）").set_input_files(
        pdf_upload("催收通知及送达回证（重新扫描）.pdf")
    )
    evidence.get_by_role("button", name="上传").click()
    assert "材料已上传" in flash(page)
    shot(page, "19-bank-supplements-claim")
    logout(page)

    as_user(page, "nh_fh")
    page.goto(claim_url)
    page.get_by_role("button", name="复核并提交").click()
    assert "申请已提交市监局" in flash(page)
    logout(page)

    as_user(page, "sjj_jb")
    page.goto(claim_url)
    page.get_by_role("button", name="受理", exact=True).click()
    assert "已受理" in flash(page)
    page.locator("input[name^=rule_]").first.fill("材料齐全，与备案信息一致")
    page.get_by_label("初审意见").fill(
        "经审查，该笔贷款已纳入风险补偿范围，认定不良后在期限内申请，材料齐全，建议全额补偿。"
    )
    page.get_by_role("button", name="提交初审").click()
    assert "初审意见已提交" in flash(page)
    assert "已初审，待复审" in page.locator("h1").inner_text()
    shot(page, "20-bureau-first-review")
    logout(page)

    as_user(page, "sjj_sh")
    page.goto(claim_url)
    assert "补偿金额测算" in main_text(page)
    page.get_by_label("复审结论").select_option("full")
    page.get_by_label("复审意见或理由").fill("同意初审意见，拟全额补偿，予以公示。")
    page.get_by_role("button", name="提交复审").click()
    assert "请确认：提交复审结论" in page.locator("h1").inner_text()  # confirmed after validation
    page.get_by_role("button", name="确认提交复审结论").click()
    assert "复审结论已提交" in flash(page)
    assert "拟补偿，待公示" in page.locator("h1").inner_text()
    assert "640,000.00" in main_text(page)
    shot(page, "21-bureau-second-review-approves")
    logout(page)

    # --- 6. Public notice, masked; the period ends across National Day; decided ---------------------
    clock.go(dt.date(2026, 9, 28))
    as_user(page, "sjj_jb")
    page.goto("/compensation/")
    page.locator("section", has_text="待公示").get_by_role("link").first.click()
    page.get_by_role("button", name="发布公示").click()
    assert "已发布公示" in flash(page)
    facts = page.locator("dl.facts").first.inner_text()
    assert "公示中" in page.locator("h1").inner_text() and "2026-09-28 至 2026-10-09" in facts
    shot(page, "22-bureau-publishes-notice")
    logout(page)

    page.goto("/compensation/public/")
    page.get_by_role("link", name=re.compile("第 .* 批")).first.click()
    body = main_text(page)
    assert MASKED in body and ENTERPRISE not in body and "稻香" not in body
    assert "2026年09月28日 至 2026年10月09日" in body and "640,000.00" in body
    shot(page, "23-public-notice-masked")
    public_url = page.url

    clock.go(dt.date(2026, 9, 29))
    page.goto(public_url)
    page.get_by_label("真实姓名").fill("陈志远")
    page.get_by_label("联系方式（手机号码或电子邮箱）").fill("13902661234")
    page.get_by_label("异议内容").fill(
        "据我所知，该企业2026年8月已将质押的发明专利转让他人，银行申请补偿时质押物可能已不存在，请核实。"
    )
    shot(page, "23b-public-files-objection")
    page.get_by_role("button", name="提交异议").click()
    assert "您的异议已收到" in flash(page)

    clock.go(dt.date(2026, 9, 30))
    as_user(page, "sjj_jb")
    page.goto(claim_url)
    objections = card(page, "公示异议")
    assert "陈志远" in objections.inner_text() and "质押的发明专利转让" in objections.inner_text()
    objections.get_by_label("认定结论").select_option("unfounded")
    objections.get_by_label("认定理由（将答复异议人）").fill(
        f"经向国家知识产权局查询，专利 {PATENT} 权利人仍为借款企业，质押登记有效，未发生转让，异议不成立。"
    )
    objections.get_by_role("button", name="记录认定").click()
    assert "异议认定已记录" in flash(page)
    objections = card(page, "公示异议").inner_text()
    assert "不成立" in objections and "吴经办" in objections, objections
    assert "公示中" in page.locator("h1").inner_text()  # the period runs on
    shot(page, "23c-bureau-clerk-rules-objection-unfounded")
    logout(page)

    clock.go(dt.date(2026, 10, 12))
    off_the_loop(sweep_reminders)  # the daily beat task: it reminds the approver, it decides nothing
    as_user(page, "sjj_sh")
    page.goto("/compensation/")
    ripe = page.locator("section", has_text="公示期满，待作出补偿决定")
    ripe.get_by_role("link").first.click()
    assert urlsplit(page.url).path == urlsplit(claim_url).path, page.url
    assert "公示中" in page.locator("h1").inner_text()
    decision = card(page, "作出补偿决定")
    assert "公示期已于 2026-10-09 届满" in decision.inner_text(), decision.inner_text()
    shot(page, "23d-approver-decides-after-notice")
    decision.get_by_role("button", name="作出补偿决定").click()
    assert "已作出补偿决定" in flash(page)
    assert "已决定补偿" in page.locator("h1").inner_text()
    text = download_notice(page, "决定", tmp_path / "decision.pdf")
    assert "陆拾肆万元整" in compact(text) and CONTRACT in text, text
    assert "公示期间收到的异议经核实不成立" in compact(text), text  # not 无异议: there was one
    shot(page, "24-claim-decided")

    # --- 7. Payment ----------------------------------------------------------------------------------
    page.get_by_role("button", name="下达拨付通知").click()
    assert "拨付通知书已签发" in flash(page)
    shot(page, "25-bureau-instructs-payment")
    logout(page)

    as_user(page, "czj")
    page.goto(claim_url)
    page.get_by_label("凭证号").fill("YFZH-2026-1012-001")
    page.get_by_label("起息日（记账日期）").fill("2026-10-12")
    page.get_by_role("button", name="确认拨付").click()
    assert "请确认：拨付" in page.locator("h1").inner_text()  # confirmed after validation
    page.get_by_role("button", name="确认拨付").click()
    assert "已确认拨付" in flash(page)
    assert "已拨付" in page.locator("h1").inner_text()
    shot(page, "26-finance-confirms-payment")
    page.goto("/fund/journal/")
    payout = page.locator("tr", has_text="YFZH-2026-1012-001")
    assert "代偿拨付" in payout.inner_text() and "2026-10-12" in payout.inner_text()
    shot(page, "27-fund-journal-payout")
    payout.get_by_role("link").first.click()
    entries = page.get_by_role("table", name="分录（借贷合计为零）").inner_text()
    assert entries.count("640,000.00") >= 2, entries  # the special account pays out what was decided
    shot(page, "28-fund-payout-posting")
    logout(page)

    # --- 8. Recovery ---------------------------------------------------------------------------------
    clock.go(dt.date(2026, 11, 16))
    as_user(page, "nh_jb")
    page.goto(claim_url)
    page.get_by_label("收到追偿款日期").fill("2026-11-13")
    page.get_by_label("追偿金额（元）").fill("300000.00")
    page.get_by_label("有据可查的追偿费用（元）").fill("20000.00")
    page.get_by_label("追偿情况说明").fill("保证人黄稻香履行保证责任代偿30万元，律师费2万元。")
    page.get_by_label("证明材料").set_input_files(pdf_upload("代偿回单及律师费发票.pdf"))
    page.get_by_role("button", name="提交复核").click()
    assert "待本行复核人员复核" in flash(page)
    drafts = page.locator("section", has_text="待复核的追偿报告")
    assert "300,000.00" in drafts.inner_text() and "280,000.00" in drafts.inner_text()
    # nothing reaches the bureau yet
    assert "追偿款返还通知书" not in page.locator("section", has_text="相关文书").inner_text()
    shot(page, "29-bank-reports-recovery")
    logout(page)

    as_user(page, "nh_fh")
    page.goto(claim_url)
    drafts = page.locator("section", has_text="待复核的追偿报告")
    assert "赵经办" in drafts.inner_text()
    drafts.get_by_role("button", name="复核并报告").click()
    assert "追偿报告已复核并报告市监局" in flash(page)
    recovery = page.locator("section", has_text="追偿与返还")
    assert "300,000.00" in recovery.inner_text() and "89,600.00" in recovery.inner_text()
    shot(page, "29b-bank-supervisor-countersigns-recovery")

    text = download_notice(page, "返还", tmp_path / "recovery-return.pdf")
    assert "捌万玖仟陆佰元整" in compact(text) and "89,600.00" in text, text
    logout(page)

    as_user(page, "czj")
    page.goto(claim_url)
    recovery = page.locator("section", has_text="追偿与返还")
    recovery.get_by_label("凭证号").fill("YFZH-2026-1118-002")
    shot(page, "30-finance-confirms-recovery-return")
    recovery.get_by_role("button", name="确认到账").click()
    assert "已确认追偿返还款到账" in flash(page)
    recovery = page.locator("section", has_text="追偿与返还")
    assert "已返还" in recovery.inner_text()
    ledger = page.locator("section", has_text="资金记账").inner_text()
    assert "640,000.00" in ledger or "640000.00" in ledger
    assert "89,600.00" in ledger or "89600.00" in ledger, ledger
    shot(page, "31-recovery-returned-ledger")
    page.goto("/fund/journal/")
    shot(page, "32-fund-journal-after-recovery")
    logout(page)

    # --- 9. Every notice the walk issued, as PNG pages; the public check of one ----------------------
    pngs, notices = notices_to_png(tmp_path)
    assert sorted({notice.kind for notice in notices}) == [
        "claim_acceptance",
        "claim_decision",
        "claim_payment_instruction",
        "claim_public_notice",
        "claim_recovery_return",
        "claim_supplement",
        "lenders_bank_admission",
        "lenders_filing_confirmation",
        "lenders_filing_return",
    ], sorted(pngs)
    decision = next(n for n in notices if n.kind != "platform_test" and "决定" in n.title)
    verify_in_browser(page, shot, decision, tmp_path)
