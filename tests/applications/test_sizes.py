"""The 2011 SME classification standard (工信部联企业〔2011〕300号), at its boundary figures."""

from decimal import Decimal

import pytest

from applications.models import Sector
from applications.sizes import SOURCE, THRESHOLDS, SizeUnknown, classify
from yunfu_ipfund.policy.models import EnterpriseSize

L, M, S, X = EnterpriseSize.LARGE, EnterpriseSize.MEDIUM, EnterpriseSize.SMALL, EnterpriseSize.MICRO
D = Decimal

CASES = [
    # sector, employees, revenue (万元), assets (万元), expected
    (Sector.INDUSTRY, 1000, D("40000"), None, L),
    (Sector.INDUSTRY, 999, D("40000"), None, M),
    (Sector.INDUSTRY, 1000, D("39999.99"), None, M),
    (Sector.INDUSTRY, 300, D("2000"), None, M),
    (Sector.INDUSTRY, 299, D("2000"), None, S),
    (Sector.INDUSTRY, 300, D("1999.99"), None, S),
    (Sector.INDUSTRY, 20, D("300"), None, S),
    (Sector.INDUSTRY, 19, D("300"), None, X),
    (Sector.INDUSTRY, 20, D("299.99"), None, X),
    (Sector.CONSTRUCTION, None, D("80000"), D("80000"), L),
    (Sector.CONSTRUCTION, None, D("80000"), D("79999.99"), M),
    (Sector.CONSTRUCTION, None, D("6000"), D("5000"), M),
    (Sector.CONSTRUCTION, None, D("5999.99"), D("5000"), S),
    (Sector.CONSTRUCTION, None, D("6000"), D("4999.99"), S),
    (Sector.CONSTRUCTION, None, D("300"), D("300"), S),
    (Sector.CONSTRUCTION, None, D("299.99"), D("300"), X),
    (Sector.CONSTRUCTION, None, D("300"), D("299.99"), X),
    (Sector.WHOLESALE, 200, D("40000"), None, L),
    (Sector.WHOLESALE, 199, D("40000"), None, M),
    (Sector.WHOLESALE, 20, D("5000"), None, M),
    (Sector.WHOLESALE, 19, D("5000"), None, S),
    (Sector.WHOLESALE, 20, D("4999.99"), None, S),
    (Sector.WHOLESALE, 5, D("1000"), None, S),
    (Sector.WHOLESALE, 4, D("1000"), None, X),
    (Sector.WHOLESALE, 5, D("999.99"), None, X),
    (Sector.RETAIL, 300, D("20000"), None, L),
    (Sector.RETAIL, 299, D("20000"), None, M),
    (Sector.RETAIL, 50, D("500"), None, M),
    (Sector.RETAIL, 49, D("500"), None, S),
    (Sector.RETAIL, 10, D("100"), None, S),
    (Sector.RETAIL, 9, D("100"), None, X),
    (Sector.RETAIL, 10, D("99.99"), None, X),
    (Sector.SOFTWARE_IT, 300, D("10000"), None, L),
    (Sector.SOFTWARE_IT, 300, D("9999.99"), None, M),
    (Sector.SOFTWARE_IT, 100, D("1000"), None, M),
    (Sector.SOFTWARE_IT, 99, D("1000"), None, S),
    (Sector.SOFTWARE_IT, 10, D("50"), None, S),
    (Sector.SOFTWARE_IT, 9, D("50"), None, X),
    (Sector.SOFTWARE_IT, 10, D("49.99"), None, X),
    (Sector.SERVICES, 300, None, None, L),
    (Sector.SERVICES, 299, None, None, M),
    (Sector.SERVICES, 100, None, None, M),
    (Sector.SERVICES, 99, None, None, S),
    (Sector.SERVICES, 10, None, None, S),
    (Sector.SERVICES, 9, None, None, X),
    # the ten sectors the first build did not have (第四条第（一）、（六）至（十一）、（十三）至（十五）项)
    (Sector.AGRICULTURE, None, D("20000"), None, L),
    (Sector.AGRICULTURE, None, D("19999.99"), None, M),
    (Sector.AGRICULTURE, None, D("500"), None, M),
    (Sector.AGRICULTURE, None, D("499.99"), None, S),
    (Sector.AGRICULTURE, None, D("50"), None, S),
    (Sector.AGRICULTURE, None, D("49.99"), None, X),
    (Sector.TRANSPORT, 1000, D("30000"), None, L),
    (Sector.TRANSPORT, 999, D("30000"), None, M),
    (Sector.TRANSPORT, 300, D("3000"), None, M),
    (Sector.TRANSPORT, 300, D("2999.99"), None, S),
    (Sector.TRANSPORT, 20, D("200"), None, S),
    (Sector.TRANSPORT, 20, D("199.99"), None, X),
    (Sector.WAREHOUSING, 200, D("30000"), None, L),
    (Sector.WAREHOUSING, 199, D("30000"), None, M),
    (Sector.WAREHOUSING, 100, D("1000"), None, M),
    (Sector.WAREHOUSING, 99, D("1000"), None, S),
    (Sector.WAREHOUSING, 20, D("100"), None, S),
    (Sector.WAREHOUSING, 19, D("100"), None, X),
    (Sector.POSTAL, 1000, D("30000"), None, L),
    (Sector.POSTAL, 1000, D("29999.99"), None, M),
    (Sector.POSTAL, 300, D("2000"), None, M),
    (Sector.POSTAL, 299, D("2000"), None, S),
    (Sector.POSTAL, 20, D("100"), None, S),
    (Sector.POSTAL, 20, D("99.99"), None, X),
    (Sector.ACCOMMODATION, 300, D("10000"), None, L),
    (Sector.ACCOMMODATION, 299, D("10000"), None, M),
    (Sector.ACCOMMODATION, 100, D("2000"), None, M),
    (Sector.ACCOMMODATION, 100, D("1999.99"), None, S),
    (Sector.ACCOMMODATION, 10, D("100"), None, S),
    (Sector.ACCOMMODATION, 9, D("100"), None, X),
    (Sector.CATERING, 300, D("10000"), None, L),
    (Sector.CATERING, 300, D("9999.99"), None, M),
    (Sector.CATERING, 100, D("2000"), None, M),
    (Sector.CATERING, 99, D("2000"), None, S),
    (Sector.CATERING, 10, D("100"), None, S),
    (Sector.CATERING, 10, D("99.99"), None, X),
    (Sector.INFO_TRANSMISSION, 2000, D("100000"), None, L),
    (Sector.INFO_TRANSMISSION, 1999, D("100000"), None, M),
    (Sector.INFO_TRANSMISSION, 100, D("1000"), None, M),
    (Sector.INFO_TRANSMISSION, 99, D("1000"), None, S),
    (Sector.INFO_TRANSMISSION, 10, D("100"), None, S),
    (Sector.INFO_TRANSMISSION, 10, D("99.99"), None, X),
    (Sector.REAL_ESTATE, None, D("200000"), D("10000"), L),
    (Sector.REAL_ESTATE, None, D("200000"), D("9999.99"), M),
    (Sector.REAL_ESTATE, None, D("1000"), D("5000"), M),
    (Sector.REAL_ESTATE, None, D("999.99"), D("5000"), S),
    (Sector.REAL_ESTATE, None, D("100"), D("2000"), S),
    (Sector.REAL_ESTATE, None, D("100"), D("1999.99"), X),
    (Sector.PROPERTY_MANAGEMENT, 1000, D("5000"), None, L),
    (Sector.PROPERTY_MANAGEMENT, 999, D("5000"), None, M),
    (Sector.PROPERTY_MANAGEMENT, 300, D("1000"), None, M),
    (Sector.PROPERTY_MANAGEMENT, 300, D("999.99"), None, S),
    (Sector.PROPERTY_MANAGEMENT, 100, D("500"), None, S),
    (Sector.PROPERTY_MANAGEMENT, 99, D("500"), None, X),
    (Sector.LEASING_BUSINESS, 300, None, D("120000"), L),
    (Sector.LEASING_BUSINESS, 300, None, D("119999.99"), M),
    (Sector.LEASING_BUSINESS, 100, None, D("8000"), M),
    (Sector.LEASING_BUSINESS, 99, None, D("8000"), S),
    (Sector.LEASING_BUSINESS, 10, None, D("100"), S),
    (Sector.LEASING_BUSINESS, 10, None, D("99.99"), X),
]


@pytest.mark.parametrize(("sector", "employees", "revenue", "assets", "expected"), CASES)
def test_it_classifies_each_sector_at_its_boundaries(sector, employees, revenue, assets, expected):
    assert classify(sector, employees, revenue, assets) == expected


def test_construction_ignores_employees_and_services_ignore_money():
    assert classify(Sector.CONSTRUCTION, 100_000, D("300"), D("300")) == S
    assert classify(Sector.SERVICES, 9, D("999999"), D("999999")) == X


def test_the_table_covers_every_sector_and_names_its_source():
    assert set(THRESHOLDS) == set(Sector)
    assert "工信部联企业〔2011〕300号" in SOURCE


def test_an_agricultural_firm_with_30_staff_and_30000_wan_revenue_is_large():
    # 农、林、牧、渔业 营业收入20000万元以下为中小微型企业: revenue alone decides, staff do not count.
    assert classify(Sector.AGRICULTURE, 30, D("30000"), None) == L


def test_every_sector_of_the_standard_is_in_the_table_with_its_item():
    assert len(THRESHOLDS) == 16
    items = [t.article for t in THRESHOLDS.values()]
    assert items[0].startswith("第四条第（一）项 农、林、牧、渔业")
    assert items[-1].startswith("第四条第（十六）项 其他未列明行业")


@pytest.mark.parametrize(
    ("sector", "employees", "revenue", "assets", "missing"),
    [
        (Sector.INDUSTRY, 50, None, None, "营业收入"),
        (Sector.INDUSTRY, None, D("800"), None, "从业人员"),
        (Sector.CONSTRUCTION, 50, D("800"), None, "资产总额"),
        (Sector.AGRICULTURE, 30, None, D("1"), "营业收入"),
        (Sector.SERVICES, None, D("1"), D("1"), "从业人员"),
    ],
)
def test_a_missing_figure_cannot_be_classified_not_micro(sector, employees, revenue, assets, missing):
    with pytest.raises(SizeUnknown) as exc:
        classify(sector, employees, revenue, assets)
    assert f"未填写{missing}" in exc.value.message and "无法划分企业规模" in exc.value.message
    assert "第七条" in exc.value.message


def test_a_figure_the_sector_does_not_use_may_be_missing():
    assert classify(Sector.INDUSTRY, 50, D("800"), None) == S
    assert classify(Sector.CONSTRUCTION, None, D("300"), D("300")) == S


def test_an_unknown_sector_is_refused():
    with pytest.raises(ValueError):
        classify("mining", 10, D(1), D(1))
