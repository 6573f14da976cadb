"""Issue 14 item 7: /measures/ shows each version article by article with its own figures (before, a
short table of twelve parameters and no articles)."""

import pytest
from django.urls import reverse

from yunfu_ipfund.policy.article_text import GROUPS, NOT_PARAMETERS, version_articles
from yunfu_ipfund.policy.models import PolicyVersion

pytestmark = pytest.mark.django_db


def test_every_parameter_of_a_version_is_listed_under_exactly_one_article():
    listed = [name for _, names in GROUPS for name in names]
    assert len(listed) == len(set(listed))
    parameters = {f.name for f in PolicyVersion._meta.concrete_fields} - set(NOT_PARAMETERS)
    assert set(listed) == parameters
    numbers = sorted(n for group, _ in GROUPS for n in group)
    assert numbers == list(range(1, 25))


def test_the_page_shows_each_version_article_by_article_in_its_own_figures(client):
    response = client.get(reverse("public:measures"))
    assert response.status_code == 200
    text = response.content.decode()
    versions = list(PolicyVersion.objects.all())
    assert len(versions) == 2
    assert text.count("逐条查看") == 2
    for heading in (
        "第一条　制定依据",
        "第十二条、第十三条　风险补偿",
        "第二十三条、第二十四条　施行与解释",
        "第十七条至第二十二条　各方职责",
    ):
        assert text.count(heading) == 2
    for v in versions:
        assert f"{v.effective_from.year}年{v.effective_from.month}月{v.effective_from.day}日" in text
    assert "None" not in text and "{{" not in text and "{%" not in text


def test_the_figures_are_the_versions_own():
    v2020 = PolicyVersion.objects.order_by("effective_from").first()
    v2025 = PolicyVersion.objects.order_by("effective_from").last()
    v2025.claim_window_months = 7
    lines = {line.label: line.value for group in version_articles(v2025) for line in group.lines}
    assert lines["不良认定后申请补偿期限（月）"] == "7"
    assert lines["风险补偿资金分担比例"].endswith("%")
    assert lines["资金规模（元）"].endswith(" 元")
    joint = {line.label: line.value for g in version_articles(v2020) for line in g.lines}
    assert joint["补偿决定前须经联席会议审议"] == "是"
    assert lines["补偿决定前须经联席会议审议"] == "否"
