"""Every HTML list page costs the same number of queries at 5 rows and at 50 (issue 13 item 2), and no
page counts a whole table on every visit (item 3): lists count at most COUNT_CAP + 1 rows
(common.pagination), the public statistics are kept in the cache until a write changes them.

The rows are written straight into the tables (a list only reads them; the services that make them are
tested in their apps): 5, then 45 more, of each kind a list shows."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import LoanRegistration
from compensation.models import Claim
from fund import services as fund_services
from lenders.models import CooperatingBank, CoveredLoan, LoanFiling
from lenders.selectors import STATISTICS_CACHE_KEY
from tests.factories import make_org
from yunfu_ipfund.common import pagination
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.policy.services import policy_in_force

TEST_ONLY = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
BIG_TABLES = ("lenders_coveredloan", "lenders_loanfiling", "fund_posting", "fund_entry", "compensation_claim")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rows(bank_a, enterprise_a, enterprise_user, bank_officer, bureau_approver, finance_user):
    """add(n): n more of everything the lists show for bank A and enterprise A: accepted registrations,
    submitted filings (the review queue), confirmed filings with their covered loans and a submitted
    claim on each, cooperating banks, contributions and treasury commitments in the fund."""
    CooperatingBank.objects.get_or_create(
        organisation=bank_a,
        defaults=dict(
            admitted_on=today() - dt.timedelta(days=400),
            agreement_number=f"YFHZ-LQ-{bank_a.pk}",
            agreement_valid_from=today() - dt.timedelta(days=400),
            agreement_valid_to=today() + dt.timedelta(days=1000),
            admitted_by=bureau_approver,
        ),
    )
    policy = policy_in_force(today())
    serial = iter(range(1, 10_000))

    def registration():
        return LoanRegistration.objects.create(
            enterprise=enterprise_a,
            bank=bank_a,
            created_by=enterprise_user,
            status=LoanRegistration.Status.ACCEPTED,
            amount=Decimal("1000000.00"),
            term_months=12,
            purpose="流动资金",
        )

    def filing(status):
        i = next(serial)
        day = today() - dt.timedelta(days=30)
        return LoanFiling.objects.create(
            registration=registration(),
            bank=bank_a,
            enterprise=enterprise_a,
            contract_number=f"LQ{i:05d}",
            amount=Decimal("1000000.00"),
            ip_amount=Decimal("1000000.00"),
            disbursed_on=day,
            maturity_on=day + dt.timedelta(days=365),
            annual_rate=Decimal("3.85"),
            repayment_method="interest_monthly",
            status=status,
            prepared_by=bank_officer,
            submitted_at=timezone.now() if status == LoanFiling.Status.SUBMITTED else None,
        )

    def add(n):
        fund_services.contribution_post(
            by=finance_user, amount=Decimal("1000000.00") * n, key=f"lq-fund-{next(serial)}"
        )
        for _ in range(n):
            registration()
            filing(LoanFiling.Status.SUBMITTED)
            confirmed = filing(LoanFiling.Status.CONFIRMED)
            loan = CoveredLoan.objects.create(
                filing=confirmed,
                bank=bank_a,
                enterprise=enterprise_a,
                policy_version=policy,
                contract_number=confirmed.contract_number,
                amount=confirmed.amount,
                covered_amount=confirmed.amount,
                fund_share=Decimal("0.4"),
                disbursed_on=confirmed.disbursed_on,
                maturity_on=confirmed.maturity_on,
                outstanding_principal=confirmed.amount,
                covered_outstanding=confirmed.amount,
                status=CoveredLoan.Status.NON_PERFORMING,
                classification="substandard",
                confirmed_at=timezone.now(),
            )
            Claim.objects.create(
                covered_loan=loan,
                bank=bank_a,
                policy_version=policy,
                status=Claim.Status.SUBMITTED,
                classified_on=today() - dt.timedelta(days=10),
                classification="substandard",
                enforcement_actions="已起诉",
                unrecovered_principal=Decimal("800000.00"),
                prepared_by=bank_officer,
            )
            org = make_org("bank", f"列表测试银行{next(serial)}")
            CooperatingBank.objects.create(
                organisation=org,
                admitted_on=today() - dt.timedelta(days=400),
                agreement_number=f"YFHZ-LQ-{org.pk}",
                agreement_valid_from=today() - dt.timedelta(days=400),
                agreement_valid_to=today() + dt.timedelta(days=1000),
                admitted_by=bureau_approver,
            )
            fund_services.contribution_post(
                by=finance_user, amount=Decimal("100.00"), key=f"lq-contribution-{next(serial)}"
            )
            fund_services.commitment_create(
                by=bureau_approver,
                amount=Decimal("100.00"),
                purpose="treasury",
                reason="上缴国库",
                reference=("fund.instruction", f"LQ-{next(serial)}"),
                key=f"lq-commitment-{next(serial)}",
            )

    return add


# (label, persona, url name, query string, what the page shows of the rows)
LISTS = [
    ("bank filing list", "bank_officer", "lenders:filing_list", "", "LQ"),
    ("bureau filing list", "bureau_clerk", "lenders:filing_list", "", "LQ"),
    ("bank loan list", "bank_officer", "lenders:loan_list", "", "LQ"),
    ("bureau loan list", "bureau_clerk", "lenders:loan_list", "", "LQ"),
    ("bureau loan list, non-performing", "bureau_clerk", "lenders:loan_list", "?status=non_performing", "LQ"),
    ("finance loan list", "finance_user", "lenders:loan_list", "", "LQ"),
    ("enterprise loan list", "enterprise_user", "lenders:loan_list", "", "LQ"),
    ("bank registrations to file", "bank_officer", "lenders:registration_list", "", "云石科技"),
    ("review queue", "bureau_clerk", "lenders:review_queue", "", "LQ"),
    ("bank list", "bureau_clerk", "lenders:bank_list", "", "列表测试银行"),
    ("bank claims", "bank_officer", "compensation:claim_list", "", "800,000.00"),
    ("bureau claims", "bureau_clerk", "compensation:claim_list", "", "800,000.00"),
    ("enterprise registrations", "enterprise_user", "applications:registration_list", "", "1,000,000"),
    ("bureau registrations", "bureau_clerk", "applications:registration_list", "", "云石科技"),
    ("fund journal", "finance_user", "fund:journal", "", "出资"),
    ("fund commitments", "finance_user", "fund:commitment_list", "", "LQ-"),
]


def _get(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return response, [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TEST_ONLY)]


@pytest.mark.parametrize(("label", "persona", "name", "query", "shows"), LISTS, ids=[x[0] for x in LISTS])
def test_a_list_page_costs_the_same_queries_at_5_and_at_50_rows(
    request, client_for, rows, django_assert_max_num_queries, label, persona, name, query, shows
):
    client = client_for(request.getfixturevalue(persona))
    path = reverse(name) + query
    rows(5)
    client.get(path)  # the session's first save
    at_5, five = _get(client, path)
    assert shows in at_5.content.decode(), label
    rows(45)
    with django_assert_max_num_queries(len(five) + 2):  # + the test's SAVEPOINT and RELEASE
        at_50, fifty = _get(client, path)
    assert shows in at_50.content.decode(), label
    assert len(fifty) == len(five), (label, fifty)


def _whole_table_counts(queries):
    """The COUNT(*) statements over a big table that neither filter nor stop at a LIMIT."""
    found = []
    for sql in queries:
        if "COUNT(" not in sql.upper() or not any(f'"{t}"' in sql for t in BIG_TABLES):
            continue
        if re.search(r"\bLIMIT\b", sql) is None and re.search(r"\bWHERE\b", sql) is None:
            found.append(sql)
    return found


@pytest.mark.parametrize(("label", "persona", "name", "query", "shows"), LISTS, ids=[x[0] for x in LISTS])
def test_no_list_page_counts_a_whole_big_table(request, client_for, rows, label, persona, name, query, shows):
    rows(5)
    client = client_for(request.getfixturevalue(persona))
    _, queries = _get(client, reverse(name) + query)
    assert _whole_table_counts(queries) == [], label
    pager = [q for q in queries if '"__count"' in q and any(f'"{t}"' in q for t in BIG_TABLES)]
    assert all("LIMIT 1001" in q for q in pager), pager  # the pager's count stops at COUNT_CAP + 1


def test_the_pager_says_the_exact_total_of_a_small_list_and_pages_it(client_for, rows, bureau_clerk):
    rows(25)
    client = client_for(bureau_clerk)
    body = client.get(reverse("lenders:loan_list")).content.decode()
    assert "第 1 / 2 页，共 25 条" in body
    assert "page=2" in body and "下一页" in body
    body = client.get(reverse("lenders:loan_list") + "?page=2").content.decode()
    assert "第 2 / 2 页，共 25 条" in body and "上一页" in body and "下一页" not in body
    for bad in ("abc", "0", "-3", "99999999999999999999", "2.5"):
        response = client.get(reverse("lenders:loan_list") + f"?page={bad}")
        assert response.status_code == 200, bad
    assert "第 2 / 2 页" in client.get(reverse("lenders:loan_list") + "?page=7").content.decode()


def test_a_long_list_is_not_counted_past_the_cap(db, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    for i in range(6):
        make_org("enterprise", f"分页测试企业{i}")
    from yunfu_ipfund.accounts.models import Organisation

    qs = Organisation.objects.filter(name__startswith="分页测试企业").order_by("pk")
    with CaptureQueriesContext(connection) as ctx:
        page = pagination.page_of(RequestFactory().get("/", {"page": "2"}), qs, size=2)
    assert [o.name for o in page] == ["分页测试企业2", "分页测试企业3"]
    assert page.total is None and page.num_pages is None
    assert page.has_next() and page.has_previous()
    assert len(ctx.captured_queries) == 2
    assert "LIMIT 4" in ctx.captured_queries[0]["sql"]
    past = pagination.page_of(RequestFactory().get("/", {"page": "9"}), qs, size=2)
    assert list(past) == [] and past.has_previous() and not past.has_next()


@pytest.mark.parametrize(
    ("value", "number"), [("1", 1), ("3", 3), (" 2 ", 2), ("0", 1), ("-1", 1), ("x", 1), ("", 1), (None, 1)]
)
def test_a_page_number_is_a_whole_number_from_1(value, number):
    assert pagination.page_number(value) == number
    assert pagination.page_number(str(pagination.MAX_PAGE + 1)) == 1


# --- the public statistics --------------------------------------------------------------------------


def test_the_statistics_page_counts_nothing_on_a_second_visit(client, rows, django_assert_max_num_queries):
    from django.core.cache import cache

    cache.delete(STATISTICS_CACHE_KEY)
    rows(5)
    first, queries = _get(client, reverse("fund:statistics"))
    assert any("lenders_coveredloan" in q for q in queries)
    second, queries = _get(client, reverse("fund:statistics"))
    assert not [q for q in queries if any(f'"{t}"' in q for t in BIG_TABLES)], queries
    assert "5 笔" in second.content.decode()


def test_a_new_covered_loan_or_posting_is_seen_by_the_next_visit(client, rows, finance_user):
    from django.core.cache import cache

    cache.delete(STATISTICS_CACHE_KEY)
    rows(5)
    assert "5 笔，" in client.get(reverse("fund:statistics")).content.decode()
    rows(1)  # a covered loan, postings, a bank: each drops the cached figures
    body = client.get(reverse("fund:statistics")).content.decode()
    assert "6 笔，" in body
    fund_services.contribution_post(by=finance_user, amount=Decimal("12345.67"), key="lq-stat-seen")
    after = client.get(reverse("fund:statistics")).content.decode()
    assert _contributions(after) - _contributions(body) == Decimal("12345.67")


def _contributions(body):
    figure = re.search(r"累计拨入</dt><dd>([\d,.]+) 元", body).group(1)
    return Decimal(figure.replace(",", ""))
