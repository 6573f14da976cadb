"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, no browser download)
against pytest-django's live server. Skipped, and named as such, where Chromium is missing."""

import base64
import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django_otp.oath import totp

from tests.factories import ensure_policies

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
# A test run writes its screenshots where git does not look (var/ is ignored); `make screenshots` sets
# SCREENSHOTS_DIR=docs/screenshots to refresh the committed walkthrough on purpose.
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "var/screenshots")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # Browser logins go through the code page, as in production (tests/conftest.py).
            item.add_marker(pytest.mark.real_second_factor)
            if not os.path.exists(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason="needs /usr/bin/chromium (Debian package chromium)"))


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Playwright's sync API runs an event loop in this thread for as long
    as it is open; the ORM calls of the tests are still synchronous and safe beside it, so Django's async
    guard is lifted for exactly that time, and the loop is gone before any other module's tests run."""
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    # Chinese browser controls (date inputs 年/月/日, 选择文件), with chromium-l10n; on Linux
                    # Chromium takes its locale from LANGUAGE.
                    "--lang=zh-CN",
                ],
                env={**os.environ, "LANGUAGE": "zh_CN"},
            )
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def measures_and_fund(transactional_db):
    """The shipped Measures and the fund's opening allocation. A transactional test run earlier (this
    directory's or another app's) flushes the database: post_migrate puts the Measures back, not the
    opening 5,000,000.00, without which seed_demo's covered loan is refused under the leverage rule."""
    ensure_policies()


@pytest.fixture
def shot():
    """shot(page, name): save a full-page screenshot as <name>.png under SCREENSHOTS (var/screenshots/,
    ignored by git, unless SCREENSHOTS_DIR says otherwise) to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


SECOND_FACTOR_OR_HOME = re.compile(r".*/accounts/(home/|second-factor/)")


def totp_now(secret_base32):
    """The code an authenticator app shows now for a Base32 secret (django-otp's TOTP, 30 s, 6 digits)."""
    secret = secret_base32.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def code_for(username):
    """The current code of the user's confirmed authenticator (their secret read from the database, as
    their phone would hold it). The walk signs the same person in several times within one 30-second
    step, and a TOTP code is accepted once (replay protection, tests/platform/test_second_factor.py):
    the device's last accepted step is reset here, as the next step of the clock would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol_second_factor(page, shot=None):
    """On the enrolment page: read the secret as a person would type it into the app, confirm with the
    code, and pass the recovery codes page."""
    secret = page.locator("#otp-secret").inner_text()
    if shot is not None:
        shot(page, "second-factor-enrol")
    page.get_by_label("认证器应用显示的 6 位验证码").fill(totp_now(secret))
    page.get_by_role("button", name="确认绑定").click()
    page.get_by_role("heading", name="认证器应用已绑定").wait_for()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    if shot is not None:
        shot(page, "second-factor-recovery-codes")
    page.get_by_role("link", name="我已保存恢复码，继续").click()
    return codes


def enter_second_factor(page, username, shot=None):
    if shot is not None:
        shot(page, "second-factor-code")
    page.get_by_label("动态验证码").fill(code_for(username))
    page.get_by_role("button", name="验证").click()


def login(page, username, password):
    """The real login: the password, then (staff) the code of the authenticator, or its enrolment at the
    first login."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(SECOND_FACTOR_OR_HOME)
    if "/accounts/second-factor/enrol/" in page.url:
        enrol_second_factor(page)
    elif "/accounts/second-factor/" in page.url:
        enter_second_factor(page, username)
    page.wait_for_url("**/accounts/home/")


def logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/")


@pytest.fixture
def demo_seal(tmp_path, settings):
    """Notices issued during the test are sealed with a demo CA of this test only, which is also the
    public check's trust root (settings are process-wide: the live server thread sees them too). The
    certificates are made as of 2026-01-01, before the walk's clock starts: made today, they would not
    yet be valid on the dates the walk signs and checks, and the check would call them untrusted."""
    import time_machine

    from yunfu_ipfund.notices import signing

    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        root, p12 = signing.make_demo_ca(tmp_path / "demo-ca")
    settings.NOTICE_SIGNING_PKCS12 = str(p12)
    settings.NOTICE_SIGNING_PASSWORD = signing.DEMO_PASSWORD
    settings.NOTICE_TRUST_ROOTS = [str(root)]
    settings.NOTICE_TSA_URL = ""
    return root, p12
