"""Fixtures for the platform's own tests: notices without WeasyPrint, a clean cache, eager Celery."""

import functools

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tests.conftest import run_in_parallel
from yunfu_ipfund import celery_app
from yunfu_ipfund.notices import services as notice_services

FAKE_PDF = b"%PDF-1.4\n% a stand-in for WeasyPrint's output\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clean_cache_and_eager_tasks(monkeypatch):
    """Rate limits live in the cache; tasks run in-process even when REDIS_URL is set."""
    cache.clear()
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    yield
    cache.clear()


@pytest.fixture
def fast_pdf(monkeypatch):
    """Replace the renderer with a constant PDF (access tests need a file, not its typesetting)."""
    monkeypatch.setattr("yunfu_ipfund.notices.pdf.render_pdf_bytes", lambda html: FAKE_PDF)
    return FAKE_PDF


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """issue(addressee, by=..., copied_to=(), context=None, subject=None) -> Notice, rendered after commit."""

    def _issue(addressee, *, by=None, copied_to=(), context=None, subject=None, kind="general"):
        with django_capture_on_commit_callbacks(execute=True):
            notice = notice_services.notice_issue(
                kind=kind,
                subject=subject or addressee,
                addressee=addressee,
                by=by,
                copied_to=copied_to,
                context=context
                if context is not None
                else {"paragraphs": ["经审核，现将有关事项告知如下。"]},
            )
        notice.refresh_from_db()
        return notice

    return _issue


@pytest.fixture
def login_as():
    """login_as(user) -> a fresh logged-in Client (several users in one test need several clients)."""

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login


def run_in_threads(count, target):
    """target(i) in `count` concurrent transactions; returns the exceptions raised (empty when all
    succeeded)."""
    return [
        r
        for r in run_in_parallel(*[functools.partial(target, i) for i in range(count)])
        if isinstance(r, Exception)
    ]


def atomic_refusal(callable_, *args, **kwargs):
    """Run a statement the database must refuse, in a savepoint so the test can go on; return the error."""
    from django.db import DatabaseError

    try:
        with transaction.atomic():
            callable_(*args, **kwargs)
    except DatabaseError as exc:
        return exc
    return None
