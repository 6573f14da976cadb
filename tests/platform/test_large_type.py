"""大字版/长者模式 (issue 14 item 6): the header's switch puts class="large-type" on <html>; a signed-in user
keeps it on the account (it is still on at the next login), an anonymous visitor in a cookie."""

import pytest

from tests.factories import make_org, make_user
from yunfu_ipfund.accounts.roles import Role

pytestmark = pytest.mark.django_db

LARGE = '<html lang="zh-CN" class="large-type">'


def test_the_switch_is_in_the_header_and_off_by_default(client):
    page = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in page
    assert 'action="/accounts/display/large-type/"' in page
    assert 'name="on" value="1"' in page and 'aria-pressed="false"' in page


def test_a_signed_in_user_keeps_large_type_to_the_next_login(client):
    user = make_user("laoli", make_org("enterprise", "云浮市老李石材有限公司"), Role.ENTERPRISE_USER)
    client.force_login(user)
    assert LARGE not in client.get("/accounts/home/").content.decode()
    response = client.post("/accounts/display/large-type/", {"on": "1", "next": "/accounts/home/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/home/"
    user.refresh_from_db()
    assert user.large_type is True
    page = client.get("/accounts/home/").content.decode()
    assert LARGE in page and 'name="on" value="0"' in page and 'aria-pressed="true"' in page
    client.logout()
    assert LARGE not in client.get("/").content.decode()  # the anonymous visitor's own choice
    client.force_login(user)
    assert LARGE in client.get("/accounts/home/").content.decode()
    client.post("/accounts/display/large-type/", {"on": "0", "next": "/accounts/home/"})
    assert LARGE not in client.get("/accounts/home/").content.decode()


def test_an_anonymous_visitor_keeps_it_in_a_cookie(client):
    response = client.post("/accounts/display/large-type/", {"on": "1", "next": "/measures/"})
    assert response.status_code == 302 and response["Location"] == "/measures/"
    assert response.cookies["large_type"].value == "1"
    assert LARGE in client.get("/measures/").content.decode()
    client.post("/accounts/display/large-type/", {"on": "0", "next": "/"})
    assert LARGE not in client.get("/").content.decode()


def test_refusals(client):
    bad = client.post("/accounts/display/large-type/", {"on": "yes"})
    assert bad.status_code == 400
    assert bad.content.decode() == "参数“on”须为 1（开启大字版）或 0（关闭大字版）。"
    assert client.get("/accounts/display/large-type/").status_code == 405
    # another site as next: back to the portal's home, never away
    away = client.post("/accounts/display/large-type/", {"on": "1", "next": "https://evil.example/"})
    assert away["Location"] == "/"


def test_the_switch_needs_the_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/display/large-type/", {"on": "1"})
    assert response.status_code == 403
