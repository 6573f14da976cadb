"""One client address for the audit log, the public rate limits, axes and DRF throttling
(common.client): without a configured proxy a forged X-Forwarded-For changes nothing; with
TRUSTED_PROXY_COUNT=N the address just left of the N trusted proxies is the client."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
from rest_framework.test import APIClient

from tests.conftest import make_user
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.client import ClientAnonRateThrottle, client_ip

pytestmark = pytest.mark.django_db


def _request(forwarded=None, remote="10.0.0.5"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_a_configured_proxy_the_socket_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.7, 10.0.0.1")) == "10.0.0.5"
    assert client_ip(_request()) == "10.0.0.5"
    assert client_ip(None) is None


@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("198.51.100.20", "198.51.100.20"),  # the proxy appended the client it saw
        ("6.6.6.6, 198.51.100.20", "198.51.100.20"),  # a forged prefix is skipped, not believed
        ("6.6.6.6, 7.7.7.7, 198.51.100.20", "198.51.100.20"),
        ("", "10.0.0.5"),  # no header: the request came past the proxy; the socket address
    ],
)
def test_with_one_trusted_proxy_the_hop_it_appended_is_the_client(settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded)) == expected


def test_with_two_trusted_proxies_the_hop_left_of_both_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("6.6.6.6, 198.51.100.20, 10.0.0.9")) == "198.51.100.20"
    assert client_ip(_request("198.51.100.20")) == "10.0.0.5"  # too short a chain: not believed


def test_a_forged_header_does_not_bypass_the_public_rate_limit(client, settings):
    """Today's main accepted 80 of 80 requests, each with another forged X-Forwarded-For."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PUBLIC_FORM_RATE_PER_HOUR = 30
    statuses = [
        client.post(
            "/verify/",
            {"number": "x", "code": "y"},
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(80)
    ]
    assert statuses.count(200) == 30 and statuses.count(429) == 50
    assert statuses[29] == 200 and statuses[30] == 429


def test_a_forged_header_does_not_change_the_audit_address(client, settings, bureau):
    settings.TRUSTED_PROXY_COUNT = 0
    user = make_user("auditip", bureau, Role.BUREAU_CLERK)
    client.post(
        "/accounts/login/",
        {"username": "auditip", "password": "wrong"},
        REMOTE_ADDR="192.0.2.44",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    event = AuditEvent.objects.filter(code="accounts.login_failed", object_id=str(user.pk)).get()
    assert event.ip == "192.0.2.44"


def test_behind_one_proxy_the_audit_address_is_the_clients(client, settings, bureau):
    settings.TRUSTED_PROXY_COUNT = 1
    user = make_user("auditip", bureau, Role.BUREAU_CLERK)
    client.post(
        "/accounts/login/",
        {"username": "auditip", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20",
    )
    event = AuditEvent.objects.filter(code="accounts.login_failed", object_id=str(user.pk)).get()
    assert event.ip == "198.51.100.20"


def test_axes_and_drf_key_the_client_as_the_audit_log_does(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    forged = _request("203.0.113.7")
    assert get_client_ip_address(forged) == client_ip(forged) == "10.0.0.5"
    assert ClientAnonRateThrottle().get_ident(forged) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(forged) == client_ip(forged) == "203.0.113.7"


def test_the_bank_api_is_throttled_per_user(settings, bank_officer):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/hour", "user": "3/hour"},
    }
    api = APIClient()
    api.force_authenticate(bank_officer)
    statuses = [
        api.get("/api/filings/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
