"""Enterprise size classes under the 2011 SME classification standard (Art 7).

Source: 工业和信息化部、国家统计局、国家发展和改革委员会、财政部《关于印发中小企业划型标准规定的通知》
（工信部联企业〔2011〕300号），第四条. Figures: employees in persons, revenue (营业收入) and total assets
(资产总额) in 万元.

How the standard reads (and how `classify` applies it):
- An enterprise is small/medium/micro (中小微型) when ANY listed indicator is below the SME upper
  bound ("从业人员1000人以下或营业收入40000万元以下的为中小微型企业"); otherwise it is large.
- Medium and small need ALL their lower bounds ("从业人员300人及以上，且营业收入2000万元及以上的为中型企业");
  failing one of them moves the enterprise one class down; micro is what remains.
- "及以上" includes the figure, "以下" excludes it (统计上大中小微型企业划分办法, 附注).

This is the national standard, not a number of the Measures: it lives here as data, one table.
"""

from dataclasses import dataclass
from decimal import Decimal

from yunfu_ipfund.policy.models import EnterpriseSize

from .models import Sector

SOURCE = "《中小企业划型标准规定》（工信部联企业〔2011〕300号）"

EMPLOYEES, REVENUE, ASSETS = "employees", "revenue", "assets"
INDICATOR_LABELS = {EMPLOYEES: "从业人员", REVENUE: "营业收入", ASSETS: "资产总额"}
INDICATOR_UNITS = {EMPLOYEES: "人", REVENUE: "万元", ASSETS: "万元"}


@dataclass(frozen=True)
class SectorThresholds:
    article: str  # the item of 第四条 that sets these figures
    sme_upper: dict  # indicator -> bound: below it on ANY indicator = SME (else large)
    medium_floor: dict  # indicator -> lower bound: ALL met = medium
    small_floor: dict  # indicator -> lower bound: ALL met = small (else micro)

    @property
    def indicators(self):
        return tuple(self.sme_upper)


D = Decimal

THRESHOLDS = {
    Sector.INDUSTRY: SectorThresholds(
        article="第四条第（二）项 工业",
        sme_upper={EMPLOYEES: 1000, REVENUE: D(40000)},
        medium_floor={EMPLOYEES: 300, REVENUE: D(2000)},
        small_floor={EMPLOYEES: 20, REVENUE: D(300)},
    ),
    Sector.CONSTRUCTION: SectorThresholds(
        article="第四条第（三）项 建筑业",
        sme_upper={REVENUE: D(80000), ASSETS: D(80000)},
        medium_floor={REVENUE: D(6000), ASSETS: D(5000)},
        small_floor={REVENUE: D(300), ASSETS: D(300)},
    ),
    Sector.WHOLESALE: SectorThresholds(
        article="第四条第（四）项 批发业",
        sme_upper={EMPLOYEES: 200, REVENUE: D(40000)},
        medium_floor={EMPLOYEES: 20, REVENUE: D(5000)},
        small_floor={EMPLOYEES: 5, REVENUE: D(1000)},
    ),
    Sector.RETAIL: SectorThresholds(
        article="第四条第（五）项 零售业",
        sme_upper={EMPLOYEES: 300, REVENUE: D(20000)},
        medium_floor={EMPLOYEES: 50, REVENUE: D(500)},
        small_floor={EMPLOYEES: 10, REVENUE: D(100)},
    ),
    Sector.SOFTWARE_IT: SectorThresholds(
        article="第四条第（十二）项 软件和信息技术服务业",
        sme_upper={EMPLOYEES: 300, REVENUE: D(10000)},
        medium_floor={EMPLOYEES: 100, REVENUE: D(1000)},
        small_floor={EMPLOYEES: 10, REVENUE: D(50)},
    ),
    Sector.SERVICES: SectorThresholds(
        article="第四条第（十六）项 其他未列明行业",
        sme_upper={EMPLOYEES: 300},
        medium_floor={EMPLOYEES: 100},
        small_floor={EMPLOYEES: 10},
    ),
}


def _figures(employees, revenue_wan, assets_wan):
    return {
        EMPLOYEES: None if employees is None else D(employees),
        REVENUE: None if revenue_wan is None else D(revenue_wan),
        ASSETS: None if assets_wan is None else D(assets_wan),
    }


def _all_at_least(figures, floors):
    return all(figures[k] is not None and figures[k] >= v for k, v in floors.items())


def classify(sector, employees, revenue_wan, assets_wan):
    """The size class the figures give for `sector` (a Sector value). Raises KeyError for an unknown
    sector."""
    table = THRESHOLDS[Sector(sector)]
    figures = _figures(employees, revenue_wan, assets_wan)
    if _all_at_least(figures, table.sme_upper):
        return EnterpriseSize.LARGE
    if _all_at_least(figures, table.medium_floor):
        return EnterpriseSize.MEDIUM
    if _all_at_least(figures, table.small_floor):
        return EnterpriseSize.SMALL
    return EnterpriseSize.MICRO


def describe_figures(sector, employees, revenue_wan, assets_wan):
    """'从业人员 25 人、营业收入 800.00 万元': only the indicators the sector's standard uses."""
    figures = _figures(employees, revenue_wan, assets_wan)
    parts = []
    for key in THRESHOLDS[Sector(sector)].indicators:
        parts.append(f"{INDICATOR_LABELS[key]} {figures[key]} {INDICATOR_UNITS[key]}")
    return "、".join(parts)
