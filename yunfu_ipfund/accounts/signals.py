"""What accounts tells the layers above it (they connect in their AppConfig.ready()).

`admin_changed`: an administrator created or changed an organisation or a user in the admin site
(`by`, `obj`, `created`, `data`). The audit log, a layer above, records it; accounts does not import it.
"""

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

admin_changed = Signal()


def send_admin_changed(*, by, obj, created, data):
    """Tell the receivers; with none connected the change would go unrecorded, so that is an error."""
    if not admin_changed.has_listeners(type(obj)):
        raise ImproperlyConfigured("nothing records the administrators' changes (audit not ready?)")
    admin_changed.send(sender=type(obj), by=by, obj=obj, created=created, data=data)
