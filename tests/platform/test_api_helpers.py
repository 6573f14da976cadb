"""The platform's API helpers, below every app: ActionPermissions fails closed, `idempotent` replays the
first answer (and refuses a reused key with 409), input is checked at the edge, and every operation
of the schema documents its errors in the one shape."""

import functools
import time

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from lenders.services.tokens import api_token_issue
from tests.conftest import make_org, make_user, postgres_only, run_in_parallel
from yunfu_ipfund.accounts.api_permissions import ActionPermissions
from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE, Role
from yunfu_ipfund.common import api as platform_api
from yunfu_ipfund.common.api import idempotent
from yunfu_ipfund.common.models import IdempotencyRecord

factory = APIRequestFactory()


# --- ActionPermissions -----------------------------------------------------------------------------


class ProbeViewSet(viewsets.ViewSet):
    permission_classes = [ActionPermissions]
    action_permissions = {
        "list": (PERM_BANK_PREPARE, PERM_BANK_COUNTERSIGN),
        "retrieve": (),
        "countersign": (PERM_BANK_COUNTERSIGN,),
    }

    def list(self, request):
        return Response({"ok": True})

    def retrieve(self, request, pk=None):
        return Response({"ok": True})

    def create(self, request):  # deliberately missing from action_permissions
        return Response({"ok": True}, status=201)

    @action(detail=False, methods=["post"])
    def countersign(self, request):
        return Response({"ok": True})


class NoMapViewSet(viewsets.ViewSet):
    permission_classes = [ActionPermissions]

    def list(self, request):
        return Response({"ok": True})


def call(viewset, actions, user, method="get", **kwargs):
    request = getattr(factory, method)("/probe/", {}, format="json")
    if user is not None:
        force_authenticate(request, user=user)
    return viewset.as_view(actions)(request, **kwargs)


def test_a_listed_action_admits_a_bank_user_holding_any_one_of_its_permissions(bank_officer, bank_supervisor):
    assert call(ProbeViewSet, {"get": "list"}, bank_officer).status_code == 200
    assert call(ProbeViewSet, {"get": "list"}, bank_supervisor).status_code == 200
    assert call(ProbeViewSet, {"post": "countersign"}, bank_supervisor, method="post").status_code == 200


def test_a_listed_action_refuses_a_bank_user_without_its_permission(bank_officer):
    assert call(ProbeViewSet, {"post": "countersign"}, bank_officer, method="post").status_code == 403


@pytest.mark.parametrize(
    ("actions", "method", "kwargs"),
    [
        ({"post": "create"}, "post", {}),  # an action the view does not list
        ({"get": "retrieve"}, "get", {"pk": 1}),  # an action listed with no permission at all
        ({"get": "list"}, "delete", {}),  # a method no action is mapped to: refused before any 405
    ],
)
def test_an_action_it_does_not_know_fails_closed_with_403(bank_officer, actions, method, kwargs):
    assert call(ProbeViewSet, actions, bank_officer, method=method, **kwargs).status_code == 403


def test_a_view_without_a_permission_map_refuses_everything(bank_officer):
    assert call(NoMapViewSet, {"get": "list"}, bank_officer).status_code == 403


def test_only_bank_users_pass_even_with_a_bank_permission(bank_a, bureau_clerk, enterprise_user):
    stray = make_user("stray-officer", make_org(Organisation.Kind.BUREAU, "某局"), Role.BANK_OFFICER)
    assert stray.has_perm(PERM_BANK_PREPARE)
    for user in (stray, bureau_clerk, enterprise_user):
        assert call(ProbeViewSet, {"get": "list"}, user).status_code == 403
    inactive = make_user("inactive-officer", bank_a, Role.BANK_OFFICER)
    inactive.is_active = False
    inactive.save()
    assert call(ProbeViewSet, {"get": "list"}, inactive).status_code == 403


def test_without_credentials_it_is_401_in_the_one_shape(db):
    response = call(ProbeViewSet, {"get": "list"}, None)
    assert response.status_code == 401
    assert response.data["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/filings/{filing}/"),
        ("put", "/api/filings/{filing}/"),
        ("patch", "/api/loans/{loan}/"),
        ("post", "/api/loans/"),
        ("delete", "/api/claims/{claim}/"),
        ("put", "/api/claims/"),
    ],
)
def test_the_bank_api_refuses_an_unmapped_method_with_exactly_403(bank_officer, method, url):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(by=bank_officer).key}")
    response = getattr(client, method)(url.format(filing=1, loan=1, claim=1), {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_apps_use_the_platform_helpers_not_each_others():
    import compensation.api
    import lenders.api

    for module in (lenders.api, compensation.api):
        assert module.idempotent is platform_api.idempotent
        assert module.ActionPermissions is ActionPermissions


# --- idempotent ------------------------------------------------------------------------------------


class IdempotentProbe(APIView):
    """Counts its real runs; a body {"fail": true} makes the run fail with a 400 (nothing stored)."""

    permission_classes = [IsAuthenticated]
    runs = []

    def post(self, request):
        def perform():
            if request.data.get("fail"):
                from yunfu_ipfund.common.errors import ValidationFailed

                raise ValidationFailed("不行。")
            time.sleep(float(request.data.get("sleep", 0)))
            IdempotentProbe.runs.append(dict(request.data))
            return Response({"run": len(IdempotentProbe.runs), "echo": request.data.get("n")}, status=201)

        return idempotent(request, request.data.get("endpoint", "probe.create"), perform)


@pytest.fixture
def probe():
    IdempotentProbe.runs = []

    def post(user, body, key=None):
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        request = factory.post("/probe/", body, format="json", **headers)
        force_authenticate(request, user=user)
        return IdempotentProbe.as_view()(request)

    return post


def test_the_same_key_and_body_return_the_first_answer_without_running_again(probe, bank_officer):
    first = probe(bank_officer, {"n": 1}, key="k-1")
    again = probe(bank_officer, {"n": 1}, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.data == again.data == {"run": 1, "echo": 1}
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert len(IdempotentProbe.runs) == 1
    record = IdempotencyRecord.objects.get()
    assert (record.user, record.endpoint, record.key) == (bank_officer, "probe.create", "k-1")
    assert record.status_code == 201


def test_the_same_key_with_another_body_is_a_409_in_the_one_shape(probe, bank_officer):
    probe(bank_officer, {"n": 1}, key="k-1")
    response = probe(bank_officer, {"n": 2}, key="k-1")
    assert response.status_code == 409
    assert response.data["error"]["code"] == "idempotency_key_reused"
    assert len(IdempotentProbe.runs) == 1


def test_a_key_is_per_user_and_per_endpoint(probe, bank_officer, bank_b_officer):
    probe(bank_officer, {"n": 1}, key="k")
    probe(bank_b_officer, {"n": 1}, key="k")
    probe(bank_officer, {"n": 1, "endpoint": "probe.other"}, key="k")
    assert len(IdempotentProbe.runs) == 3


def test_without_a_key_every_request_runs(probe, bank_officer):
    probe(bank_officer, {"n": 1})
    probe(bank_officer, {"n": 1})
    assert len(IdempotentProbe.runs) == 2 and not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "x" * 201])
def test_an_empty_or_overlong_key_is_a_400(probe, bank_officer, key):
    response = probe(bank_officer, {"n": 1}, key=key)
    assert response.status_code == 400 and response.data["error"]["code"] == "idempotency_key"
    assert not IdempotentProbe.runs


def test_a_failed_run_stores_nothing_and_the_key_stays_usable(probe, bank_officer):
    assert probe(bank_officer, {"fail": True}, key="k").status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert probe(bank_officer, {"n": 1}, key="k").status_code == 201


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_run_once(probe, bank_a):
    user = make_user("racer", bank_a, Role.BANK_OFFICER)
    results = run_in_parallel(
        *[functools.partial(probe, user, {"n": 1, "sleep": "0.3"}, "race") for _ in range(2)]
    )
    assert [r.status_code for r in results] == [201, 201]
    assert results[0].data == results[1].data
    assert sorted(r.has_header("Idempotent-Replayed") for r in results) == [False, True]
    assert IdempotencyRecord.objects.count() == 1


# --- input at the edge -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/filings/?q=%00", "/api/loans/?status=%00"])
def test_a_nul_character_in_a_list_filter_is_a_400_not_a_database_error(bank_officer, url):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(by=bank_officer).key}")
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_unknown_status_filter_is_a_400_naming_the_field_as_the_schema_says(bank_officer):
    """The schema lists the statuses (an enum); a status outside it is refused, not silently ignored."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(by=bank_officer).key}")
    response = client.get("/api/filings/?status=nonsense&q=")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["status"]


# --- the schema ------------------------------------------------------------------------------------


ERROR_REF = {"$ref": "#/components/schemas/ApiError"}


def test_every_operation_documents_its_errors_in_the_one_shape(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    error = schema["components"]["schemas"]["ApiError"]
    assert set(error["properties"]) == {"error"}
    body = schema["components"]["schemas"]["ApiErrorBody"]
    assert set(body["properties"]) == {"code", "message", "details"}
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 15
    for path, method, op in operations:
        is_list = method == "get" and not path.endswith("}/")
        expected = {"401", "403", "404", "429"} | (
            {"400", "409"} if method == "post" else {"400"} if is_list else set()
        )
        documented = {
            code
            for code, response in op["responses"].items()
            if response["content"]["application/json"]["schema"] == ERROR_REF
        }
        assert expected <= documented, (method, path, sorted(documented))


def test_lists_are_documented_as_the_pages_they_are(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/filings/", "/api/loans/", "/api/claims/"):
        ok = schema["paths"][path]["get"]["responses"]["200"]
        ref = ok["content"]["application/json"]["schema"]["$ref"]
        page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"next", "previous", "results"}, path  # keyset: no count
        assert set(page["required"]) == {"next", "previous", "results"}, path
        params = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"cursor", "page_size"} <= params and "page" not in params, path
