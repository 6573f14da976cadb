"""Enterprise size classes under the 2011 SME classification standard (Art 7).

Source: 工业和信息化部、国家统计局、国家发展和改革委员会、财政部《关于印发中小企业划型标准规定的通知》
（工信部联企业〔2011〕300号），《中小企业划型标准规定》第四条第（一）至（十六）项. Figures: employees
(从业人员) in persons, revenue (营业收入) and total assets (资产总额) in 万元.

How the standard reads (and how `classify` applies it):
- An enterprise is small/medium/micro (中小微型) when ANY listed indicator is below the SME upper
  bound ("从业人员1000人以下或营业收入40000万元以下的为中小微型企业"); otherwise it is large.
- Medium and small need ALL their lower bounds ("从业人员300人及以上，且营业收入2000万元及以上的为中型企业");
  failing one of them moves the enterprise one class down; micro is what remains.
- "及以上" includes the figure, "以下" excludes it (统计上大中小微型企业划分办法, 附注).
- Every indicator the sector's item uses must be known: a missing one means the enterprise cannot be
  classified (`SizeUnknown`), never "micro".

This is the national standard, not a number of the Measures: it lives here as data, one table, and the
declared size decides nothing (Rulings of December 2026).
"""

from dataclasses import dataclass
from decimal import Decimal

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.policy.models import EnterpriseSize

from .models import Sector

SOURCE = "《中小企业划型标准规定》（工信部联企业〔2011〕300号）"

EMPLOYEES, REVENUE, ASSETS = "employees", "revenue", "assets"
INDICATOR_LABELS = {EMPLOYEES: "从业人员", REVENUE: "营业收入", ASSETS: "资产总额"}
INDICATOR_UNITS = {EMPLOYEES: "人", REVENUE: "万元", ASSETS: "万元"}

MSG_CANNOT_CLASSIFY = (
    "依据《管理办法》第七条，按{source}，{sector}须以{needed}划型；未填写{missing}，无法划分企业规模，"
    "请补充后再核验。"
)


class SizeUnknown(ValidationFailed):
    """The figures the sector's item needs are not all known: the enterprise cannot be classified."""

    code = "size_unknown"

    def __init__(self, sector, missing):
        self.sector = Sector(sector)
        self.missing = tuple(missing)
        table = THRESHOLDS[self.sector]
        super().__init__(
            MSG_CANNOT_CLASSIFY.format(
                source=SOURCE,
                sector=self.sector.label,
                needed="、".join(INDICATOR_LABELS[k] for k in table.indicators),
                missing="、".join(INDICATOR_LABELS[k] for k in self.missing),
            )
        )


@dataclass(frozen=True)
class SectorThresholds:
    article: str  # the item of 第四条 that sets these figures
    sme_upper: dict  # indicator -> bound: below it on ANY indicator = SME (else large)
    medium_floor: dict  # indicator -> lower bound: ALL met = medium
    small_floor: dict  # indicator -> lower bound: ALL met = small (else micro)

    @property
    def indicators(self):
        return tuple(self.sme_upper) + tuple(k for k in self.medium_floor if k not in self.sme_upper)


D = Decimal


def _t(article, upper, medium, small):
    return SectorThresholds(article=article, sme_upper=upper, medium_floor=medium, small_floor=small)


E, R, A = EMPLOYEES, REVENUE, ASSETS

# 第四条, item by item, as the standard gives it (bounds in persons or 万元).
THRESHOLDS = {
    Sector.AGRICULTURE: _t("第四条第（一）项 农、林、牧、渔业", {R: D(20000)}, {R: D(500)}, {R: D(50)}),
    Sector.INDUSTRY: _t(
        "第四条第（二）项 工业", {E: 1000, R: D(40000)}, {E: 300, R: D(2000)}, {E: 20, R: D(300)}
    ),
    Sector.CONSTRUCTION: _t(
        "第四条第（三）项 建筑业",
        {R: D(80000), A: D(80000)},
        {R: D(6000), A: D(5000)},
        {R: D(300), A: D(300)},
    ),
    Sector.WHOLESALE: _t(
        "第四条第（四）项 批发业", {E: 200, R: D(40000)}, {E: 20, R: D(5000)}, {E: 5, R: D(1000)}
    ),
    Sector.RETAIL: _t(
        "第四条第（五）项 零售业", {E: 300, R: D(20000)}, {E: 50, R: D(500)}, {E: 10, R: D(100)}
    ),
    Sector.TRANSPORT: _t(
        "第四条第（六）项 交通运输业", {E: 1000, R: D(30000)}, {E: 300, R: D(3000)}, {E: 20, R: D(200)}
    ),
    Sector.WAREHOUSING: _t(
        "第四条第（七）项 仓储业", {E: 200, R: D(30000)}, {E: 100, R: D(1000)}, {E: 20, R: D(100)}
    ),
    Sector.POSTAL: _t(
        "第四条第（八）项 邮政业", {E: 1000, R: D(30000)}, {E: 300, R: D(2000)}, {E: 20, R: D(100)}
    ),
    Sector.ACCOMMODATION: _t(
        "第四条第（九）项 住宿业", {E: 300, R: D(10000)}, {E: 100, R: D(2000)}, {E: 10, R: D(100)}
    ),
    Sector.CATERING: _t(
        "第四条第（十）项 餐饮业", {E: 300, R: D(10000)}, {E: 100, R: D(2000)}, {E: 10, R: D(100)}
    ),
    Sector.INFO_TRANSMISSION: _t(
        "第四条第（十一）项 信息传输业", {E: 2000, R: D(100000)}, {E: 100, R: D(1000)}, {E: 10, R: D(100)}
    ),
    Sector.SOFTWARE_IT: _t(
        "第四条第（十二）项 软件和信息技术服务业",
        {E: 300, R: D(10000)},
        {E: 100, R: D(1000)},
        {E: 10, R: D(50)},
    ),
    Sector.REAL_ESTATE: _t(
        "第四条第（十三）项 房地产开发经营",
        {R: D(200000), A: D(10000)},
        {R: D(1000), A: D(5000)},
        {R: D(100), A: D(2000)},
    ),
    Sector.PROPERTY_MANAGEMENT: _t(
        "第四条第（十四）项 物业管理", {E: 1000, R: D(5000)}, {E: 300, R: D(1000)}, {E: 100, R: D(500)}
    ),
    Sector.LEASING_BUSINESS: _t(
        "第四条第（十五）项 租赁和商务服务业",
        {E: 300, A: D(120000)},
        {E: 100, A: D(8000)},
        {E: 10, A: D(100)},
    ),
    Sector.SERVICES: _t("第四条第（十六）项 其他未列明行业", {E: 300}, {E: 100}, {E: 10}),
}


def _figures(employees, revenue_wan, assets_wan):
    return {
        EMPLOYEES: None if employees is None else D(employees),
        REVENUE: None if revenue_wan is None else D(revenue_wan),
        ASSETS: None if assets_wan is None else D(assets_wan),
    }


def _all_at_least(figures, floors):
    return all(figures[k] >= v for k, v in floors.items())


def missing_figures(sector, employees, revenue_wan, assets_wan):
    """The indicators `sector`'s item uses that are not given (empty when it can be classified)."""
    figures = _figures(employees, revenue_wan, assets_wan)
    return [k for k in THRESHOLDS[Sector(sector)].indicators if figures[k] is None]


def classify(sector, employees, revenue_wan, assets_wan):
    """The size class the figures give for `sector` (a Sector value). Raises ValueError for an unknown
    sector and `SizeUnknown` when a figure the sector's item uses is missing."""
    table = THRESHOLDS[Sector(sector)]
    missing = missing_figures(sector, employees, revenue_wan, assets_wan)
    if missing:
        raise SizeUnknown(sector, missing)
    figures = _figures(employees, revenue_wan, assets_wan)
    if _all_at_least(figures, table.sme_upper):
        return EnterpriseSize.LARGE
    if _all_at_least(figures, table.medium_floor):
        return EnterpriseSize.MEDIUM
    if _all_at_least(figures, table.small_floor):
        return EnterpriseSize.SMALL
    return EnterpriseSize.MICRO


def _number(key, value):
    if key == EMPLOYEES:
        return f"{value:d}" if isinstance(value, int) else f"{D(value):f}".split(".")[0]
    text = f"{D(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def describe_figures(sector, employees, revenue_wan, assets_wan):
    """'从业人员2000人、营业收入50000万元': only the indicators the sector's item uses, as the standard
    writes them (a missing one reads 未填写)."""
    figures = _figures(employees, revenue_wan, assets_wan)
    parts = []
    for key in THRESHOLDS[Sector(sector)].indicators:
        value = figures[key]
        shown = "未填写" if value is None else f"{_number(key, value)}{INDICATOR_UNITS[key]}"
        parts.append(f"{INDICATOR_LABELS[key]}{shown}")
    return "、".join(parts)
