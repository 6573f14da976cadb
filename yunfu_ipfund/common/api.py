"""The API's shared pieces, below every app:

- the one error shape, {"error": {"code": ..., "message": <Chinese>, "details": [...]}}, produced by
  `exception_handler` and documented in the OpenAPI schema by `error_responses(...)`;
- `idempotent(request, endpoint, perform)`: an Idempotency-Key makes a retried write return the first
  answer (same key and same body), and refuses the key with 409 for a different body;
- `validated(serializer_class, request)`: the request body checked by an input serializer (400 otherwise).

The permission class of the bank API (`ActionPermissions`, fail closed) needs the organisations, so it
lives in `yunfu_ipfund.accounts.api_permissions`.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from .errors import Conflict, DomainError, ValidationFailed
from .models import IdempotencyRecord

MSG_IDEMPOTENCY_REUSED = "该 Idempotency-Key 已用于内容不同的请求，请为新请求使用新的键。"
MSG_IDEMPOTENCY_KEY = "Idempotency-Key 应为 1 至 200 个字符。"

_DRF_MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", "未登录或令牌无效。"),
    exceptions.AuthenticationFailed: ("authentication_failed", "身份认证失败，请检查令牌。"),
    exceptions.PermissionDenied: ("forbidden", "您的角色无权执行此操作。"),
    exceptions.NotFound: ("not_found", "未找到该记录，或您无权查看。"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法。"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的请求格式。"),
    exceptions.ParseError: ("parse_error", "请求内容无法解析，请检查 JSON 格式。"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试。"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供所请求的响应格式。"),
}


def error_body(code, message, details=None):
    return {"error": {"code": code, "message": message, "details": details or []}}


def _flatten(detail, prefix=""):
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            items += _flatten(value, f"{prefix}{key}." if key != "non_field_errors" else prefix)
        return items
    if isinstance(detail, list):
        items = []
        for value in detail:
            items += _flatten(value, prefix)
        return items
    return [{"field": prefix.rstrip(".") or None, "message": str(detail)}]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        details = _flatten(exc.detail)
        body = error_body("invalid", "提交的数据有误，请按提示修改。", details)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_handler(exc, context)
    if response is None:
        return None
    for cls, (code, message) in _DRF_MESSAGES.items():
        if isinstance(exc, cls):
            response.data = error_body(code, message)
            return response
    response.data = error_body("error", str(getattr(exc, "detail", "请求失败。")))
    return response


# --- the error shape in the OpenAPI schema ---------------------------------------------------------


class ApiErrorItem(serializers.Serializer):
    field = serializers.CharField(required=False, allow_null=True, help_text="出错的字段，如 pledges.0.asset")
    rule = serializers.CharField(required=False, help_text="未满足的规则代码（规则校验时）")
    message = serializers.CharField(help_text="中文说明")


class ApiErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、forbidden、not_found、conflict")
    message = serializers.CharField(help_text="中文说明")
    details = ApiErrorItem(many=True, help_text="逐项说明（字段错误或未满足的规则）")


class ApiError(serializers.Serializer):
    error = ApiErrorBody()


ERROR_DESCRIPTIONS = {
    400: "提交的数据有误或不符合规则（details 逐项说明）。",
    401: "未登录或令牌无效。",
    403: "您的角色无权执行此操作（含经办与复核不能是同一人）。",
    404: "未找到该记录，或它不属于本机构。",
    409: "记录已由他人处理，或该 Idempotency-Key 已用于内容不同的请求。",
}


def error_responses(*statuses):
    """`extend_schema(responses={200: Out, **error_responses(400, 404)})`: the one error body per status."""
    return {code: OpenApiResponse(ApiError, description=ERROR_DESCRIPTIONS[code]) for code in statuses}


READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


# --- request bodies --------------------------------------------------------------------------------


def validated(serializer_class, request, *, data=None):
    """The request body (or `data`, e.g. request.query_params) through an input serializer: its
    validated data, or a 400 in the one shape."""
    serializer = serializer_class(data=request.data if data is None else data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- idempotency -----------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="同一用户、同一接口、同一键的重复请求返回首次结果，不会重复办理。",
)


def _fingerprint(request):
    data = {}
    for key in request.data:
        value = request.data[key]
        if hasattr(value, "read"):
            value = f"file:{getattr(value, 'name', '')}:{getattr(value, 'size', 0)}"
        data[key] = value
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request, endpoint, perform):
    """Run `perform()` (which returns a Response) at most once per (user, endpoint, Idempotency-Key).

    Without the header `perform()` simply runs. A repeat with the same body gets the first answer again
    (header `Idempotent-Replayed: true`); the same key with another body is a 409. A failed `perform()`
    stores nothing, so the key stays usable.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return perform()
    key = key.strip()
    if not 0 < len(key) <= 200:
        raise ValidationFailed(MSG_IDEMPOTENCY_KEY, code="idempotency_key")
    fingerprint = _fingerprint(request)

    def replay(record):
        if record.request_hash != fingerprint:
            raise Conflict(MSG_IDEMPOTENCY_REUSED, code="idempotency_key_reused")
        return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})

    found = IdempotencyRecord.objects.filter(user=request.user, endpoint=endpoint, key=key).first()
    if found:
        return replay(found)
    try:
        with transaction.atomic():
            response = perform()
            IdempotencyRecord.objects.create(
                user=request.user,
                endpoint=endpoint,
                key=key,
                request_hash=fingerprint,
                status_code=response.status_code,
                response=json.loads(json.dumps(response.data, default=str)),
            )
    except IntegrityError:
        # A concurrent request with the same key won: everything this one did was rolled back.
        return replay(IdempotencyRecord.objects.get(user=request.user, endpoint=endpoint, key=key))
    return response
