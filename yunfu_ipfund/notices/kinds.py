"""The registry of official document kinds. Each domain app registers its own in AppConfig.ready().

A kind fixes the title, the document-number prefix (its number sequence), the issuing authority,
the template (which extends notices/pdf/base.html, laid out per GB/T 9704) and the declared context
its template receives: a dataclass whose fields are text, lists of text or nested dataclasses of the
same. `notice_issue` checks the builder's context against it (`context_validate`) and stores the plain
JSON, so a missing key, a wrong type or an empty value where one is required is an error at issue time,
never a blank or a Python repr in a sent document.

Rules of a context class: a field without a default is required (a non-empty text, a non-empty list, a
nested value); a field with a default may be left empty and the template then omits its part. Every
text inside a list or a nested value must be non-empty (an absent fact is written "—" by the builder).
Amounts and dates are formatted by the builders (`body_date`: 2026年12月1日 in the body; the 落款 is
二〇二六年十二月一日, set by the renderer).
"""

import dataclasses
import types
import typing
from dataclasses import dataclass, field

BUREAU = "云浮市市场监督管理局"

MSG_CONTEXT_WRONG = "文书“{title}”的内容不符合其声明：{path}{problem}。"
_REQUIRED = "为必填项，不能为空"
_NOT_TEXT = "应为文字"
_NOT_LIST = "应为列表"
_NOT_RECORD = "应为{name}"
_UNKNOWN = "不是声明的内容项"


class NoticeContextError(ValueError):
    """A builder's context does not match its kind's declaration (a defect, refused at issue time)."""


@dataclass(frozen=True)
class Table:
    """A table with a header row; every row has as many cells as the header."""

    head: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class GeneralContext:
    """告知书: free paragraphs, an optional table and amount, closing words."""

    paragraphs: list[str]
    table: Table | None = None
    amount: str = ""
    amount_capitals: str = ""
    closing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NoticeKind:
    code: str
    title: str
    prefix: str
    template: str = "notices/pdf/generic.html"
    issuer: str = BUREAU
    context: type = GeneralContext
    # 主送 printed instead of the addressee's name (a 公示 is addressed to the public, not to its issuer);
    # "" prints the addressee's name.
    addressed_to: str = ""


KINDS = {}


def register(kind):
    if not (dataclasses.is_dataclass(kind.context) and isinstance(kind.context, type)):
        raise ValueError(f"notice kind {kind.code} declares no context dataclass")
    existing = KINDS.get(kind.code)
    if existing and existing != kind:
        raise ValueError(f"notice kind {kind.code} registered twice with different settings")
    KINDS[kind.code] = kind
    return kind


def get_kind(code):
    return KINDS[code]


def body_date(day):
    """A date in the body of a document: 2026年12月1日 (no leading zeros; the 落款 has chinese_date)."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- validation ------------------------------------------------------------------------------------


def context_validate(kind, context):
    """The plain JSON (dicts, lists, strings) of `context` (an instance of kind.context or a dict of its
    fields) after checking it against the declaration; NoticeContextError names the first fault."""
    try:
        return _record(kind.context, context, "", required=True)
    except _Fault as fault:
        raise NoticeContextError(
            MSG_CONTEXT_WRONG.format(title=kind.title, path=fault.path, problem=fault.problem)
        ) from None


class _Fault(Exception):
    def __init__(self, path, problem):
        super().__init__(path, problem)
        self.path = path
        self.problem = problem


def _record(cls, value, path, *, required):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value) is not cls:
            raise _Fault(path or "内容", _NOT_RECORD.format(name=cls.__name__))
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if not isinstance(value, dict):
        raise _Fault(path or "内容", _NOT_RECORD.format(name=cls.__name__))
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in value:
        if key not in fields:
            raise _Fault(f"{path}{key}", _UNKNOWN)
    hints = typing.get_type_hints(cls)
    out = {}
    for name, f in fields.items():
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if name in value:
            item = value[name]
        elif has_default:
            item = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        else:
            raise _Fault(f"{path}{name}", _REQUIRED)
        out[name] = _value(hints[name], item, f"{path}{name}", required=not has_default)
    return out


def _value(tp, value, path, *, required):
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            if required:
                raise _Fault(path, _REQUIRED)
            return None
        return _value(args[0], value, path, required=required)
    if value is None:
        raise _Fault(path, _REQUIRED)
    if tp is str:
        if not isinstance(value, str):
            raise _Fault(path, _NOT_TEXT)
        if required and not value.strip():
            raise _Fault(path, _REQUIRED)
        return value
    if origin is list:
        (inner,) = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            raise _Fault(path, _NOT_LIST)
        if required and not value:
            raise _Fault(path, _REQUIRED)
        return [_value(inner, v, f"{path}[{i + 1}]", required=True) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        return _record(tp, value, f"{path}.", required=True)
    raise TypeError(f"unsupported context field type {tp!r} at {path}")


# The platform's own sample kind: a general notification (告知书) with free paragraphs and a table.
GENERAL = register(NoticeKind(code="general", title="告知书", prefix="云市监知告"))
