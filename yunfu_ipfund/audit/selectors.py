from .models import AuditEvent
from .services import object_label


def trail_for(obj):
    """The audit trail of one record (callers have already checked the user may see `obj`)."""
    return AuditEvent.objects.filter(object_type=object_label(obj), object_id=str(obj.pk)).order_by("id")
