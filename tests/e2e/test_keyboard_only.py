"""Issue 14 item 6: keyboard only. The enterprise completes its loan application (质押融资登记: new → save
→ sign → submit) and the bank its filing (报送备案 → save) with Tab, Space, Enter, arrow keys and typing —
no click — and every control reached shows its focus ring."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.demo import _accept
from applications.models import LoanRegistration
from yunfu_ipfund.accounts.management.commands.seed_demo import DEMO_PASSWORD
from yunfu_ipfund.accounts.models import User

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

FOCUS_RING = """el => {
    const s = getComputedStyle(el);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
}"""


def tab_to(page, target, limit=150):
    """Press Tab until `target` (a locator) has the focus; it must show a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert target.evaluate(FOCUS_RING), f"no visible focus on {target}"
            return
    raise AssertionError(f"Tab never reached {target}")


def type_into(page, target, text):
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, select, label):
    """A drop-down, by the arrow keys: down (then up) until the option named `label` is selected."""
    tab_to(page, select)
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(60):
            if label in select.evaluate("el => el.selectedOptions[0] ? el.selectedOptions[0].text : ''"):
                return
            page.keyboard.press(key)
    raise AssertionError(f"no option {label} in {select}")


def press_button(page, name):
    tab_to(page, page.get_by_role("button", name=name))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_date(page, target, day):
    """A date input (Chromium's, 年/月/日 under --lang=zh-CN): the year, → to the month, then month and day
    (each moves on by itself when full)."""
    tab_to(page, target)
    page.keyboard.type(f"{day.year}")
    page.keyboard.press("ArrowRight")
    page.keyboard.type(day.strftime("%m%d"))
    assert target.input_value() == day.isoformat()


def test_the_enterprise_applies_and_the_bank_files_with_the_keyboard_only(page, shot, measures_and_fund):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    # The browser's own 确认 dialog (data-confirm) is answered as a keyboard user does: Enter on 确定.
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "qiye2", DEMO_PASSWORD)
    page.goto("/applications/registrations/new/")
    choose(page, page.get_by_label("合作银行"), "中国工商银行股份有限公司云浮分行")
    type_into(page, page.get_by_label("申请金额（元）"), "500000")
    type_into(page, page.get_by_label("期限（月）"), "12")
    type_into(page, page.get_by_label("贷款用途"), "键盘操作：收购早稻")
    box = page.locator("form input[type=checkbox]").first
    tab_to(page, box)
    page.keyboard.press("Space")
    assert box.is_checked()
    shot(page, "keyboard-enterprise-registration-form")
    press_button(page, "保存草稿")
    assert "草稿已保存" in page.locator(".messages").inner_text()
    for box in page.locator("form input[type=checkbox]").all():
        tab_to(page, box)
        page.keyboard.press("Space")
        assert box.is_checked()
    shot(page, "keyboard-enterprise-registration-sign")
    press_button(page, "签署并提交")
    assert "已提交至中国工商银行股份有限公司云浮分行" in page.locator(".messages").inner_text()
    logout_by_keyboard(page)

    # The bank accepts it (its decision page is not part of this walk), then files the disbursed loan.
    registration = LoanRegistration.objects.get(purpose="键盘操作：收购早稻")
    _accept(registration, User.objects.get(username="gongshang_jb"))
    login(page, "gongshang_jb", DEMO_PASSWORD)
    page.goto("/lenders/registrations/")
    link = page.locator("tr", has_text="罗定市稻香农业发展有限公司").get_by_role("link", name="报送备案")
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    today = timezone.localdate()
    type_into(page, page.get_by_label("借款合同编号"), "GSYF-KB-2026-001")
    type_into(page, page.get_by_label("贷款金额（元）"), "500000.00")
    type_into(page, page.get_by_label("知识产权质押对应金额（元）"), "400000.00")
    type_date(page, page.get_by_label("放款日期"), today - dt.timedelta(days=1))
    type_date(page, page.get_by_label("到期日期"), today + dt.timedelta(days=300))
    type_into(page, page.get_by_label("年利率（%）"), "3.85")
    choose(page, page.get_by_label("还款方式"), "按月付息")
    type_into(page, page.get_by_label(re.compile("质押登记号")).first, "Y2026980009876")
    type_date(page, page.get_by_label(re.compile("质押登记日期")).first, today - dt.timedelta(days=2))
    shot(page, "keyboard-bank-filing-form")
    press_button(page, "保存")
    assert "备案草稿已保存" in page.locator(".messages").inner_text(), page.locator("main").inner_text()
    shot(page, "keyboard-bank-filing-saved")


def logout_by_keyboard(page):
    press_button(page, "退出")
