"""The bank API: token-authenticated bank users file loans and report on covered loans.

Each action names the permission it needs (ActionPermissions fails closed on anything else); writes
call the services; errors come out in the platform's one shape (documented per status in the schema);
an Idempotency-Key header makes a retried create or report return the first answer instead of doing
it twice (`yunfu_ipfund.common.api.idempotent`).
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from applications.selectors import access_registration
from yunfu_ipfund.accounts.api_permissions import ActionPermissions
from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE
from yunfu_ipfund.common.api import (
    IDEMPOTENCY_HEADER,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AmountField,
    ApiCursorPagination,
    ListQuery,
    TextField,
    idempotent,
    paginated,
    validated,
)

from . import services
from .models import Classification, CoveredLoan, FilingDocument, LoanFiling, RepaymentMethod
from .selectors import (
    access_filing,
    access_loan,
    filings_visible_to,
    loans_visible_to,
    search_filings,
    search_loans,
)

BANK_USERS = (PERM_BANK_PREPARE, PERM_BANK_COUNTERSIGN)

# What filing_terms reads as an annual rate: a percentage above 0 and below 100, at most 4 decimals.
RATE_PATTERN = r"^[0-9]{1,2}(\.[0-9]{1,4})?%?$"


# --- serializers -----------------------------------------------------------------------------------


class PledgeOut(serializers.Serializer):
    asset = serializers.IntegerField(source="asset_id")
    asset_number = serializers.CharField(source="asset.number")
    pledge_registration_number = serializers.CharField()
    pledge_registered_on = serializers.DateField()


class DocumentOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = FilingDocument
        fields = ["id", "kind", "kind_label", "content_type", "sha256", "size", "uploaded_at", "download_url"]

    def get_download_url(self, doc) -> str:
        return reverse("lenders:document_download", args=[doc.pk])


class FilingOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    bank_name = serializers.CharField(source="bank.name")
    enterprise_name = serializers.CharField(source="enterprise.name")
    pledges = PledgeOut(many=True)
    documents = DocumentOut(many=True)

    class Meta:
        model = LoanFiling
        fields = [
            "id",
            "registration",
            "bank_name",
            "enterprise_name",
            "contract_number",
            "amount",
            "ip_amount",
            "other_collateral",
            "disbursed_on",
            "maturity_on",
            "annual_rate",
            "repayment_method",
            "status",
            "status_label",
            "first_submitted_on",
            "review_due_on",
            "correction_due_on",
            "return_reasons",
            "decision_reason",
            "pledges",
            "documents",
            "created_at",
        ]


class PledgeIn(serializers.Serializer):
    asset = serializers.IntegerField()
    pledge_registration_number = TextField(max_length=60)
    pledge_registered_on = serializers.DateField()


class FilingIn(serializers.Serializer):
    registration = serializers.IntegerField()
    contract_number = TextField(max_length=100)
    amount = AmountField(help_text='贷款金额，元，到分，字符串，如 "1000000.00"')
    ip_amount = AmountField(help_text="知识产权质押对应金额，仅此部分纳入风险补偿")
    other_collateral = TextField(max_length=300, required=False, allow_blank=True)
    disbursed_on = serializers.DateField()
    maturity_on = serializers.DateField()
    annual_rate = serializers.RegexField(
        RATE_PATTERN,
        max_length=8,
        help_text='年利率，百分数，如 "3.85"',
        error_messages={"invalid": "年利率应为大于 0、小于 100 的百分数，最多 4 位小数（如 3.85）。"},
    )
    repayment_method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    pledges = PledgeIn(many=True)


class DocumentIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FilingDocument.Kind.choices)
    file = serializers.FileField()


class LoanOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    classification_label = serializers.CharField(source="get_classification_display")
    bank_name = serializers.CharField(source="bank.name")
    enterprise_name = serializers.CharField(source="enterprise.name")

    class Meta:
        model = CoveredLoan
        fields = [
            "id",
            "filing",
            "contract_number",
            "bank_name",
            "enterprise_name",
            "amount",
            "covered_amount",
            "fund_share",
            "disbursed_on",
            "maturity_on",
            "outstanding_principal",
            "covered_outstanding",
            "classification",
            "classification_label",
            "non_performing_on",
            "overdue_since",
            "overdue_amount",
            "status",
            "status_label",
        ]


class RepaymentIn(serializers.Serializer):
    amount = AmountField()
    paid_on = serializers.DateField()
    cures_overdue = serializers.BooleanField(required=False, default=False)
    note = TextField(required=False, allow_blank=True, max_length=300)


class OverdueIn(serializers.Serializer):
    overdue_since = serializers.DateField()
    overdue_amount = AmountField()
    note = TextField(required=False, allow_blank=True, max_length=300)


class ClassificationIn(serializers.Serializer):
    classification = serializers.ChoiceField(choices=Classification.choices)
    classified_on = serializers.DateField()
    note = TextField(required=False, allow_blank=True, max_length=300)


class ExtensionIn(serializers.Serializer):
    new_maturity_on = serializers.DateField()
    agreed_on = serializers.DateField()
    note = TextField(required=False, allow_blank=True, max_length=300)


class FilingQuery(ListQuery):
    """The filings list's filters, checked at the edge as the schema states them: an unknown status or a
    NUL character (PostgreSQL refuses it in a query) is a 400."""

    status = serializers.ChoiceField(
        choices=LoanFiling.Status.choices, required=False, allow_blank=True, default="", help_text="备案状态"
    )
    q = TextField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        max_length=100,
        help_text="合同编号或企业名称",
    )


class LoanQuery(FilingQuery):
    status = serializers.ChoiceField(
        choices=CoveredLoan.Status.choices, required=False, allow_blank=True, default="", help_text="贷款状态"
    )


# --- views -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="本行的贷款备案（按编号倒序分页）",
        parameters=[FilingQuery],
        responses={200: FilingOut(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="一笔备案", responses={200: FilingOut, **READ_ERRORS}),
)
class FilingViewSet(viewsets.ViewSet):
    lookup_value_converter = "int"  # typed path parameter in the URL and the OpenAPI schema
    permission_classes = [ActionPermissions]
    action_permissions = {
        "list": BANK_USERS,
        "retrieve": BANK_USERS,
        "create": (PERM_BANK_PREPARE,),
        "submit": (PERM_BANK_COUNTERSIGN,),
        "documents": (PERM_BANK_PREPARE,),
    }
    parser_classes = [JSONParser]  # the document upload takes multipart (its action says so)
    pagination_class = ApiCursorPagination
    serializer_class = FilingOut

    def get_queryset(self):
        return (
            filings_visible_to(self.request.user)
            .prefetch_related("pledges__asset", "documents")
            .order_by("-id")
        )

    def list(self, request):
        qs = self.get_queryset()
        return paginated(self, request, qs, FilingOut, query=FilingQuery, search=search_filings)

    def retrieve(self, request, pk=None):
        filing = access_filing(request.user, pk)
        return Response(FilingOut(self._fresh(filing.pk)).data)

    def _fresh(self, pk):
        return self.get_queryset().get(pk=pk)

    @extend_schema(
        summary="起草备案（经办）",
        request=FilingIn,
        responses={201: FilingOut, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request):
        def perform():
            data = dict(validated(FilingIn, request))
            registration = access_registration(request.user, data.pop("registration"))
            pledges = [dict(p, asset_id=p.pop("asset")) for p in data.pop("pledges")]
            filing = services.filing_create(
                by=request.user, registration=registration, pledges=pledges, **data
            )
            return Response(FilingOut(self._fresh(filing.pk)).data, status=status.HTTP_201_CREATED)

        return idempotent(request, "filings.create", perform)

    @extend_schema(
        summary="复核并报送备案（复核，不能是经办本人）",
        request=None,
        responses={200: FilingOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        filing = access_filing(request.user, pk, for_write=True)
        services.filing_submit(by=request.user, filing=filing)
        return Response(FilingOut(self._fresh(filing.pk)).data)

    @extend_schema(
        summary="上传备案材料",
        request={"multipart/form-data": DocumentIn},
        responses={201: DocumentOut, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def documents(self, request, pk=None):
        filing = access_filing(request.user, pk, for_write=True)

        def perform():
            data = validated(DocumentIn, request)
            doc = services.filing_document_add(
                by=request.user, filing=filing, kind=data["kind"], file=data["file"]
            )
            return Response(DocumentOut(doc).data, status=status.HTTP_201_CREATED)

        return idempotent(request, f"filings.{filing.pk}.documents", perform)


def _report(name, serializer_class, service, summary):
    """One report endpoint (POST /api/loans/{id}/<name>/) calling `service`; idempotent with a key."""

    def view(self, request, pk=None):
        loan = access_loan(request.user, pk, for_write=True)

        def perform():
            data = validated(serializer_class, request)
            updated = service(by=request.user, loan=loan, **data)
            return Response(LoanOut(loans_visible_to(request.user).get(pk=updated.pk)).data)

        return idempotent(request, f"loans.{loan.pk}.{name}", perform)

    view.__name__ = name  # the action's method mapping is taken from the function name
    view = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(
        summary=summary,
        request=serializer_class,
        responses={200: LoanOut, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )(view)


@extend_schema_view(
    list=extend_schema(
        summary="本行的在保贷款（按编号倒序分页）",
        parameters=[LoanQuery],
        responses={200: LoanOut(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="一笔在保贷款", responses={200: LoanOut, **READ_ERRORS}),
)
class LoanViewSet(viewsets.ViewSet):
    lookup_value_converter = "int"  # typed path parameter in the URL and the OpenAPI schema
    permission_classes = [ActionPermissions]
    action_permissions = {
        "list": BANK_USERS,
        "retrieve": BANK_USERS,
        "repayments": (PERM_BANK_PREPARE,),
        "overdue": (PERM_BANK_PREPARE,),
        "classification": (PERM_BANK_PREPARE,),
        "extension": (PERM_BANK_PREPARE,),
    }
    parser_classes = [JSONParser]
    pagination_class = ApiCursorPagination
    serializer_class = LoanOut

    def list(self, request):
        qs = loans_visible_to(request.user)
        return paginated(self, request, qs, LoanOut, query=LoanQuery, search=search_loans)

    def retrieve(self, request, pk=None):
        return Response(LoanOut(access_loan(request.user, pk)).data)

    repayments = _report("repayments", RepaymentIn, services.loan_report_repayment, "报告还款（部分或全部）")
    overdue = _report("overdue", OverdueIn, services.loan_report_overdue, "报告逾期")
    classification = _report(
        "classification", ClassificationIn, services.loan_report_classification, "报告风险分类"
    )
    extension = _report("extension", ExtensionIn, services.loan_report_extension, "报告展期")
