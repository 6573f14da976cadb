from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yunfu_ipfund.common.errors import NotFound
from yunfu_ipfund.common.uploads import serve_private_file

from .models import Message, Notice
from .selectors import access_notice, notices_visible_to
from .services import message_mark_read


@login_required
def notice_list(request):
    page = Paginator(notices_visible_to(request.user).order_by("-issued_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "notices/list.html", {"page": page})


@login_required
def notice_detail(request, pk):
    return render(request, "notices/detail.html", {"notice": access_notice(request.user, pk)})


@login_required
def notice_pdf(request, pk):
    notice = access_notice(request.user, pk)
    if notice.render_status != Notice.RenderStatus.RENDERED or not notice.pdf:
        raise NotFound("文书正在生成，请稍后刷新。")
    return serve_private_file(notice.pdf, download_name=notice.filename, content_type="application/pdf")


@login_required
def inbox(request):
    page = Paginator(Message.objects.filter(recipient=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@require_POST
@login_required
def inbox_mark_read(request):
    message_id = request.POST.get("id")
    message_mark_read(user=request.user, message_id=int(message_id) if (message_id or "").isdigit() else None)
    return redirect("notices:inbox")
