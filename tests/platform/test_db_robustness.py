"""The database briefly away (issue 12): a dropped connection costs no request, a database error is a
Chinese 503 page instead of a 500, and statements and lock waits are bounded."""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection, connections
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from tests.conftest import postgres_only, run_in_parallel
from yunfu_ipfund.common.db_unavailable import MSG_DB_UNAVAILABLE


def _database_away(request):
    raise OperationalError("server closed the connection unexpectedly")


def _fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("page/", _database_away),
    path("api/thing/", _database_away),
    path("fine/", _fine),
]


def _wsgi_get(url):
    """One request through Django's real WSGI handler (the test client skips the request_started
    connection housekeeping, which is what CONN_HEALTH_CHECKS works in)."""
    environ = RequestFactory()._base_environ(PATH_INFO=url, REQUEST_METHOD="GET")
    status = {}

    def start_response(code, headers, exc_info=None):
        status["code"] = int(code.split()[0])

    body = b"".join(WSGIHandler()(environ, start_response))
    return status["code"], body


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_postgres_dropped_costs_no_request():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert _wsgi_get("/healthz")[0] == 200
    pid = connection.connection.info.backend_pid  # the connection the next request reuses

    def terminate():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            return cursor.fetchone()[0]

    assert run_in_parallel(terminate) == [True]
    code, body = _wsgi_get("/healthz")
    assert code == 200, body[:300]
    assert connection.connection.info.backend_pid != pid


@pytest.mark.urls(__name__)
def test_a_database_error_in_a_view_is_the_chinese_503_page(client):
    response = client.get("/page/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "系统繁忙，请稍后重试" in text and "<html" in text
    assert response["Retry-After"] == "30"


@pytest.mark.urls(__name__)
def test_a_database_error_in_the_api_is_a_503_json_error(client):
    response = client.get("/api/thing/")
    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "database_unavailable",
        "message": MSG_DB_UNAVAILABLE,
        "details": [],
    }


@pytest.mark.urls(__name__)
def test_a_database_error_in_a_middleware_is_the_503_page_too(monkeypatch):
    """The session is read by a middleware before any view: Django turns that error into a 500 at once;
    the 500 becomes the 503 page."""
    from django.contrib.sessions.backends.db import SessionStore

    def load(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(SessionStore, "load", load)
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    response = client.get("/fine/")
    assert response.status_code == 503
    assert "系统繁忙，请稍后重试" in response.content.decode()


@pytest.mark.urls(__name__)
def test_other_errors_stay_ordinary_500s(client, db):
    def broken(request):
        raise ValueError("a bug")

    urlpatterns.append(path("bug/", broken))
    try:
        with pytest.raises(ValueError):
            client.get("/bug/")
    finally:
        urlpatterns.pop()


@postgres_only
@pytest.mark.django_db
def test_statements_and_lock_waits_are_bounded():
    options = connection.settings_dict["OPTIONS"]["options"]
    assert f"statement_timeout={settings.DB_TASK_STATEMENT_TIMEOUT_MS}" in options  # the suite: task limits
    assert f"lock_timeout={settings.DB_TASK_LOCK_TIMEOUT_MS}" in options
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "0"
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] != "0"


@postgres_only
@pytest.mark.django_db
def test_a_long_statement_is_cancelled_by_the_web_timeout():
    """A connection with the web request's options (DB_STATEMENT_TIMEOUT_MS, here 200 ms) cancels a
    statement that runs longer."""
    conf = dict(connection.settings_dict)
    conf["OPTIONS"] = {"options": "-c statement_timeout=200 -c lock_timeout=200"}
    probe = connections["default"].__class__(conf, alias="timeout_probe")
    try:
        with probe.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "200ms"
            with pytest.raises(OperationalError, match="statement timeout"):
                cursor.execute("SELECT pg_sleep(2)")
    finally:
        probe.close()


def test_the_web_limits_come_from_the_environment(monkeypatch):
    import importlib
    import sys

    import yunfu_ipfund.settings as live

    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "1234")
    monkeypatch.setenv("DB_LOCK_TIMEOUT_MS", "567")
    monkeypatch.setenv("TESTING", "false")
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db:5432/ipfund")
    monkeypatch.setattr(sys, "argv", ["gunicorn"])
    spec = importlib.util.find_spec("yunfu_ipfund.settings")
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert fresh.DATABASES["default"]["OPTIONS"]["options"] == "-c statement_timeout=1234 -c lock_timeout=567"
    assert fresh.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/celery", "-A", "yunfu_ipfund", "worker"])
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert "statement_timeout=600000" in fresh.DATABASES["default"]["OPTIONS"]["options"]
    monkeypatch.setattr(sys, "argv", ["/venv/lib/python3.11/site-packages/celery/__main__.py", "worker"])
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert "lock_timeout=60000" in fresh.DATABASES["default"]["OPTIONS"]["options"]
    monkeypatch.setenv("MIGRATE_DATABASE_URL", "postgres://owner:pw@db:5432/ipfund")
    monkeypatch.setattr(sys, "argv", ["manage.py", "migrate"])
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert fresh.DATABASES["default"]["USER"] == "owner"
    assert "options" not in fresh.DATABASES["default"].get("OPTIONS", {})
    assert live.DATABASES is not fresh.DATABASES
