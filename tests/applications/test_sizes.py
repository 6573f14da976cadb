"""The 2011 SME classification standard (工信部联企业〔2011〕300号), at its boundary figures."""

from decimal import Decimal

import pytest

from applications.models import Sector
from applications.sizes import SOURCE, THRESHOLDS, classify
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


def test_an_unknown_sector_is_refused():
    with pytest.raises(ValueError):
        classify("mining", 10, D(1), D(1))
