"""Masking enterprise names on public pages (公示): keep where it is and what kind of firm, hide who.

"云浮市云石科技有限公司" -> "云浮市**科技有限公司": the place prefix (province, city, county, district),
the industry word and the organisational form stay; the trade name (字号) becomes "**" whatever its
length, so the mask does not tell how long the hidden part is.
"""

import re

MASK = "**"

# Places tried in order at the start of a name (repeatedly: 广东省云浮市...). Yunfu's own first.
KNOWN_PLACES = ("广东省", "云浮市", "云城区", "云安区", "罗定市", "新兴县", "郁南县")
# One generic place token when no known place starts the name: 2-3 characters and 省/市/县/区.
_GENERIC_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}?[省市县区]")

# Organisational forms, longest first.
ORG_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "农民专业合作社",
    "专业合作社",
    "有限公司",
    "合作社",
    "合伙企业",
    "个人独资企业",
    "集团",
    "公司",
    "商行",
    "工作室",
    "厂",
    "店",
)
# Industry words kept before the form (any run of them from the end of the middle part).
INDUSTRY_WORDS = (
    "信息技术",
    "网络科技",
    "生物科技",
    "文化传播",
    "农业发展",
    "电子商务",
    "新材料",
    "新能源",
    "科技",
    "农业",
    "发展",
    "实业",
    "贸易",
    "商贸",
    "电子",
    "机械",
    "石材",
    "石业",
    "食品",
    "生物",
    "医药",
    "药业",
    "制药",
    "信息",
    "技术",
    "网络",
    "文化",
    "传媒",
    "建材",
    "化工",
    "环保",
    "能源",
    "材料",
    "制造",
    "工贸",
    "投资",
    "物流",
    "农产品",
    "种养",
    "养殖",
    "种植",
    "茶业",
    "水果",
    "林业",
    "木业",
    "家具",
    "服装",
    "纺织",
    "陶瓷",
    "五金",
    "电器",
    "设备",
    "工程",
    "智能",
    "包装",
    "印刷",
)
_INDUSTRY_BY_LENGTH = sorted(INDUSTRY_WORDS, key=len, reverse=True)


def _split_places(name):
    prefix = ""
    rest = name
    matched = True
    while matched:
        matched = False
        for place in KNOWN_PLACES:
            if rest.startswith(place) and len(rest) > len(place):
                prefix += place
                rest = rest[len(place) :]
                matched = True
                break
    if not prefix:
        m = _GENERIC_PLACE.match(rest)
        if m and len(rest) > m.end():
            prefix, rest = m.group(0), rest[m.end() :]
    return prefix, rest


def _split_form(rest):
    for form in ORG_FORMS:
        if rest.endswith(form) and len(rest) > len(form):
            return rest[: -len(form)], form
    return rest, ""


def _split_industry(middle):
    industry = ""
    changed = True
    while changed:
        changed = False
        for word in _INDUSTRY_BY_LENGTH:
            if middle.endswith(word) and len(middle) > len(word):
                industry = word + industry
                middle = middle[: -len(word)]
                changed = True
                break
    return middle, industry


def mask_enterprise_name(name):
    """Hide the trade name of an enterprise; anything unusual is masked more, never less."""
    name = (name or "").strip()
    if not name:
        return ""
    prefix, rest = _split_places(name)
    middle, form = _split_form(rest)
    trade, industry = _split_industry(middle)
    if not trade:
        # Nothing recognisable as a trade name: hide the whole middle part.
        trade, industry = middle, ""
    return f"{prefix}{MASK}{industry}{form}"
