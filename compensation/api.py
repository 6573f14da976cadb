"""The bank API for claims: create, upload evidence, submit, prepare and countersign recovery reports,
read status.

Same shape as the lenders filing API, from the same platform helpers: token auth, ActionPermissions
(fails closed), the one error body, Idempotency-Key on creates (`yunfu_ipfund.common.api.idempotent`),
404 outside the bank.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from yunfu_ipfund.accounts.api_permissions import ActionPermissions
from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE
from yunfu_ipfund.accounts.selectors import access
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
from yunfu_ipfund.common.errors import NotFound

from . import services
from .evidence import EVIDENCE_CHOICES
from .models import Claim, ClaimEvidence, Recovery
from .selectors import access_claim, access_recovery, claimable_loans, claims_visible_to

BANK_USERS = (PERM_BANK_PREPARE, PERM_BANK_COUNTERSIGN)


class ClaimOut(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    completeness = serializers.SerializerMethodField()
    missing_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "reference",
            "covered_loan",
            "status",
            "status_label",
            "classified_on",
            "unrecovered_principal",
            "enforcement_actions",
            "intake_due_on",
            "review_due_on",
            "approved_amount",
            "payment_due_on",
            "paid_amount",
            "returned_total",
            "completeness",
            "missing_evidence",
        ]

    def get_completeness(self, claim) -> int:
        return services.claim_checklist(claim).score

    def get_missing_evidence(self, claim) -> list[str]:
        return [s.code for s in services.claim_checklist(claim).missing_required]


def claims_for_api(user):
    """The bank's claims with what ClaimOut reads of each row fetched with the page, not per row: the
    loan (select_related in claims_visible_to) and the evidence rows the checklist scores (one query
    for the whole page, only the columns the score needs)."""
    evidence = ClaimEvidence.objects.only("id", "claim_id", "kind", "not_applicable")
    return claims_visible_to(user).prefetch_related(Prefetch("evidence", queryset=evidence))


class ClaimIn(serializers.Serializer):
    covered_loan = serializers.IntegerField()
    unrecovered_principal = AmountField(help_text="未收回本金，元，到分")
    enforcement_actions = TextField(max_length=4000)


class EvidenceIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EVIDENCE_CHOICES)
    file = serializers.FileField(required=False)
    not_applicable_reason = TextField(max_length=1000, required=False)


class EvidenceNotApplicableIn(serializers.Serializer):
    """The JSON form of the evidence call: no file, the material marked not applicable with a reason."""

    kind = serializers.ChoiceField(choices=EVIDENCE_CHOICES)
    not_applicable_reason = TextField(max_length=1000)


class RecoveryIn(serializers.Serializer):
    received_on = serializers.DateField()
    amount = AmountField(help_text="追偿所得，元，到分")
    costs = AmountField(required=False, default="0", help_text="追偿费用，元，到分")
    description = TextField(max_length=4000, required=False, default="", allow_blank=True)
    confirm_reason = TextField(
        max_length=1000,
        required=False,
        default="",
        allow_blank=True,
        help_text="金额异常（费用超过追偿金额，或累计追偿超过未收回本金与利息之和）时经办人确认的理由。",
    )


class RecoveryOut(serializers.ModelSerializer):
    class Meta:
        model = Recovery
        fields = [
            "id",
            "status",
            "received_on",
            "amount",
            "costs",
            "net_amount",
            "report_due_on",
            "return_amount",
            "return_due_on",
            "reported_late",
            "countersigned_at",
            "warnings",
        ]


class ClaimViewSet(viewsets.ViewSet):
    lookup_value_converter = "int"  # typed path parameter in the URL and the OpenAPI schema
    permission_classes = [ActionPermissions]
    action_permissions = {
        "list": BANK_USERS,
        "retrieve": BANK_USERS,
        "create": (PERM_BANK_PREPARE,),
        "evidence": BANK_USERS,
        "submit": (PERM_BANK_COUNTERSIGN,),
        "recoveries": (PERM_BANK_PREPARE,),
        "recovery_countersign": (PERM_BANK_COUNTERSIGN,),
    }
    parser_classes = [JSONParser]  # the evidence upload takes multipart (its action says so)
    pagination_class = ApiCursorPagination
    serializer_class = ClaimOut

    @extend_schema(
        summary="本行的补偿申请（按编号倒序分页）",
        parameters=[ListQuery],
        responses={200: ClaimOut(many=True), **LIST_ERRORS},
    )
    def list(self, request):
        return paginated(self, request, claims_for_api(request.user), ClaimOut)

    @extend_schema(summary="一笔补偿申请的状态", responses={200: ClaimOut, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        return Response(ClaimOut(access_claim(request.user, pk)).data)

    @extend_schema(
        summary="起草补偿申请（经办）",
        request=ClaimIn,
        responses={201: ClaimOut, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request):
        def perform():
            data = dict(validated(ClaimIn, request))
            loan = access(claimable_loans(request.user), data.pop("covered_loan"))
            claim = services.claim_create(by=request.user, covered_loan=loan, **data)
            return Response(ClaimOut(claim).data, status=status.HTTP_201_CREATED)

        return idempotent(request, "claims.create", perform)

    @extend_schema(
        summary="上传材料或标记不适用",
        request={"multipart/form-data": EvidenceIn, "application/json": EvidenceNotApplicableIn},
        responses={201: ClaimOut, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, JSONParser])
    def evidence(self, request, pk=None):
        claim = access_claim(request.user, pk)
        form = EvidenceNotApplicableIn if request.content_type.startswith("application/json") else EvidenceIn

        def perform():
            data = validated(form, request)
            if data.get("file") is not None:
                services.evidence_upload(by=request.user, claim=claim, kind=data["kind"], file=data["file"])
            else:
                services.evidence_mark_not_applicable(
                    by=request.user,
                    claim=claim,
                    kind=data["kind"],
                    reason=data.get("not_applicable_reason", ""),
                )
            return Response(ClaimOut(Claim.objects.get(pk=claim.pk)).data, status=status.HTTP_201_CREATED)

        return idempotent(request, f"claims.{claim.pk}.evidence", perform)

    @extend_schema(
        summary="复核并提交（复核，不能是经办本人）", request=None, responses={200: ClaimOut, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        claim = services.claim_submit(by=request.user, claim=access_claim(request.user, pk))
        return Response(ClaimOut(claim).data)

    @extend_schema(
        summary="起草追偿报告（经办；复核后才报告市监局）",
        request=RecoveryIn,
        responses={201: RecoveryOut, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def recoveries(self, request, pk=None):
        claim = access_claim(request.user, pk)

        def perform():
            data = validated(RecoveryIn, request)
            recovery = services.recovery_prepare(by=request.user, claim=claim, **data)
            return Response(RecoveryOut(recovery).data, status=status.HTTP_201_CREATED)

        return idempotent(request, f"claims.{claim.pk}.recoveries", perform)

    @extend_schema(
        summary="复核并报告追偿（复核，不能是经办本人）",
        request=None,
        responses={200: RecoveryOut, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="recoveries/<int:recovery_pk>/countersign",
        url_name="recovery-countersign",
    )
    def recovery_countersign(self, request, pk=None, recovery_pk=None):
        recovery = access_recovery(request.user, recovery_pk)
        if recovery.claim_id != access_claim(request.user, pk).pk:
            raise NotFound()
        return Response(RecoveryOut(services.recovery_countersign(by=request.user, recovery=recovery)).data)
