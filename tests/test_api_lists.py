"""Every bank API list is a keyset page whose cost does not grow with its rows (issue 13 item 3): the
query count at 50 rows is the one at 5, for each list endpoint and each bank role; the page is newest
first, follows its `next` link without repeating or skipping a row, and refuses what the schema refuses."""

import pytest
from rest_framework.test import APIClient

from compensation import services as compensation_services
from lenders.services.tokens import api_token_issue
from tests.factories import make_non_performing_loan

LISTS = ("/api/claims/", "/api/filings/", "/api/loans/")


def api(user):
    client = APIClient()
    issued = api_token_issue(by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {getattr(issued, 'key', issued)}")
    return client


@pytest.fixture
def add_rows(bank_a, enterprise_a, bank_officer, finance_bureau, bureau):
    """`add_rows(n)`: n more covered loans of bank A (each with its filing), each with a draft claim
    carrying evidence rows (the rows the claim list scores), built straight into the tables where no
    service files a loan dated months back."""

    def add(n):
        for _ in range(n):
            loan = make_non_performing_loan(bank_a, enterprise_a, bank_officer)
            claim = compensation_services.claim_create(
                by=bank_officer,
                covered_loan=loan,
                unrecovered_principal="600000.00",
                enforcement_actions="电话催收 5 次",
            )
            for kind in ("litigation_papers", "disposal_evidence"):
                compensation_services.evidence_mark_not_applicable(
                    by=bank_officer, claim=claim, kind=kind, reason="尚未起诉，质押物尚未处置"
                )

    return add


@pytest.mark.parametrize("role", ["bank_officer", "bank_supervisor"])
def test_each_api_list_costs_the_same_queries_at_5_and_at_50_rows(
    add_rows, role, request, django_assert_max_num_queries
):
    client = api(request.getfixturevalue(role))
    add_rows(5)
    at_five = {}
    for url in LISTS:
        with django_assert_max_num_queries(15) as small:
            response = client.get(url)
        assert response.status_code == 200, (url, response.json())
        assert len(response.json()["results"]) == 5
        at_five[url] = len(small.captured_queries)
    add_rows(45)
    for url in LISTS:
        with django_assert_max_num_queries(at_five[url]):
            response = client.get(url)
        assert len(response.json()["results"]) == 50, url


def test_the_claims_list_scores_each_claim_from_the_prefetched_evidence(add_rows, bank_officer):
    add_rows(2)
    rows = api(bank_officer).get("/api/claims/").json()["results"]
    # two of the eleven materials resolved (marked not applicable); every required one still missing
    assert [row["completeness"] for row in rows] == [18, 18]
    assert all("loan_contract" in row["missing_evidence"] for row in rows)


def test_a_list_is_a_keyset_page_newest_first_whose_next_link_neither_repeats_nor_skips(
    add_rows, bank_officer
):
    add_rows(5)
    client = api(bank_officer)
    first = client.get("/api/loans/?page_size=2").json()
    assert set(first) == {"next", "previous", "results"} and first["previous"] is None
    ids = [row["id"] for row in first["results"]]
    add_rows(1)  # a loan added meanwhile does not shift the pages already read
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        ids += [row["id"] for row in page["results"]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [("page_size=0", "page_size"), ("page_size=201", "page_size"), ("page_size=", "page_size")],
)
def test_a_page_size_outside_1_to_200_is_a_400_naming_it(bank_officer, query, field, db):
    response = api(bank_officer).get(f"/api/claims/?{query}")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid" and [d["field"] for d in body["details"]] == [field]


def test_a_forged_cursor_is_a_404_saying_to_start_again(bank_officer, db):
    response = api(bank_officer).get("/api/filings/?cursor=bm9uc2Vuc2U")
    assert response.status_code == 404
    body = response.json()["error"]
    assert body["code"] == "invalid_cursor" and "从第一页重新读取" in body["message"]


@pytest.mark.parametrize("path", ["/api/claims/abc/", "/api/loans/1.5/repayments/", "/api/filings/x/submit/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_path_id_that_is_not_a_number_is_a_json_404(bank_officer, path, method, db):
    response = getattr(api(bank_officer), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["message"] == "接口地址不存在，或记录编号不是数字。"
