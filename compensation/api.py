"""The bank API for claims: create, upload evidence, submit, prepare and countersign recovery reports,
read status.

Same shape as the lenders filing API, from the same platform helpers: token auth, ActionPermissions
(fails closed), the one error body, Idempotency-Key on creates (`yunfu_ipfund.common.api.idempotent`),
404 outside the bank.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from yunfu_ipfund.accounts.api_permissions import ActionPermissions
from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE
from yunfu_ipfund.accounts.selectors import access
from yunfu_ipfund.common.api import IDEMPOTENCY_HEADER, READ_ERRORS, WRITE_ERRORS, idempotent, validated
from yunfu_ipfund.common.errors import NotFound

from . import services
from .evidence import EVIDENCE_CHOICES
from .models import Claim, Recovery
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


class ClaimIn(serializers.Serializer):
    covered_loan = serializers.IntegerField()
    unrecovered_principal = serializers.CharField(max_length=20)
    enforcement_actions = serializers.CharField(max_length=4000)


class EvidenceIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EVIDENCE_CHOICES)
    file = serializers.FileField(required=False)
    not_applicable_reason = serializers.CharField(max_length=1000, required=False)


class RecoveryIn(serializers.Serializer):
    received_on = serializers.DateField()
    amount = serializers.CharField(max_length=20)
    costs = serializers.CharField(max_length=20, required=False, default="0")
    description = serializers.CharField(max_length=4000, required=False, default="")
    confirm_reason = serializers.CharField(
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
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = PageNumberPagination
    serializer_class = ClaimOut

    @extend_schema(summary="本行的补偿申请", responses={200: ClaimOut(many=True), **READ_ERRORS})
    def list(self, request):
        paginator = self.pagination_class()
        qs = claims_visible_to(request.user).order_by("-id")
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ClaimOut(page, many=True).data)

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
        request={"multipart/form-data": EvidenceIn},
        responses={201: ClaimOut, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        claim = access_claim(request.user, pk)

        def perform():
            data = validated(EvidenceIn, request)
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
