"""The admin site in Chinese and validating as the portal does (issue 14 item 5)."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.factories import make_user
from yunfu_ipfund.accounts.roles import Role

pytestmark = pytest.mark.django_db

# ASCII words allowed in the visible text: codes of the trade, not English prose.
ALLOWED = {
    "USCC",
    "LPR",
    "API",
    "PDF",
    "TOTP",
    "URL",
    "IP",
    "ID",
    "CSV",
    "XLSX",
    "JSON",
    "SHA",
    "OTP",
    "MD5",
    "HTTP",
    "HTTPS",
    "CTRL",  # the key's name on the keyboard
}
# Values typed into the records of `admin_records` (user names, a browser's user agent, a login path).
# The IP types' codes (the rows' keys) and a reminder's key and link (a code and a URL) are values too.
DATA_WORDS = {
    "admin",
    "anquan",
    "clerk",
    "root",
    "shenji",
    "Mozilla",
    "accounts",
    "login",
    "text",
    "html",
} | {
    "invention",
    "utility",
    "model",
    "design",
    "trademark",
    "geo",
    "indication",
    "policy",
    "holiday",
    "year",
    "missing",
    "holidayday",
}
WORD = re.compile(r"[A-Za-z]{3,}")


class VisibleText(HTMLParser):
    """The text a reader sees: element text and the visible attributes (title, placeholder, the value
    of buttons), not scripts, styles or field values typed in."""

    # (bdi: a value isolated for bidirectional text, e.g. the password hash's algorithm and salt;
    # code: a code, a hash or a JSON record shown as stored)
    SKIP = {"script", "style", "textarea", "option", "bdi", "code"}

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP:
            self._skip += 1
        # (not alt: Django's boolean icons carry alt="True"/"False", a value beside its icon)
        for name in ("title", "placeholder", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words(html):
    text = visible_text(html)
    return sorted({w for w in WORD.findall(text) if w.upper() not in ALLOWED and w not in DATA_WORDS})


def admin_pages(user, client):
    """Every changelist, add and change page the user may open (one object each)."""
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        request = type("R", (), {"user": user})()
        if not model_admin.has_view_or_change_permission(request):
            continue
        name = f"admin:{meta.app_label}_{meta.model_name}"
        pages.append(reverse(f"{name}_changelist"))
        pages.append(reverse("admin:app_list", args=[meta.app_label]))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{name}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            try:
                pages.append(reverse(f"{name}_change", args=[obj.pk]))
            except NoReverseMatch:
                pass
    return sorted(set(pages))


@pytest.fixture
def admin_records(bureau, bank_a, enterprise_a, administrator):
    """One record of each kind the administrators see, so each change page is walked."""
    import datetime as dt

    from axes.models import AccessAttempt, AccessFailureLog

    from tests.factories import ensure_policies
    from yunfu_ipfund.accounts import services as account_services
    from yunfu_ipfund.policy import services as policy_services
    from yunfu_ipfund.policy.holidays import alert_unknown_holiday_year

    ensure_policies()
    anquan = make_user("anquan", bureau, Role.SECURITY_ADMIN, full_name="安全管理员")
    anquan.is_staff = True
    anquan.save()
    clerk = make_user("clerk", bureau, Role.BUREAU_CLERK, full_name="王经办")
    account_services.admin_request_file(
        by=anquan, kind="grant_role", target=clerk, reason="岗位调整", role=Role.BUREAU_APPROVER
    )
    policy_services.holiday_year_save(by=administrator, year=2030, source="国办发明电〔2029〕1号")
    policy_services.holiday_day_save(
        by=administrator, date=dt.date(2030, 1, 1), kind="holiday", name="元旦", day=None
    )
    alert_unknown_holiday_year(2031)
    AccessAttempt.objects.create(
        username="clerk",
        ip_address="10.0.0.1",
        user_agent="Mozilla/5.0",
        failures_since_start=3,
        get_data="",
        post_data="",
        http_accept="text/html",
        path_info="/accounts/login/",
    )
    AccessFailureLog.objects.create(
        username="clerk",
        ip_address="10.0.0.1",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/accounts/login/",
        locked_out=False,
    )
    return {"anquan": anquan, "clerk": clerk}


def walk(client, user, only=None):
    client.force_login(user)
    found = {}
    for url in admin_pages(user, client):
        if only and not any(url.startswith(prefix) for prefix in only):
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        words = english_words(response.content.decode())
        if words:
            found[url] = words
    return found


def test_every_admin_page_of_the_system_administrator_is_in_chinese(client, administrator, admin_records):
    assert walk(client, administrator) == {}


def test_every_admin_page_of_the_security_administrator_is_in_chinese(client, admin_records):
    assert walk(client, admin_records["anquan"]) == {}


# --- the portal's validators in the admin forms ----------------------------------------------------


def test_the_admin_refuses_a_uscc_the_portal_refuses_naming_the_check_digit(client, administrator):
    from yunfu_ipfund.accounts.models import Organisation

    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_organisation_add"),
        {
            "name": "云浮某某科技有限公司",
            "kind": "enterprise",
            "uscc": "91445321MA52B7779A",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["uscc"] == ["统一社会信用代码第18位校验码不正确：按 GB 32100 计算应为“K”，请核对。"]
    assert not Organisation.objects.filter(name="云浮某某科技有限公司").exists()


def test_the_admin_saves_a_valid_uscc_normalised(client, administrator):
    from yunfu_ipfund.accounts.models import Organisation

    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_organisation_add"),
        {
            "name": "云浮某某科技有限公司",
            "kind": "enterprise",
            "uscc": "91445321ma52b7779k",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="云浮某某科技有限公司").uscc == "91445321MA52B7779K"


# --- groups shown by their Chinese role names ------------------------------------------------------


def test_roles_are_shown_by_their_chinese_names_in_the_user_list_its_filter_and_the_form(
    client, administrator, admin_records
):
    client.force_login(administrator)
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "市监局经办" in visible_text(listing) and "bureau_clerk" not in visible_text(listing)
    assert "?role=bureau_clerk" in listing  # the code stays the key
    filtered = client.get(reverse("admin:accounts_user_changelist"), {"role": "bureau_clerk"})
    assert [u.username for u in filtered.context["cl"].result_list] == ["clerk"]
    form = client.get(reverse("admin:accounts_user_change", args=[admin_records["clerk"].pk]))
    html = form.content.decode()
    labels = [label for _, label in form.context["adminform"].form.fields["groups"].choices]
    assert "市监局经办" in labels and "系统管理员" in labels and "bureau_clerk" not in labels
    assert "Choose all" not in html and "SelectFilter" not in html
    added = client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "After you" not in added and "首次登录时须修改初始密码" in added


def test_the_group_admin_lists_and_shows_roles_by_their_chinese_names(client, admin_records):
    from django.contrib.auth.models import Group

    from yunfu_ipfund.accounts.models import User

    root = User.objects.create_superuser("root", password="x")
    client.force_login(root)
    listing = visible_text(client.get(reverse("admin:auth_group_changelist")).content.decode())
    assert "银行经办" in listing and "安全管理员" in listing and "bank_officer" not in listing
    group = Group.objects.get(name="bank_officer")
    page = visible_text(client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode())
    assert "银行经办" in page and "bank_officer" not in page


# --- the holiday-year to-do ------------------------------------------------------------------------


def test_a_holiday_year_without_days_keeps_its_to_do_and_says_so_until_the_days_are_entered(
    client, administrator
):
    import datetime as dt

    from yunfu_ipfund.notices.models import Reminder
    from yunfu_ipfund.policy import holidays
    from yunfu_ipfund.policy.models import HolidayDay, HolidayYear
    from yunfu_ipfund.policy.reminders import HOLIDAY_YEAR_MISSING

    def todo():
        return Reminder.objects.get(kind=HOLIDAY_YEAR_MISSING.code, discriminator="2031")

    holidays.check_holiday_table(dt.date(2031, 3, 1))
    assert todo().resolved_at is None
    client.force_login(administrator)
    response = client.post(
        reverse("admin:policy_holidayyear_add"),
        {"year": "2031", "source": "国办发明电〔2030〕1号"},
        follow=True,
    )
    assert response.status_code == 200 and HolidayYear.objects.filter(year=2031).exists()
    shown = [str(m) for m in response.context["messages"]]
    assert any("还没有 2031 年的节假日或调休日" in m for m in shown), shown
    assert todo().resolved_at is None  # declared, but not entered

    client.post(
        reverse("admin:policy_holidayday_add"), {"date": "2031-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert todo().resolved_at is not None  # the year has its days

    day = HolidayDay.objects.get(date=dt.date(2031, 1, 1))
    client.post(reverse("admin:policy_holidayday_delete", args=[day.pk]), {"post": "yes"})
    assert not HolidayDay.objects.filter(date__year=2031).exists()
    assert todo().resolved_at is None  # the days deleted: the to-do is back


def test_every_admin_page_of_the_audit_administrator_is_in_chinese(client, bureau, admin_records):
    shenji = make_user("shenji", bureau, Role.AUDIT_ADMIN, full_name="审计管理员")
    shenji.is_staff = True
    shenji.save()
    assert walk(client, shenji) == {}


def test_the_superusers_permission_lists_explain_multiple_selection_in_chinese(client, admin_records):
    from django.contrib.auth.models import Group

    from yunfu_ipfund.accounts.models import User

    root = User.objects.create_superuser("root", password="x")
    client.force_login(root)
    for url in (
        reverse("admin:accounts_user_change", args=[admin_records["clerk"].pk]),
        reverse("admin:auth_group_change", args=[Group.objects.get(name="finance").pk]),
        reverse("admin:auth_group_add"),
    ):
        text = visible_text(client.get(url).content.decode())
        assert "Hold down" not in text and "按住 Ctrl 键（苹果电脑为 ⌘ 键）可选择多项。" in text, url
