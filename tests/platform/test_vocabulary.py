"""Issue 14 item 4: one vocabulary. Each navigation label opens a page whose title (<title>, and its
<h1> but on the home page, which greets the user, and the admin site) carries the same name. Before:
待备案登记 opened 融资申请, 我的贷款 opened 在保贷款, 接口令牌 opened 接口密钥, 首页 opened 工作台,
质押登记 and 融资登记 opened 质押融资登记."""

import re

import pytest

from yunfu_ipfund.accounts.context_processors import nav_items

pytestmark = pytest.mark.django_db

PERSONAS = (
    "enterprise_user",
    "bank_officer",
    "bank_supervisor",
    "bureau_clerk",
    "bureau_approver",
    "finance_user",
    "administrator",
)


def _h1(html):
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def _title(html, *, whole=False):
    """The page's own name: the <title> before " · 平台名" (the whole <title> when `whole`)."""
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    text = found.group(1).strip() if found else ""
    return text if whole else re.split(r" [·|] ", text)[0]


# Pages whose <h1> is not their name: the home page greets the user; the admin site's index.
H1_EXEMPT = ("/accounts/home/", "/admin/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_nav_label_is_the_title_of_the_page_it_opens(persona, request, client):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    mismatches = []
    for label, url in nav_items(user):
        response = client.get(url)
        assert response.status_code == 200, (label, url, response.status_code)
        html = response.content.decode()
        exempt = url in H1_EXEMPT
        h1, title = _h1(html), _title(html, whole=exempt)
        if label not in title or (not exempt and label not in h1):
            mismatches.append(f"{label} -> {url}: <h1>{h1}</h1> <title>{title}</title>")
    assert not mismatches, "\n".join(mismatches)
