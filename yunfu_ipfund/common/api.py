"""The API's shared pieces, below every app:

- the one error shape, {"error": {"code": ..., "message": <Chinese>, "details": [...]}}, produced by
  `exception_handler` and documented in the OpenAPI schema by `error_responses(...)`;
- `idempotent(request, endpoint, perform)`: an Idempotency-Key makes a retried write return the first
  answer (same key and same body), and refuses the key with 409 for a different body;
- `validated(serializer_class, request)`: the request body checked by an input serializer (400 otherwise);
- `ApiCursorPagination` and `ListQuery`: every API list is a keyset page (newest first, stable under
  inserts, no COUNT(*) over the table), its query parameters checked like a request body;
- `AmountField`: an amount as text, its pattern in the schema the one `common.money` accepts;
- `api_not_found`: the JSON 404 for a path under an API prefix that no route matches (a typed path
  parameter that is not a number).

The permission class of the bank API (`ActionPermissions`, fail closed) needs the organisations, so it
lives in `yunfu_ipfund.accounts.api_permissions`.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.fields import empty
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_handler

from .errors import Conflict, DomainError, NotFound, ValidationFailed
from .models import IdempotencyRecord

MSG_IDEMPOTENCY_REUSED = "该 Idempotency-Key 已用于内容不同的请求，请为新请求使用新的键。"
MSG_IDEMPOTENCY_KEY = "Idempotency-Key 应为 1 至 200 个字符。"
MSG_INVALID_CURSOR = "翻页游标（cursor）无效或已过期，请从第一页重新读取（使用上一页返回的 next 链接）。"
MSG_NO_SUCH_PATH = "接口地址不存在，或记录编号不是数字。"

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
        # A refused API key is a DomainError too: DRF put its WWW-Authenticate value on it (RFC 7235).
        auth = getattr(exc, "auth_header", None)
        return Response(
            error_body(exc.code, exc.message, exc.details),
            status=exc.status,
            headers={"WWW-Authenticate": auth} if auth else None,
        )
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
    404: "未找到该记录，或它不属于本机构（翻页游标无效时亦然）。",
    409: "记录已由他人处理，或该 Idempotency-Key 已用于内容不同的请求。",
    429: "请求过于频繁，请稍后再试（Retry-After 给出秒数）。",
}


def error_responses(*statuses):
    """`extend_schema(responses={200: Out, **error_responses(400, 404)})`: the one error body per status."""
    return {code: OpenApiResponse(ApiError, description=ERROR_DESCRIPTIONS[code]) for code in statuses}


# Every bank API call is throttled (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES): 429 everywhere.
READ_ERRORS = error_responses(401, 403, 404, 429)
LIST_ERRORS = error_responses(400, 401, 403, 404, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 429)


@csrf_exempt  # as DRF's views: the API authenticates by key, and a 404 is a 404 whatever the method
def api_not_found(request, *args, **kwargs):
    """A path under an API prefix that no route matches answers in the API's shape, not the HTML page."""
    return JsonResponse(error_body("not_found", MSG_NO_SUCH_PATH), status=404)


# --- amounts ---------------------------------------------------------------------------------------

# The text `common.money.to_money` reads as an amount: ASCII or full-width digits, at most one decimal
# point (. or ．) with at most two decimals, thousands separators (, ，) and a leading ¥/￥ allowed.
AMOUNT_PATTERN = r"^\s*[¥￥]?[0-9０-９,，]*[0-9０-９]([.．][0-9０-９]{1,2})?\s*$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": AMOUNT_PATTERN,
        "maxLength": 20,
        "example": "1000000.00",
        "description": "金额（元，到分），文本：阿拉伯数字或全角数字，至多一个小数点、两位小数",
    }
)
class AmountField(serializers.RegexField):
    """An amount as text; the service parses it (`common.money`), the schema states what it accepts."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("error_messages", {"invalid": "金额只能由数字组成，至多一个小数点、两位小数。"})
        super().__init__(AMOUNT_PATTERN, **kwargs)


# --- text ----------------------------------------------------------------------------------------

# The characters DRF's CharField trims (str.strip, i.e. str.isspace), spelled out: the schema's regex
# dialect (ECMA) has another notion of \s. A required text must contain one character outside them.
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACES += "\u2028\u2029\u202f\u205f\u3000"
# A text never holds a NUL character (PostgreSQL refuses it): escaped as \x00, read alike by both dialects.
# (A text that may be blank: drf-spectacular states the empty text as the other branch of a oneOf, so this
# pattern must not match it.)
NO_NUL_PATTERN = r"^[^\x00]+$"
NOT_BLANK_PATTERN = rf"^[^\x00]*[^{_SPACES}\x00][^\x00]*$"


class TextField(serializers.CharField):
    """A text as DRF's CharField checks it (no NUL character; unless allow_blank, not blank once
    trimmed), stated so in the schema (TextFieldSchema)."""


class TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TextField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {"type": "string", "pattern": NO_NUL_PATTERN if field.allow_blank else NOT_BLANK_PATTERN}
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        if not field.allow_blank:
            schema["minLength"] = max(1, field.min_length or 1)
        return schema


# --- lists: keyset pages ---------------------------------------------------------------------------


def max_page_size():
    return getattr(settings, "API_MAX_PAGE_SIZE", 200)


class ApiCursorPagination(CursorPagination):
    """Newest first by id (unique, so the order is total and a page never repeats or skips a row when
    records are added meanwhile); the page size from REST_FRAMEWORK["PAGE_SIZE"], a client may ask for
    up to API_MAX_PAGE_SIZE. No count: the cost of a page does not grow with the table."""

    ordering = "-id"
    page_size_query_param = "page_size"
    invalid_cursor_message = MSG_INVALID_CURSOR

    @property
    def max_page_size(self):
        return max_page_size()

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise NotFound(MSG_INVALID_CURSOR, code="invalid_cursor") from None

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "下一页的地址；没有下一页时为 null"},
                "previous": {**link, "description": "上一页的地址；在第一页时为 null"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return []  # documented by ListQuery, which also checks them


class QueryInteger(serializers.IntegerField):
    """An integer query parameter: present but empty (?page_size=) is not a number, a 400 (DRF would
    skip it as absent)."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)


class ListQuery(serializers.Serializer):
    """The query parameters every API list takes, checked at the edge (400 in the one shape)."""

    cursor = TextField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=500,
        help_text="翻页游标：取上一页返回的 next 或 previous 链接即可；无效的游标答 404",
    )
    page_size = QueryInteger(
        required=False,
        min_value=1,
        max_value=max_page_size(),
        help_text=f"每页条数，默认 {api_settings.PAGE_SIZE}，最多 {max_page_size()}",
    )


def paginated(view, request, queryset, serializer_class, *, query=ListQuery, search=None):
    """One API list: the query parameters checked by `query` (a ListQuery); its filters (the fields
    other than cursor and page_size) applied by `search(queryset, **filters)`; then one keyset page."""
    filters = dict(validated(query, request, data=request.query_params))
    filters.pop("cursor", None)
    filters.pop("page_size", None)
    if search is not None:
        queryset = search(queryset, **filters)
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


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
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description="同一用户、同一接口、同一键的重复请求返回首次结果，不会重复办理。",
)


def _fingerprint(request):
    if not hasattr(request.data, "keys"):  # a JSON body that is not an object: the serializer refuses it
        return hashlib.sha256(json.dumps(request.data, default=str).encode()).hexdigest()
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
