"""The API's one error shape: {"error": {"code": ..., "message": <Chinese>, "details": [...]}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from .errors import DomainError

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
        return Response(error_body("invalid", "提交的数据有误，请按提示修改。", details), status=status.HTTP_400_BAD_REQUEST)
    response = drf_handler(exc, context)
    if response is None:
        return None
    for cls, (code, message) in _DRF_MESSAGES.items():
        if isinstance(exc, cls):
            response.data = error_body(code, message)
            return response
    response.data = error_body("error", str(getattr(exc, "detail", "请求失败。")))
    return response
