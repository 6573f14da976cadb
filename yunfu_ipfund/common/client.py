"""The client's address: one function for the audit log, the public rate limits, DRF throttling and axes.

`settings.TRUSTED_PROXY_COUNT` says how many reverse proxies of our own stand in front of the portal,
each appending the address it saw to X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`):
- 0 (the default): no proxy is trusted; the socket address (REMOTE_ADDR) is the client, and whatever a
  client writes into X-Forwarded-For is ignored;
- N: the chain is X-Forwarded-For followed by REMOTE_ADDR (the last proxy itself); the client is the
  address just left of the N trusted proxies. Entries further left were written by the client and are
  never believed. A chain shorter than that (a request that bypassed a proxy) falls back to REMOTE_ADDR.

The address is resolved by django-ipware (its left-most order with a proxy count, not strict, so a
forged prefix is skipped instead of voiding the chain).
"""

from django.conf import settings
from ipware import get_client_ip
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


def client_ip(request):
    """The client address of `request` (None without a request or an address)."""
    if request is None:
        return None
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not proxies:
        ip, _routable = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
        return ip or remote
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    chain = ", ".join(part for part in (forwarded.strip(), remote or "") if part)

    class _Chain:  # what ipware reads: the header with the last proxy's own address appended
        META = {"HTTP_X_FORWARDED_FOR": chain}

    ip, _routable = get_client_ip(
        _Chain,
        proxy_order="left-most",
        proxy_count=proxies,
        strict=False,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
    )
    return ip or remote


class _ClientAddressRates:
    """DRF throttling keyed by `client_ip` (DRF's own get_ident trusts X-Forwarded-For), reading its
    rate from the current settings (so a test can set it)."""

    def get_ident(self, request):
        return client_ip(request)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ClientAnonRateThrottle(_ClientAddressRates, AnonRateThrottle):
    pass


class ClientUserRateThrottle(_ClientAddressRates, UserRateThrottle):
    pass
