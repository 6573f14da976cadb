"""Pages under /fund/ that an app above the fund composes, because they show the fund's figures beside
figures the fund does not keep (the loans' covered outstanding, the banks' risk). That app registers
them here from its AppConfig.ready(); fund/urls.py mounts them in the fund's namespace, so that their
addresses and names are the fund's (/fund/risk/, `fund:risk`). A registry: no logic of its own.
"""

from collections.abc import Callable

from django.http import HttpResponse

# (route, view, name), in the order registered.
composed: list[tuple[str, Callable[..., HttpResponse], str]] = []


def compose(pages):
    """Mount `pages`, an iterable of (route, view, name), under /fund/ (once each name)."""
    known = {name for _, _, name in composed}
    composed.extend(page for page in pages if page[2] not in known)
