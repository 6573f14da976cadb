"""The public statistics page (DOMAIN.md, the public's role): aggregate figures only, no names."""

from django.db.models import Count, Sum
from django.shortcuts import render

from lenders.models import CooperatingBank, CoveredLoan
from lenders.selectors import covered_outstanding
from yunfu_ipfund.common.dates import today

from .models import Posting, PostingKind
from .selectors import fund_figures


def statistics(request):
    loans = CoveredLoan.objects.aggregate(count=Count("id"), amount=Sum("amount"), enterprises=Count("enterprise", distinct=True))
    figures = fund_figures()
    context = {
        "as_of": today(),
        "banks": CooperatingBank.objects.filter(status=CooperatingBank.Status.ACTIVE).count(),
        "loans": loans,
        "covered_outstanding": covered_outstanding(),
        "payout_count": Posting.objects.filter(kind=PostingKind.PAYOUT, reversed_by__isnull=True).count(),
        "figures": figures,
    }
    return render(request, "fund/statistics.html", context)
