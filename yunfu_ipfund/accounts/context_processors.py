"""The role-aware navigation, the task list and what every page shows of the user.

The domain apps contribute through their portal.py (nav_items, tasks; `common.plugins.app_modules`).
The platform's layers above accounts register in their AppConfig.ready() (accounts imports none of them):
- `task_sources`: functions user -> [task]; a task about a record already on the list (same url)
  only brings its earlier deadline (notices: open reminders);
- `context_sources`: functions user -> dict, merged into every page's context (notices: unread count).
"""

import datetime as dt

from django.urls import reverse

from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.plugins import app_modules

from . import second_factor
from .roles import PERM_ADMINISTER, PERM_AUDIT, PERM_SECURITY
from .selectors import role_labels

task_sources = []
context_sources = []


def _register(registry, source):
    if source not in registry:
        registry.append(source)
    return source


def register_task_source(source):
    return _register(task_sources, source)


def register_context_source(source):
    return _register(context_sources, source)


def portal_modules():
    return [module for _app, module in app_modules("portal")]


def nav_items(user):
    items = [("工作台", reverse("accounts:home")), ("待办", reverse("accounts:tasks"))]
    for module in portal_modules():
        items += list(getattr(module, "nav_items", lambda u: [])(user))
    items.append(("文书", reverse("notices:list")))
    items.append(("消息", reverse("notices:inbox")))
    if user.has_perm("accounts.read_all") or user.has_perm(PERM_AUDIT):
        items.append(("审计日志", reverse("audit:events")))
    if user.has_perm(PERM_ADMINISTER) or user.has_perm(PERM_SECURITY) or user.has_perm(PERM_AUDIT):
        items.append(("管理操作申请", reverse("accounts:admin_requests")))
    if user.is_staff:
        items.append(("系统管理", reverse("admin:index")))
    return items


# Items due further ahead than this are listed apart ("以后的提醒"), collapsed on the pages.
SOON_DAYS = 30


def tasks_for(user):
    """Everything that needs this user, the one list both the home page and the to-do page show.

    Each item: dict(title, url, due, kind, overdue, provisional). A record's own task (an app's
    portal.py) carries the record's own deadline field, the one its page shows; an open reminder about
    a record already on the list (same url) is that obligation, one line, and never moves that deadline
    (it only gives one to a task that has none). `overdue` is counted here, for every item alike.
    Overdue items first, then by deadline, items without one last."""
    tasks = []
    for module in portal_modules():
        tasks += list(getattr(module, "tasks", lambda u: [])(user))
    by_url = {t["url"]: t for t in tasks if t.get("url")}
    for source in task_sources:
        for extra in source(user):
            task = by_url.get(extra["url"]) if extra.get("url") else None
            if task is None:
                tasks.append(extra)
                if extra.get("url"):
                    by_url[extra["url"]] = extra
                continue
            if task.get("due") is None and extra.get("due"):
                task["due"] = extra["due"]
            task["provisional"] = task.get("provisional") or extra.get("provisional", False)
    today = local_today()
    for task in tasks:
        task["overdue"] = bool(task.get("due") and task["due"] < today)
        task.setdefault("provisional", False)
    return sorted(tasks, key=lambda t: (not t["overdue"], t.get("due") is None, t.get("due") or today))


def split_tasks(tasks):
    """(near, later): the items due within SOON_DAYS (or overdue, or without a deadline) and the rest."""
    horizon = local_today() + dt.timedelta(days=SOON_DAYS)
    near = [t for t in tasks if not (t.get("due") and t["due"] > horizon)]
    later = [t for t in tasks if t.get("due") and t["due"] > horizon]
    return near, later


def task_context(user):
    """What the home page and the to-do page render of the user's to-dos (the same on both)."""
    near, later = split_tasks(tasks_for(user))
    return {"tasks": near, "later_tasks": later, "task_count": len(near) + len(later), "soon_days": SOON_DAYS}


def portal(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    if second_factor.pending(user):  # nothing but the code page, enrolment, password change and logout
        return {"role_labels": role_labels(user)}
    context = {"nav_items": nav_items(user), "role_labels": role_labels(user)}
    for source in context_sources:
        context.update(source(user))
    return context
