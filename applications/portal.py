"""Navigation and the task inbox for the enterprise side."""

from django.urls import reverse

from yunfu_ipfund.accounts.roles import PERM_BANK_PREPARE, PERM_ENTERPRISE, PERM_READ_ALL
from yunfu_ipfund.accounts.selectors import is_bank_user
from yunfu_ipfund.common.money import format_money

from .selectors import enterprise_drafts, profile_of, registrations_awaiting_bank

# What a registration needs of the profile besides its required columns (blank or null until filled in).
PROFILE_NEEDED = ("district", "employees", "revenue", "total_assets")


def nav_items(user):
    items = []
    if user.has_perm(PERM_ENTERPRISE):
        items += [
            ("企业信息", reverse("applications:profile")),
            ("知识产权", reverse("applications:asset_list")),
            ("质押融资登记", reverse("applications:registration_list")),
        ]
    if is_bank_user(user):
        items.append(("融资申请", reverse("applications:incoming")))
    if user.has_perm(PERM_READ_ALL):
        items.append(("质押融资登记", reverse("applications:registration_list")))
    return items


def profile_incomplete(enterprise_org):
    profile = profile_of(enterprise_org)
    return profile is None or any(getattr(profile, name) in (None, "") for name in PROFILE_NEEDED)


def tasks(user):
    found = []
    if user.has_perm(PERM_ENTERPRISE) and user.organisation_id and profile_incomplete(user.organisation_id):
        found.append(
            {
                "title": "完善企业信息",
                "url": reverse("applications:profile_edit"),
                "due": None,
                "kind": "企业信息",
                "overdue": False,
            }
        )
    if user.has_perm(PERM_ENTERPRISE) and user.organisation_id:
        for r in enterprise_drafts(user.organisation_id).order_by("created_at")[:50]:
            found.append(
                {
                    "title": (
                        f"质押融资登记草稿 #{r.pk}（{r.bank.name}，{format_money(r.amount)} 元）尚未提交"
                    ),
                    "url": reverse("applications:registration_check", args=[r.pk]),
                    "due": None,
                    "kind": "质押登记",
                    "overdue": False,
                }
            )
    if user.has_perm(PERM_BANK_PREPARE) and user.organisation_id:
        for r in registrations_awaiting_bank(user.organisation_id).order_by("submitted_at")[:50]:
            found.append(
                {
                    "title": (
                        f"{r.enterprise.name}的质押融资申请 #{r.pk}（{format_money(r.amount)} 元）待受理"
                    ),
                    "url": reverse("applications:registration_decide", args=[r.pk]),
                    "due": None,
                    "kind": "融资申请",
                    "overdue": False,
                }
            )
    return found
