from django.contrib import admin

from .models import CooperatingBank, CoveredLoan, ImportJob, LoanEvent, LoanFiling


@admin.register(CooperatingBank)
class CooperatingBankAdmin(admin.ModelAdmin):
    """Read-only here: admission, suspension and termination go through the bureau's pages (notices,
    audit)."""

    list_display = [
        "organisation",
        "agreement_number",
        "agreement_valid_from",
        "agreement_valid_to",
        "status",
    ]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoanFiling)
class LoanFilingAdmin(ReadOnly):
    list_display = ["contract_number", "bank", "enterprise", "amount", "status", "review_due_on"]
    list_filter = ["status", "bank"]
    search_fields = ["contract_number", "enterprise__name"]


@admin.register(CoveredLoan)
class CoveredLoanAdmin(ReadOnly):
    list_display = [
        "contract_number",
        "bank",
        "enterprise",
        "covered_outstanding",
        "classification",
        "status",
    ]
    list_filter = ["status", "classification", "bank"]


@admin.register(LoanEvent)
class LoanEventAdmin(ReadOnly):
    list_display = ["loan", "kind", "occurred_on", "amount", "covered_outstanding_after", "status_after"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnly):
    list_display = ["original_name", "bank", "kind", "mode", "status", "ok_rows", "error_rows", "created_at"]
