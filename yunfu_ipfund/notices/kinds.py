"""The registry of official document kinds. Each domain app registers its own in AppConfig.ready().

A kind fixes the title, the document-number prefix (its number sequence), the issuing authority and
the template (which extends notices/pdf/base.html, laid out per GB/T 9704).
"""

from dataclasses import dataclass

BUREAU = "云浮市市场监督管理局"


@dataclass(frozen=True)
class NoticeKind:
    code: str
    title: str
    prefix: str
    template: str = "notices/pdf/generic.html"
    issuer: str = BUREAU


KINDS = {}


def register(kind):
    existing = KINDS.get(kind.code)
    if existing and existing != kind:
        raise ValueError(f"notice kind {kind.code} registered twice with different settings")
    KINDS[kind.code] = kind
    return kind


def get_kind(code):
    return KINDS[code]


# The platform's own sample kind: a general notification (告知书) with free paragraphs and a table.
GENERAL = register(NoticeKind(code="general", title="告知书", prefix="云市监知告"))
