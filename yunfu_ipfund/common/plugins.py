"""The domain apps' optional modules (portal.py, demo.py, checks.py, urls.py, api_urls.py)."""

from importlib import import_module

from django.conf import settings


def app_modules(name):
    """Yield (app, module) for each of settings.PORTAL_APPS that has `<app>.<name>`, in order."""
    for app in settings.PORTAL_APPS:
        try:
            module = import_module(f"{app}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.{name}":
                raise  # the module exists but imports something missing: a real error
            continue
        yield app, module
