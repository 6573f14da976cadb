"""Cache-Control: no-store on every authenticated response; public pages keep their caching (issue 12)."""

import pytest
from django.http import HttpResponse
from django.urls import reverse
from rest_framework.test import APIClient

from lenders.services.tokens import api_token_issue
from yunfu_ipfund.common.cache_headers import NoStoreForAuthenticatedMiddleware

pytestmark = pytest.mark.django_db


def _no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_a_signed_in_users_page_is_not_stored(client_for, bank_officer):
    response = client_for(bank_officer).get(reverse("accounts:home"))
    assert response.status_code == 200
    assert _no_store(response)
    assert "private" in response["Cache-Control"]


def test_an_api_answer_to_a_token_is_not_stored(bank_officer):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(by=bank_officer).key}")
    response = api.get("/api/loans/")
    assert response.status_code == 200
    assert _no_store(response)


def test_a_refused_token_is_still_a_credential_and_its_answer_not_stored(db):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api.get("/api/loans/")
    assert response.status_code == 401
    assert _no_store(response)


def test_a_public_page_is_not_marked(client):
    response = client.get("/")
    assert response.status_code == 200
    assert not _no_store(response)


def test_a_file_a_signed_in_user_downloads_is_not_stored(rf, bank_officer):
    """A PDF (any response) to a signed-in user: the middleware marks whatever the view returned."""
    request = rf.get("/notices/1/pdf/")
    request.user = bank_officer
    pdf = HttpResponse(b"%PDF-1.7", content_type="application/pdf")
    response = NoStoreForAuthenticatedMiddleware(lambda r: pdf)(request)
    assert _no_store(response)
