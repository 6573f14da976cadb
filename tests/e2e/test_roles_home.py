"""Each demo role logs in through the real login form and lands on its own home page."""

import pytest
from django.core.management import call_command

from yunfu_ipfund.accounts.management.commands.seed_demo import DEMO_PASSWORD, USERS

from .conftest import login, logout

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_demo_role_logs_in_and_sees_its_home(page, shot, measures_and_fund):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    for username, full_name, _org, roles, _ in USERS:
        login(page, username, DEMO_PASSWORD)
        body = page.locator("main").inner_text()
        assert f"您好，{full_name}" in body
        assert roles[0].label in page.locator("header").inner_text()
        # the business roles, and the 三员分立 administrators (system, security, audit: issue 11)
        if username in (
            "qiye1",
            "gongshang_jb",
            "shijianju_jb",
            "shijianju_sh",
            "caizheng",
            "admin",
            "anquan",
            "shenji",
        ):
            shot(page, f"home-{username}")
        logout(page)


def test_a_wrong_password_is_refused_in_chinese(page, measures_and_fund):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("qiye1")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.locator("main").inner_text()


def test_public_pages_render_for_anonymous_visitors(page, shot, db):
    page.goto("/")
    assert "知识产权质押融资风险补偿" in page.locator("h1").inner_text()
    shot(page, "public-home")
    page.goto("/verify/")
    page.get_by_label("文号").fill("云市监知告〔2026〕99号")
    page.get_by_label("验证码").fill("WRONGCODE")
    page.get_by_role("button", name="验证").click()
    assert "未通过验证" in page.locator("main").inner_text()


def test_the_public_home_names_the_measures_in_force(page, db):
    # After other transactional tests have flushed the database, the shipped Measures are back.
    page.goto("/")
    measures = "现行办法：《云浮市中小微企业知识产权质押融资风险补偿资金管理办法》"
    assert measures in page.locator("main").inner_text()
