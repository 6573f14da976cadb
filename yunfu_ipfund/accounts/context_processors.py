"""The role-aware navigation and the unread count, collected from each domain app's portal.py."""

from django.urls import reverse

from yunfu_ipfund.common.plugins import app_modules

from .selectors import role_labels


def portal_modules():
    return [module for _app, module in app_modules("portal")]


def nav_items(user):
    items = [("首页", reverse("accounts:home")), ("待办", reverse("accounts:tasks"))]
    for module in portal_modules():
        items += list(getattr(module, "nav_items", lambda u: [])(user))
    items.append(("文书", reverse("notices:list")))
    items.append(("消息", reverse("notices:inbox")))
    if user.has_perm("accounts.read_all"):
        items.append(("审计日志", reverse("audit:events")))
    if user.is_staff:
        items.append(("系统管理", reverse("admin:index")))
    return items


def tasks_for(user):
    """Everything that needs this user now, soonest deadline first. Each item: dict(title, url, due, kind)."""
    tasks = []
    for module in portal_modules():
        tasks += list(getattr(module, "tasks", lambda u: [])(user))
    from yunfu_ipfund.notices.selectors import reminder_tasks

    by_url = {t["url"]: t for t in tasks if t.get("url")}
    for reminder in reminder_tasks(user):
        task = by_url.get(reminder["url"]) if reminder.get("url") else None
        if task is None:
            tasks.append(reminder)
            continue
        # The same record is already on the list: one line, with the earliest deadline.
        if reminder["due"] and (task.get("due") is None or reminder["due"] < task["due"]):
            task.update(due=reminder["due"], overdue=reminder["overdue"])
        task["provisional"] = task.get("provisional") or reminder.get("provisional", False)
    return sorted(tasks, key=lambda t: (t.get("due") is None, t.get("due") or 0))


def portal(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    from yunfu_ipfund.notices.selectors import unread_count

    return {
        "nav_items": nav_items(user),
        "unread_count": unread_count(user),
        "role_labels": role_labels(user),
    }
