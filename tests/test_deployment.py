"""The deployment files agree with the project: docker-compose parses, its services and commands exist,
no secret is written in it, and the README's two commands are the scripts CI runs."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

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


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/demo.sh" in readme
    assert "bash scripts/test.sh" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci
    assert "DATABASE_URL=" in ci and "REDIS_URL=" in ci
