"""The deployment files agree with the project: docker-compose parses, its services and commands exist,
no secret is written in it, and the README's two commands are the scripts CI runs; and the portal speaks
one language, whatever the browser asks for."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django import forms
from django.core.management import get_commands
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service):
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_compose_has_the_five_services_with_health_checks(compose):
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name


@pytest.mark.django_db  # loading the tasks runs the system checks, which list the IP type table's choices
def test_compose_commands_exist_in_the_project(compose):
    services = compose["services"]
    web = _command(services["web"])
    assert web[0] == "gunicorn"
    module, attr = web[1].split(":")
    assert callable(getattr(importlib.import_module(module), attr))
    from yunfu_ipfund.celery import app

    for name in ("worker", "beat"):
        command = _command(services[name])
        assert command[:3] == ["celery", "-A", "yunfu_ipfund"]
        assert command[3] == name
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
    migrate = _command(services["migrate"])
    assert migrate[:3] == ["python", "manage.py", "migrate"]
    assert "migrate" in get_commands()


def test_compose_keeps_media_on_a_volume_and_no_secrets_inline(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    assert "media:/srv/ipfund/media" in text
    assert "media" in compose["volumes"]
    for match in re.finditer(r"^\s*[A-Z_]*(PASSWORD|SECRET_KEY)\s*:\s*(\S+)", text, re.MULTILINE):
        assert match.group(2).startswith("${"), match.group(0)


def test_compose_runs_the_portal_as_the_runtime_role_and_migrates_as_the_owner(compose):
    """Issue 12: the web, worker and beat connect as ipfund_app (no DDL, TRUNCATE or triggers); only
    migrate and db_roles know the owner's URL, and db_roles runs after migrate, before the others start."""
    import dj_database_url

    def user(url):  # ${VARIABLE:?message} stands for a secret given at `docker compose up`
        return dj_database_url.parse(re.sub(r"\$\{[^}]*\}", "secret", url))["USER"]

    services = compose["services"]
    assert (
        user(services["migrate"]["environment"]["MIGRATE_DATABASE_URL"])
        == compose["services"]["db"]["environment"]["POSTGRES_USER"]
    )
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert "MIGRATE_DATABASE_URL" not in env, name
        assert user(env["DATABASE_URL"]) == "ipfund_app", name
        assert services[name]["depends_on"]["db_roles"]["condition"] == "service_completed_successfully"
    roles = services["db_roles"]
    assert _command(roles) == ["python", "manage.py", "db_roles"]
    assert "db_roles" in get_commands()
    assert roles["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert (
        roles["environment"]["MIGRATE_DATABASE_URL"]
        == services["migrate"]["environment"]["MIGRATE_DATABASE_URL"]
    )


def test_ci_and_the_readme_use_the_two_roles():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "manage.py db_roles" in ci and "MIGRATE_DATABASE_URL" in ci and "guard roles_rehearsal" in ci
    readme = (ROOT / "README.md").read_text()
    assert "manage.py migrate && .venv/bin/python manage.py db_roles" in readme
    assert "MIGRATE_DATABASE_URL" in readme
    assert "## Database roles" in (ROOT / "docs" / "operations.md").read_text()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/demo.sh" in readme
    assert "bash scripts/test.sh" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci
    assert "DATABASE_URL=" in ci and "REDIS_URL=" in ci


# One locale (docs/adr/0006): the portal's strings are Chinese written directly; Django's own messages
# come in zh-hans whatever language the browser asks for, and no locale machinery is half set up.


def test_the_portal_is_single_locale_with_no_locale_machinery(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.USE_I18N is True  # for Django's own zh-hans messages only
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
    assert not getattr(settings, "LOCALE_PATHS", [])


def test_djangos_own_message_for_a_required_field_is_chinese():
    class AForm(forms.Form):
        name = forms.CharField()

    assert AForm({}).errors["name"] == ["该字段是必填项。"]


@pytest.mark.django_db
def test_the_login_form_and_the_admin_speak_chinese_to_a_browser_asking_for_english(client):
    response = client.post(reverse("accounts:login"), {}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert "该字段是必填项。" in response.content.decode()
    assert "This field is required" not in response.content.decode()
    admin = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert admin.status_code == 200
    assert "用户名" in admin.content.decode() and "Username" not in admin.content.decode()
