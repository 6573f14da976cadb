"""The Measures' 24 articles as one list (common.articles), the daily checks' articles, and the generated
Measures map (docs/measures-map.md, `manage.py measures_map`, compared in CI)."""

import importlib.util
import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yunfu_ipfund.common.articles import (
    ARTICLE_2,
    ARTICLE_7,
    ARTICLE_24,
    ARTICLES,
    MODULE_ARTICLES,
    article,
    article_label,
    articles_of,
    implements,
)
from yunfu_ipfund.notices.checks import all_daily_checks, check_articles
from yunfu_ipfund.policy.measures_map import OUTPUT, TEST_MODULE_ARTICLES, render

LABELS = {
    1: "第一条",
    2: "第二条",
    7: "第七条",
    10: "第十条",
    12: "第十二条",
    20: "第二十条",
    24: "第二十四条",
}


def test_the_measures_have_24_articles_in_order_each_with_its_title_and_what_the_system_does():
    assert [a.number for a in ARTICLES] == list(range(1, 25))
    assert all(a.title and a.does for a in ARTICLES)
    assert ARTICLE_2.title == "定义" and "著作权" in ARTICLE_2.does
    assert ARTICLE_7.title == "支持对象" and ARTICLE_24.title.startswith("施行与解释")


@pytest.mark.parametrize("number, label", sorted(LABELS.items()))
def test_article_labels_are_the_measures_numbering(number, label):
    assert article_label(number) == label == article(number).label


@pytest.mark.parametrize("number", [0, 25, "x", None])
def test_there_is_no_article_outside_1_to_24(number):
    with pytest.raises(ValueError):
        article(number)


def test_implements_declares_sorted_article_numbers_and_leaves_the_function_as_it_is():
    @implements(ARTICLE_7, 2)
    @implements(ARTICLE_7)
    def rule(x):
        return x + 1

    assert rule.__articles__ == (2, 7) and rule(1) == 2
    assert [a.number for a in articles_of(rule)] == [2, 7]
    with pytest.raises(ValueError):
        implements(25)


def test_every_daily_check_names_its_articles():
    checks = all_daily_checks()
    assert checks
    missing = [f"{c.__module__}.{c.__name__}" for c in checks if not check_articles(c)]
    assert missing == []


def test_the_policy_checks_name_theirs():
    names = {c.__name__: [a.number for a in check_articles(c)] for c in all_daily_checks()}
    assert names["check_holiday_table"] == [17] and names["check_policy_expiry"] == [23, 24]


def test_the_modules_mapped_by_path_exist():
    assert [m for m in MODULE_ARTICLES if importlib.util.find_spec(m) is None] == []
    assert all(1 <= n <= 24 for numbers in MODULE_ARTICLES.values() for n in numbers)
    assert all(1 <= n <= 24 for numbers in TEST_MODULE_ARTICLES.values() for n in numbers)


# --- the map ----------------------------------------------------------------------------------------


def test_the_map_of_the_real_tree_is_deterministic_and_names_functions_and_tests(settings):
    from pathlib import Path

    base = Path(settings.BASE_DIR)
    text = render(base)
    assert text == render(base)
    assert text.count("\n## ") == 24
    assert "`yunfu_ipfund.policy.services.check_policy_expiry`" in text
    assert "`tests/platform/test_ip_types.py`（全部测试）" in text
    assert (
        "`tests/platform/test_workdays.py::test_workdays_between_over_an_unknown_year_says_it_is_provisional"
        in text
    )


@pytest.fixture
def tiny_tree(tmp_path, settings):
    (tmp_path / "fund").mkdir()
    (tmp_path / "fund" / "rules.py").write_text(
        textwrap.dedent(
            """
            from yunfu_ipfund.common.articles import ARTICLE_4, ARTICLE_7, implements

            ARTICLES = (ARTICLE_4,)

            @implements(ARTICLE_7)
            def a_rule():
                pass

            class Thing:
                @implements(12, 13)
                def method(self):
                    pass
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_tiny.py").write_text(
        textwrap.dedent(
            """
            import pytest

            pytestmark = [pytest.mark.django_db, pytest.mark.article(4)]

            @pytest.mark.article(7, 2)
            def test_a():
                pass

            @pytest.mark.article(13)
            class TestGroup:
                def test_b(self):
                    pass
            """
        ),
        encoding="utf-8",
    )
    settings.BASE_DIR = tmp_path
    return tmp_path


def section(text, label):
    return text.split(f"## {label}", 1)[1].split("\n## ", 1)[0]


def test_the_map_lists_each_article_its_functions_and_its_tests(tiny_tree):
    text = render(tiny_tree)
    assert "`fund.rules`（模块）" in section(
        text, "第四条"
    ) and "`tests/test_tiny.py`（全部测试）" in section(text, "第四条")
    seventh = section(text, "第七条")
    assert "`fund.rules.a_rule`" in seventh and "`tests/test_tiny.py::test_a`" in seventh
    assert "`fund.rules.Thing.method`" in section(text, "第十二条")
    assert "`tests/test_tiny.py::TestGroup`" in section(text, "第十三条")
    assert "`tests/test_tiny.py::test_a`" in section(text, "第二条")
    assert "（尚无）" in section(text, "第二十四条") or "按模块" in section(text, "第二十四条")


def test_the_check_fails_in_chinese_and_english_until_the_map_is_regenerated(tiny_tree):
    with pytest.raises(CommandError) as caught:
        call_command("measures_map", "--check")
    assert "条文对照表" in str(caught.value) and "out of date" in str(caught.value)
    call_command("measures_map")
    assert (tiny_tree / OUTPUT).read_text(encoding="utf-8") == render(tiny_tree)
    call_command("measures_map", "--check")  # up to date: no error
    (tiny_tree / "tests" / "test_tiny.py").write_text(
        "import pytest\n\n\n@pytest.mark.article(9)\ndef test_c():\n    pass\n", encoding="utf-8"
    )
    with pytest.raises(CommandError):
        call_command("measures_map", "--check")


def test_an_article_outside_the_measures_is_refused_by_the_generator(tiny_tree):
    (tiny_tree / "tests" / "test_bad.py").write_text(
        "import pytest\n\n\n@pytest.mark.article(31)\ndef test_d():\n    pass\n", encoding="utf-8"
    )
    with pytest.raises(ValueError):
        render(tiny_tree)
