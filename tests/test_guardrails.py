"""The repository's guardrails are contracts too: CI runs every check before the tests, the import
contract states the layers of ARCHITECTURE.md in their order, and pre-commit and `make check` run
the same tools."""

import configparser
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

# Each guardrail: a name and the words its command line must contain, in this order.
GUARDRAILS = {
    "ruff check": ["ruff", "check", "."],
    "ruff format": ["ruff", "format", "--check"],
    "migrations": ["manage.py", "makemigrations", "--check", "--dry-run"],
    "import contract": ["lint-imports"],
    "openapi schema": ["manage.py", "spectacular", "--validate", "--fail-on-warn"],
    "mypy": ["mypy", "yunfu_ipfund/common", "fund"],
}

LAYERS = [
    "compensation",
    "lenders",
    "applications",
    "fund",
    "yunfu_ipfund.policy",
    "yunfu_ipfund.notices",
    "yunfu_ipfund.audit",
    "yunfu_ipfund.accounts",
    "yunfu_ipfund.common",
]
COMPOSITION_ROOT = ["settings", "urls", "celery", "wsgi", "public_views", "public_urls"]


def _commands(text):
    """The script's command lines (comments and blank lines dropped, continuations joined)."""
    text = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def _runs(line, words):
    """True when the command line contains the words in order (each as a word or a path ending)."""
    tokens = shlex.split(line, comments=True)
    position = 0
    for word in words:
        for i in range(position, len(tokens)):
            if tokens[i] == word or tokens[i].endswith("/" + word):
                position = i + 1
                break
        else:
            return False
    return True


def _first(lines, words):
    for index, line in enumerate(lines):
        if _runs(line, words):
            return index
    return None


@pytest.fixture(scope="module")
def ci_lines():
    return _commands((ROOT / ".ci" / "run").read_text())


def test_ci_stops_at_the_first_failing_command(ci_lines):
    assert "set -euo pipefail" in ci_lines[:3]


def test_ci_installs_once_before_the_guardrails_and_runs_the_tests_after_them(ci_lines):
    install = _first(ci_lines, ["scripts/test.sh", "--install-only"])
    tests = _first(ci_lines, ["scripts/test.sh", "--no-install"])
    assert install is not None and tests is not None
    for name, words in GUARDRAILS.items():
        step = _first(ci_lines, words)
        assert step is not None, f".ci/run does not run the {name} guardrail"
        assert install < step < tests, f"the {name} guardrail must run after the install and before the tests"
    # Nothing else runs pytest: the README's command is the one test run.
    assert [line for line in ci_lines if "pytest" in line] == []


def test_a_failing_guardrail_fails_the_ci_run(ci_lines):
    """The guardrails are collected by `guard` and a failure exits non-zero before the tests."""
    text = (ROOT / ".ci" / "run").read_text()
    assert re.search(r'if ! "\$@"; then failed\+=', text)
    exit_line = _first(ci_lines, ["exit", "1"])
    assert exit_line is not None and exit_line < _first(ci_lines, ["scripts/test.sh", "--no-install"])
    for name, words in GUARDRAILS.items():
        assert ci_lines[_first(ci_lines, words)].startswith("guard "), f"the {name} guardrail is not guarded"


def test_the_readme_test_command_still_installs_and_runs_alone():
    script = (ROOT / "scripts" / "test.sh").read_text()
    assert "-m venv .venv" in script and 'pip install --quiet -e ".[test]"' in script
    assert script.rstrip().endswith('exec .venv/bin/python -m pytest "$@"')
    assert "--install-only" in script and "--no-install" in script


def test_the_import_contract_declares_the_layers_in_the_documented_order():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    roots = config["importlinter"]["root_packages"].split()
    assert sorted(roots) == sorted(["compensation", "lenders", "applications", "fund", "yunfu_ipfund"])
    layers = [c for c in config.sections() if config[c].get("type") == "layers"]
    assert len(layers) == 1
    assert config[layers[0]]["layers"].split() == LAYERS
    forbidden = [c for c in config.sections() if config[c].get("type") == "forbidden"]
    assert len(forbidden) == 1
    contract = config[forbidden[0]]
    assert contract["source_modules"].split() == LAYERS
    assert contract["forbidden_modules"].split() == [f"yunfu_ipfund.{m}" for m in COMPOSITION_ROOT]


def test_the_import_contract_covers_every_package_of_the_platform():
    platform = {p.name for p in (ROOT / "yunfu_ipfund").iterdir() if (p / "__init__.py").exists()}
    platform_layers = {m for m in LAYERS if m.startswith("yunfu_ipfund.")}
    assert {f"yunfu_ipfund.{name}" for name in platform} == platform_layers
    root_modules = {p.stem for p in (ROOT / "yunfu_ipfund").glob("*.py")} - {"__init__"}
    assert root_modules <= set(COMPOSITION_ROOT), "new root module: name its layer"


def test_pre_commit_runs_the_same_tools_from_the_venv():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])
    for hook in hooks:
        assert hook["language"] == "system"
        assert ".venv/bin/" in hook["entry"], hook["id"]
    for name, words in GUARDRAILS.items():
        if name == "ruff check":
            words = ["ruff", "check"]  # pre-commit passes the changed files instead of "."
        assert any(_runs(hook["entry"], words) for hook in hooks), f"pre-commit does not run {name}"


def test_make_check_runs_the_same_tools():
    makefile = (ROOT / "Makefile").read_text()
    recipe = _commands("\n".join(line for line in makefile.splitlines() if line.startswith("\t")))
    for name, words in GUARDRAILS.items():
        assert _first(recipe, words) is not None, f"make check does not run the {name} guardrail"


def test_the_tool_configuration_is_the_one_the_guardrails_expect():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lint = pyproject["tool"]["ruff"]["lint"]
    assert pyproject["tool"]["ruff"]["line-length"] == 110 and "E501" not in lint.get("ignore", [])
    assert "E" in lint["select"]
    mypy = pyproject["tool"]["mypy"]
    assert "mypy_django_plugin.main" in mypy["plugins"]
    assert pyproject["tool"]["django-stubs"]["django_settings_module"] == "yunfu_ipfund.settings"
    extras = " ".join(pyproject["project"]["optional-dependencies"]["test"])
    for tool in ("ruff", "import-linter", "mypy", "django-stubs", "djangorestframework-stubs"):
        assert f"{tool}==" in extras or f"{tool}[" in extras, f"{tool} is not pinned in the test extra"
