"""Issue 14 item 8: a Chinese 404 and 500 page even with DEBUG on (the demo runs with DEBUG)."""

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path


def boom(request):
    raise RuntimeError("deliberate failure for the error page test")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("boom/", boom),
    path("fine/", fine),
    path("", include("yunfu_ipfund.urls")),
]
handler404 = "yunfu_ipfund.public_views.not_found"
handler500 = "yunfu_ipfund.public_views.server_error"

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_an_unknown_url_in_debug_shows_the_chinese_page_not_the_url_patterns():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text
    assert "URLconf" not in text and "Page not found" not in text and "admin/" not in text


@override_settings(DEBUG=True, DEBUG_TECHNICAL_PAGES=True)
def test_a_developer_can_ask_for_the_technical_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_an_uncaught_error_in_debug_shows_the_chinese_page_without_a_traceback():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出现错误" in text
    assert "Traceback" not in text and "RuntimeError" not in text and "deliberate" not in text


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_other_responses_pass_untouched():
    assert Client().get("/fine/").content == b"ok"


@override_settings(DEBUG=False)
def test_without_debug_the_portal_page_is_shown_as_before():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
