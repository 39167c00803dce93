"""The settlement REST resource for the city's own clients (/api/v1/settlements/…), over the same
services as the national interface. County-scoped like every page: a clerk sees the settlements
of their county's insured people and of the providers their unit handles.

Amounts are integer fen (fields ending in `_fen`, or the national field names, in fen);
`setl_id` and `mdtrt_id` are the ids the providers hold.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pooling.kernel.errors import BusinessRuleError
from pooling.web.decorators import acting
from pooling.web.drf import HasCapability
from settlement import selectors
from settlement.hsa.codes import MATN_TYPES
from settlement.models import Accumulator, Settlement, Visit
from settlement.partitioning import BAD_ID, parse_external_id
from settlement.services.reverse import settlement_reverse, settlement_reversed_by
from settlement.services.settle import SettleInput, settlement_quote, settlement_settle

AMOUNTS = [
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "hifmi_pay",
    "hifob_pay",
    "fund_pay_sumamt",
    "acct_pay",
    "psn_cash_pay",
    "over_cap_fen",
    "copay_fen",
    "balc",
]


class SettlementSerializer(serializers.ModelSerializer):
    setl_id = serializers.CharField(read_only=True)
    mdtrt_id = serializers.SerializerMethodField()
    provider_code = serializers.CharField(
        source="provider.national_code", read_only=True, default=""
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True, default="")
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "setl_id",
            "mdtrt_id",
            "kind",
            "channel",
            "month",
            "setl_time",
            "service_date",
            "year",
            "provider_code",
            "provider_name",
            "person",
            "person_name",
            "insured_county",
            "handling_unit",
            "insutype",
            "med_type",
            "clr_type",
            "scheme",
            "fund_book",
            "policy_code",
            "catalogue_code",
            *AMOUNTS,
            "pool_prop_selfpay",
            "reason",
            "operator",
        ]

    def get_mdtrt_id(self, obj: Settlement) -> str:
        return f"{obj.visit_month:%Y%m}{obj.visit_id}" if obj.visit_id else ""


class SettlementDetailSerializer(SettlementSerializer):
    explanation = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    reversed_by = serializers.SerializerMethodField()
    reverses = serializers.SerializerMethodField()

    class Meta(SettlementSerializer.Meta):
        fields = [
            *SettlementSerializer.Meta.fields,
            "explanation",
            "lines",
            "reversed_by",
            "reverses",
        ]

    def get_explanation(self, obj: Settlement) -> list[str]:
        return list(obj.detail.get("explanation", []))

    def get_lines(self, obj: Settlement) -> list[dict[str, Any]]:
        return list(obj.detail.get("lines", []))

    def get_reversed_by(self, obj: Settlement) -> str:
        found = settlement_reversed_by(settlement=obj)
        return found.setl_id if found else ""

    def get_reverses(self, obj: Settlement) -> str:
        return f"{obj.reverses_month:%Y%m}{obj.reverses_id}" if obj.reverses_id else ""


def settlement_or_404(setl_id: str) -> Settlement:
    try:
        month, pk = parse_external_id(setl_id, error=BAD_ID, field="setl_id")
    except BusinessRuleError:
        raise Http404 from None
    found = (
        Settlement.objects.select_related("provider", "person").filter(month=month, pk=pk).first()
    )
    if found is None:
        raise Http404
    return found


FILTERS = [
    OpenApiParameter("month", str, description="结算月份 YYYY-MM"),
    OpenApiParameter("provider", str, description="定点机构编码"),
    OpenApiParameter("person", int, description="参保人ID"),
    OpenApiParameter("county", str, description="参保地经办单位代码"),
    OpenApiParameter("kind", str, enum=["settle", "reverse"]),
]


@extend_schema(parameters=FILTERS)
class SettlementList(generics.ListAPIView):
    """Settlements and reversals, newest first, filtered and paged."""

    serializer_class = SettlementSerializer

    def get_queryset(self):
        q = self.request.query_params
        return selectors.settlements_list(
            month=q.get("month", ""),
            provider=q.get("provider", ""),
            person=q.get("person", ""),
            county=q.get("county", ""),
            kind=q.get("kind", ""),
        ).select_related("provider", "person")


class SettlementDetail(APIView):
    @extend_schema(responses=SettlementDetailSerializer)
    def get(self, request: Request, setl_id: str) -> Response:
        return Response(SettlementDetailSerializer(settlement_or_404(setl_id)).data)


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class SettlementReverse(APIView):
    """Reverse a settlement (a clerk of the provider's handling unit or the insured's county, or the
    city agency): a new negative settlement in the current month; accumulators and account restored."""

    permission_classes = [HasCapability.of("settlement.reverse")]

    @extend_schema(request=ReverseSerializer, responses=SettlementDetailSerializer)
    def post(self, request: Request, setl_id: str) -> Response:
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reversal = settlement_reverse(
            settlement=settlement_or_404(setl_id),
            reason=body.validated_data["reason"],
            operator=request.user.get_username(),
            actor=acting(request),
        )
        return Response(SettlementDetailSerializer(reversal).data, status=201)


class SettleSerializer(serializers.Serializer):
    mdtrt_id = serializers.CharField(max_length=30)
    acct_used = serializers.BooleanField(default=False)
    medfee_sumamt_fen = serializers.IntegerField(required=False, min_value=0)
    quote_only = serializers.BooleanField(default=False, help_text="只测算（预结算），不保存")
    # 生育类别 as 2207 takes it: a delivery (med_type 52) is paid the sum of its kind.
    matn_type = serializers.ChoiceField(
        choices=list(MATN_TYPES.items()),
        required=False,
        default="",
        help_text="生育类别（生育住院）：1 顺产，2 剖宫产；不填按顺产",
    )


class SettlementCreate(APIView):
    """Settle (or quote) a visit whose fee details are uploaded — the same service as 2206/2207."""

    permission_classes = [HasCapability.of("settlement.settle")]

    @extend_schema(request=SettleSerializer, responses=SettlementDetailSerializer)
    def post(self, request: Request) -> Response:
        body = SettleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            month, pk = parse_external_id(
                body.validated_data["mdtrt_id"], error=BAD_ID, field="mdtrt_id"
            )
        except BusinessRuleError:
            raise Http404 from None
        visit = Visit.objects.filter(month=month, pk=pk).first()
        if visit is None:
            raise Http404
        data = SettleInput(
            visit=visit,
            acct_used=body.validated_data["acct_used"],
            medfee_sumamt_fen=body.validated_data.get("medfee_sumamt_fen"),
            operator=request.user.get_username(),
            delivery=body.validated_data["matn_type"],
        )
        if body.validated_data["quote_only"]:
            return Response(SettlementDetailSerializer(settlement_quote(data=data).row).data)
        return Response(
            SettlementDetailSerializer(settlement_settle(data=data, actor=acting(request))).data,
            status=201,
        )


class AccumulatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Accumulator
        fields = [
            "person",
            "year",
            "scheme",
            "admissions",
            "deductible_paid",
            "fund_paid",
            "critical_base_fen",
            "critical_paid_fen",
            "large_paid_fen",
            "settlements",
            "updated_at",
        ]


@extend_schema(parameters=[OpenApiParameter("person", int, required=True)])
class AccumulatorList(generics.ListAPIView):
    """A person's year-to-date accumulators (in fen, by cap scope)."""

    serializer_class = AccumulatorSerializer
    pagination_class = None

    def get_queryset(self):
        person = self.request.query_params.get("person", "")
        return Accumulator.objects.filter(
            person_id=int(person) if person.isdigit() else 0
        ).order_by("-year")
