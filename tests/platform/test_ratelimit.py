"""The one rate limiter of the public forms (common.ratelimit)."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from yunfu_ipfund import public_views
from yunfu_ipfund.common.ratelimit import rate_limited


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(address):
    return RequestFactory().post("/verify/", REMOTE_ADDR=address)


def test_each_address_has_its_own_hourly_allowance_per_form(settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 2
    first = request_from("10.0.0.1")
    assert [rate_limited(first, "verify") for _ in range(3)] == [False, False, True]
    assert rate_limited(request_from("10.0.0.2"), "verify") is False
    assert rate_limited(first, "objection") is False


def test_the_address_behind_the_configured_proxy_is_the_one_counted(settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxied = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert rate_limited(proxied, "verify") is False
    assert rate_limited(request_from("127.0.0.1"), "verify") is False
    assert rate_limited(proxied, "verify") is True


def test_without_a_configured_proxy_a_forged_header_shares_the_socket_addresss_allowance(settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 0
    first = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert rate_limited(first, "verify") is False
    assert rate_limited(second, "verify") is True


def test_the_public_views_still_offer_the_same_limiter():
    assert public_views.rate_limited is rate_limited
