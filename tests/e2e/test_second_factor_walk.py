"""A new staff user enrols the authenticator at the first login and then logs in with a code (issue 11
item 2); the demo banner shows the current code when DEMO_SHOW_TOTP is set."""

import pytest

from tests.factories import PASSWORD, make_user
from yunfu_ipfund.accounts.roles import Role

from .conftest import code_for, enrol_second_factor, logout

pytestmark = pytest.mark.django_db(transaction=True)


def _password(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_new_staff_user_enrols_the_authenticator_and_logs_in_with_a_code(page, shot, settings, bureau):
    make_user("xin_jingban", bureau, Role.BUREAU_CLERK, full_name="新经办")
    _password(page, "xin_jingban")
    page.wait_for_url("**/accounts/second-factor/enrol/**")
    assert "绑定认证器应用" in page.locator("h1").inner_text()
    assert page.locator(".otp-qr svg").count() == 1
    codes = enrol_second_factor(page, shot)
    assert len(codes) == 10
    page.wait_for_url("**/accounts/home/")
    assert "您好，新经办" in page.locator("main").inner_text()
    logout(page)

    # The next login asks for the code; without it no business page opens.
    _password(page, "xin_jingban")
    page.wait_for_url("**/accounts/second-factor/?next=**")
    page.goto("/lenders/bureau/queue/")
    assert "/accounts/second-factor/" in page.url
    page.get_by_label("动态验证码").fill("000000" if code_for("xin_jingban") != "000000" else "111111")
    page.get_by_role("button", name="验证").click()
    assert "动态验证码不正确" in page.locator("main").inner_text()
    shot(page, "second-factor-code-wrong")
    page.get_by_label("动态验证码").fill(code_for("xin_jingban"))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/lenders/bureau/queue/")
    logout(page)

    # The demo setting (scripts/demo.sh): the current code under a red 演示环境 banner.
    settings.DEMO_SHOW_TOTP = True
    _password(page, "xin_jingban")
    page.wait_for_url("**/accounts/second-factor/?next=**")
    banner = page.locator(".demo-banner")
    assert "演示环境" in banner.inner_text()
    shown = page.locator(".demo-code code").inner_text()
    assert shown.isdigit() and len(shown) == 6
    shot(page, "second-factor-code-demo")
    page.get_by_label("动态验证码").fill(code_for("xin_jingban"))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/accounts/home/")
