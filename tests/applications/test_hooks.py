"""The questions the enterprise side asks the bank side: published by applications, answered by lenders.

applications stands below lenders, so it never imports it; whatever an answer depends on is an argument.
"""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import applications
from applications import hooks

APPLICATIONS = Path(applications.__file__).parent


def test_applications_imports_nothing_of_lenders():
    found = []
    for path in APPLICATIONS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            found += [f"{path.relative_to(APPLICATIONS)}: {n}" for n in names if n.split(".")[0] == "lenders"]
    assert found == []


def test_the_pledge_question_answers_from_its_arguments_alone(live_filing):
    asset_id = live_filing.pledges.get().asset_id
    assert hooks.pledged_asset_ids([asset_id]) == {asset_id}
    assert hooks.pledged_asset_ids([asset_id], excluding_filing_id=live_filing.pk) == set()
    assert hooks.pledged_asset_ids([asset_id]) == {asset_id}


def test_the_bank_question_is_answered_by_the_cooperating_banks(bank_a, bank_b, cooperating):
    assert set(hooks.active_bank_orgs()) == {bank_a, bank_b}


def test_an_unanswered_question_fails_loudly_and_has_one_answer():
    hook = hooks.Hook("example")
    with pytest.raises(ImproperlyConfigured, match="nobody answers"):
        hook()
    answer = hook.register(lambda: 42)
    hook.register(answer)  # registering the same answer again (a second ready()) is harmless
    assert hook() == 42
    with pytest.raises(ImproperlyConfigured, match="answered twice"):
        hook.register(lambda: 43)
