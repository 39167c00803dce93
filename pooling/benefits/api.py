"""POST /api/v1/benefits/calculate — a quote, nothing stored; and read-only catalogue endpoints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pooling.benefits.catalogue.models import CatalogueItem, CatalogueVersion
from pooling.benefits.catalogue.selectors import catalogue_lookup, catalogue_search
from pooling.benefits.quote import benefits_quote, quote_as_dict
from pooling.benefits.types import (
    SCHEMES,
    Accumulators,
    CareType,
    Claim,
    ClaimLine,
    PersonContext,
)
from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.kernel.numbers import percent_text
from pooling.policy.benefit_rules import MATERNITY_KINDS
from pooling.web.fields import YuanSerializerField

BAD_SCOPE = _("累计额的范围应为 inpatient / outpatient / maternity:<类型> / chronic:<病种编码>")
CHOICE = _("“{input}” 不是有效选项")  # DRF fills {input} in


def _choice(choices: list[tuple[str, Any]], label: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, label=label, error_messages={"invalid_choice": CHOICE}
    )


class ClaimLineSerializer(serializers.Serializer):
    code = serializers.CharField(label="编码", max_length=30)
    name = serializers.CharField(label="名称", required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(
        label="数量", max_digits=12, decimal_places=4, min_value=Decimal(0)
    )
    unit_price = YuanSerializerField(label="单价（元）")


class YtdSerializer(serializers.Serializer):
    admissions = serializers.IntegerField(label="本年已住院次数", min_value=0, default=0)
    deductible_paid = serializers.DictField(
        child=YuanSerializerField(), required=False, default=dict
    )
    fund_paid = serializers.DictField(child=YuanSerializerField(), required=False, default=dict)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for key in (*attrs["deductible_paid"], *attrs["fund_paid"]):
            if key not in ("inpatient", "outpatient", "maternity") and not key.startswith(
                ("chronic:", "maternity:")
            ):
                raise serializers.ValidationError(str(BAD_SCOPE))
        return attrs


class QuoteSerializer(serializers.Serializer):
    scheme = _choice([(s.value, s.label) for s in SCHEMES], "险种")
    category = _choice(PersonCategory.choices, "人员类别")
    hospital_level = _choice(HospitalLevel.choices, "医院等级")
    care_type = _choice(list(CareType.LABELS.items()), "就诊类型")
    service_date = serializers.DateField(label="就诊（出院）日期")
    diagnosis = serializers.CharField(
        label="诊断/病种编码", required=False, allow_blank=True, default=""
    )
    maternity_kind = serializers.ChoiceField(
        choices=["", *MATERNITY_KINDS], required=False, default=""
    )
    out_of_city = serializers.BooleanField(label="异地就医", default=False)
    referral_registered = serializers.BooleanField(label="已备案", default=False)
    use_personal_account = serializers.BooleanField(label="使用个人账户", default=False)
    account_balance = YuanSerializerField(label="个人账户余额", required=False, default=0)
    ytd = YtdSerializer(required=False, default=dict)
    lines = ClaimLineSerializer(many=True, allow_empty=False)

    def to_claim(self) -> tuple[Claim, PersonContext]:
        d = self.validated_data
        ytd = d.get("ytd") or {}
        person = PersonContext(
            category=PersonCategory(d["category"]),
            account_balance_fen=d["account_balance"],
            ytd=Accumulators(
                admissions=ytd.get("admissions", 0),
                deductible_paid_fen=MappingProxyType(dict(ytd.get("deductible_paid", {}))),
                fund_paid_fen=MappingProxyType(dict(ytd.get("fund_paid", {}))),
            ),
        )
        claim = Claim(
            scheme=Scheme(d["scheme"]),
            hospital_level=HospitalLevel(d["hospital_level"]),
            care_type=d["care_type"],
            service_date=d["service_date"],
            diagnosis=d["diagnosis"].strip().upper(),
            out_of_city=d["out_of_city"],
            referral_registered=d["referral_registered"],
            use_personal_account=d["use_personal_account"],
            maternity_kind=d["maternity_kind"],
            lines=tuple(
                ClaimLine(
                    code=x["code"].strip().upper(),
                    quantity=_qty(x["quantity"]),
                    unit_price_fen=x["unit_price"],
                    name=x.get("name", ""),
                )
                for x in d["lines"]
            ),
        )
        return claim, person


def _qty(q: Decimal) -> Decimal | int:
    return int(q) if q == q.to_integral_value() else q


class BenefitsCalculate(APIView):
    """A quote: the itemised settlement of a claim under the policy and catalogue in force.

    Nothing is stored. Amounts in the answer are given both in fen and as yuan strings.
    """

    @extend_schema(request=QuoteSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        ser = QuoteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        claim, person = ser.to_claim()
        return Response(quote_as_dict(benefits_quote(claim=claim, person=person)))


class CatalogueVersionSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: the policy's "status" already names an enum in the schema.
    status = serializers.CharField(
        read_only=True,
        help_text="draft（草稿）/ submitted（待复核）/ published（已发布）/ rejected（已退回）",
    )

    class Meta:
        model = CatalogueVersion
        fields = [
            "id",
            "code",
            "title",
            "effective_from",
            "status",
            "source_name",
            "drug_count",
            "item_count",
            "facility_count",
            "demo",
            "published_at",
        ]


class CatalogueItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogueItem
        fields = ["kind", "code", "name", "cls", "self_pay_pct", "restrictions"]


class CatalogueVersionList(generics.ListAPIView):
    """Catalogue versions, newest effective date first (reference data, the same for everyone)."""

    serializer_class = CatalogueVersionSerializer
    queryset = CatalogueVersion.objects.all()


class CatalogueItemList(generics.ListAPIView):
    """Items of one catalogue version; `q` matches a code prefix or part of a name."""

    serializer_class = CatalogueItemSerializer
    queryset = CatalogueItem.objects.none()  # for the schema; the real one is per version

    def get_queryset(self):
        version = get_object_or_404(CatalogueVersion, pk=self.kwargs["pk"])
        p = self.request.query_params
        return catalogue_search(
            version=version, q=p.get("q", "").strip(), kind=p.get("kind", ""), cls=p.get("cls", "")
        )


class CatalogueLookup(APIView):
    """GET ?on=YYYY-MM-DD&codes=A,B: the entries of those codes in the catalogue in force."""

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, required=True),
            OpenApiParameter("codes", OpenApiTypes.STR, required=True),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        try:
            on = date.fromisoformat(request.query_params.get("on", ""))
        except ValueError:
            return Response({"on": ["日期格式应为 YYYY-MM-DD"]}, status=400)
        codes = [c for c in request.query_params.get("codes", "").split(",") if c.strip()][:500]
        found = catalogue_lookup(on=on, codes=codes)
        return Response(
            {
                code: {
                    "name": e.name,
                    "cls": e.cls,
                    "kind": e.kind,
                    "restrictions": e.restrictions,
                    "self_pay_pct": None
                    if e.self_pay_rate is None
                    else percent_text(e.self_pay_rate),
                }
                for code, e in sorted(found.items())
            }
        )
