from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from yunfu_ipfund.accounts.selectors import sees_everything
from yunfu_ipfund.common.errors import NotFound

from .models import AuditEvent


@login_required
def events(request):
    """The whole trail, for bureau and finance staff (for anyone else the page does not exist).
    Each record's own page shows its own trail."""
    if not sees_everything(request.user):
        raise NotFound()
    qs = AuditEvent.objects.order_by("-id")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = (
            qs.filter(object_repr__icontains=q)
            | qs.filter(action__icontains=q)
            | qs.filter(actor_name__icontains=q)
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"page": page, "q": q})
