"""The bank API's refusals of an identified caller in the tamper-evident log.

REST_FRAMEWORK["EXCEPTION_HANDLER"] points here: the answer is the platform's one error shape
(`yunfu_ipfund.common.api.exception_handler`, below every app, which cannot import the log), and a
refusal of a caller we know is recorded as the web pages record a signed-in user's refused write
(audit.security.record_write_refused): the same action (accounts.actions.WRITE_REFUSED, 操作被拒绝), the
method, path, status and code, and `"via": "api"`.

Who is "identified": a signed-in caller refused with 403 (role, four-eyes), 404 (another
organisation's record, or none) or 409 (someone acted first, a reused Idempotency-Key); and a caller
whose key was recognised but does not work any more (revoked, expired, holder deactivated …: 401), when
the authentication names the key's holder on the exception (`exc.holder`). A 401 without credentials or
with a key nobody holds is not recorded: it names nobody, and recording it would let anyone fill the
chain at the price of a request.
"""

from yunfu_ipfund.accounts import actions as accounts_actions
from yunfu_ipfund.common.api import exception_handler as platform_handler

from .security import SECURITY_ACTIONS
from .services import audit_record

AUDITED_STATUSES = (401, 403, 404, 409)


def _caller(request, exc, status):
    if status == 401:
        holder = getattr(exc, "holder", None)
        return holder if holder is not None and getattr(holder, "pk", None) else None
    user = getattr(request, "user", None)  # DRF's request: the authenticated caller (or anonymous)
    return user if user is not None and user.is_authenticated else None


def record_api_refusal(request, exc, response):
    """Append the refusal `response` (the one error shape) of `request` when it names a caller."""
    if response.status_code not in AUDITED_STATUSES:
        return None
    caller = _caller(request, exc, response.status_code)
    if caller is None:
        return None
    error = (response.data or {}).get("error", {}) if isinstance(response.data, dict) else {}
    return audit_record(
        by=caller,
        action=SECURITY_ACTIONS[accounts_actions.WRITE_REFUSED.code],
        obj=caller,
        reason=str(error.get("message", ""))[:1000],
        data={
            "via": "api",
            "method": request.method,
            "path": request.path[:300],
            "status": response.status_code,
            "code": str(error.get("code", "")),
        },
    )


def exception_handler(exc, context):
    response = platform_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        record_api_refusal(request, exc, response)
    return response
