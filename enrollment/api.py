"""The handling API (/api/v1/enrollment/…): county-scoped like the pages, writes through services.

Money in the API is integer fen (fields ending in `_fen`); months are "YYYY-MM-01" dates.
Business-rule refusals come back as 400 with `detail_zh` / `detail_en` (pooling.web.api).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from enrollment import models as m
from enrollment import selectors, services
from pooling.web.decorators import acting
from pooling.web.drf import ActionCapabilities
from pooling.web.fields import MonthSerializerField


class EmployerSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Employer
        validators: list[Any] = []  # the service judges uniqueness, in Chinese
        fields = [
            "id",
            "county",
            "credit_code",
            "name",
            "industry",
            "contact_name",
            "contact_phone",
            "address",
            "status",
            "created_at",
        ]
        read_only_fields = ["id", "status", "created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"credit_code": {"validators": []}}


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Person
        validators: list[Any] = []  # the service judges uniqueness, in Chinese
        fields = [
            "id",
            "county",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "phone",
            "address",
            "category",
            "special_group",
            "prior_contribution_months",
            "retired_on",
            "died_on",
        ]
        read_only_fields = [
            "id",
            "sex",
            "birth_date",
            "prior_contribution_months",
            "retired_on",
            "died_on",
        ]
        extra_kwargs: dict[str, dict[str, Any]] = {"id_number": {"validators": []}}


class EnrolmentSerializer(serializers.ModelSerializer):
    start_month = MonthSerializerField()

    class Meta:
        model = m.Enrolment
        validators: list[Any] = []  # the service judges uniqueness, in Chinese
        fields = [
            "id",
            "county",
            "person",
            "scheme",
            "employer",
            "start_month",
            "end_month",
            "status",
            "status_reason",
            "waiting_months",
            "benefits_from",
            "continues",
        ]
        read_only_fields = [
            "id",
            "county",
            "end_month",
            "status",
            "status_reason",
            "waiting_months",
            "benefits_from",
            "continues",
        ]


class DeclarationLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.DeclarationLine
        fields = [
            "id",
            "county",
            "person",
            "month",
            "declared_base_fen",
            "base_fen",
            "base_clamped",
            "employer_fen",
            "employee_fen",
            "maternity_fen",
            "account_fen",
        ]


class DeclarationSerializer(serializers.ModelSerializer):
    lines = DeclarationLineSerializer(many=True, read_only=True)

    class Meta:
        model = m.Declaration
        fields = ["id", "county", "employer", "month", "total_fen", "paid_fen", "status", "lines"]


class DeclareRowSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    declared_base_fen = serializers.IntegerField(min_value=1)


class DeclareSerializer(serializers.Serializer):
    employer = serializers.IntegerField()
    month = MonthSerializerField()
    rows = DeclareRowSerializer(many=True)


class DeclareResultSerializer(serializers.Serializer):
    declaration = DeclarationSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class CollectionSerializer(serializers.ModelSerializer):
    credit_code = serializers.CharField(write_only=True)
    month = MonthSerializerField()

    class Meta:
        model = m.Collection
        validators: list[Any] = []  # the service judges uniqueness, in Chinese
        fields = [
            "id",
            "county",
            "tax_ref",
            "credit_code",
            "employer",
            "month",
            "amount_fen",
            "received_on",
            "booked_month",
            "declaration",
        ]
        read_only_fields = ["id", "county", "employer", "booked_month", "declaration"]
        extra_kwargs: dict[str, dict[str, Any]] = {"tax_ref": {"validators": []}}


class ResidentContributionSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.ResidentContribution
        fields = [
            "id",
            "county",
            "person",
            "year",
            "standard_fen",
            "subsidy_fen",
            "paid_fen",
            "paid_on",
            "booked_month",
        ]
        read_only_fields = [
            "id",
            "county",
            "standard_fen",
            "subsidy_fen",
            "paid_fen",
            "booked_month",
        ]
        validators: list[Any] = []


class PostingSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.AccountPosting
        fields = ["id", "county", "kind", "month", "amount_fen", "memo", "created_at"]


class TransferSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(write_only=True)
    effective_month = MonthSerializerField()

    class Meta:
        model = m.Transfer
        validators: list[Any] = []  # the service judges uniqueness, in Chinese
        fields = [
            "id",
            "person",
            "id_number",
            "from_county",
            "to_county",
            "effective_month",
            "reason",
            "new_employer",
            "new_address",
            "status",
            "release_due",
            "released_at",
            "released_by_deadline",
            "objection",
            "cancel_reason",
            "requested_at",
            "completed_at",
        ]
        read_only_fields = [
            "id",
            "person",
            "from_county",
            "status",
            "release_due",
            "released_at",
            "released_by_deadline",
            "objection",
            "cancel_reason",
            "requested_at",
            "completed_at",
        ]


class HandlingReasonSerializer(serializers.Serializer):
    """Why a clerk suspends, ends, objects or cancels (stored on the record, ≤ 200 characters)."""

    reason = serializers.CharField(max_length=200)


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Referral
        validators: list[Any] = []  # the service judges uniqueness, in Chinese
        fields = [
            "id",
            "county",
            "person",
            "kind",
            "destination",
            "destination_area_code",
            "diagnosis",
            "valid_from",
            "valid_to",
            "status",
            "decision_note",
            "applied_at",
            "decided_at",
        ]
        read_only_fields = ["id", "county", "status", "decision_note", "applied_at", "decided_at"]


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class HistorySerializer(serializers.Serializer):
    person = PersonSerializer()
    enrolments = EnrolmentSerializer(many=True)
    lines = DeclarationLineSerializer(many=True)
    resident_contributions = ResidentContributionSerializer(many=True)
    postings = PostingSerializer(many=True)
    balance_fen = serializers.IntegerField()
    transfers = TransferSerializer(many=True)
    referrals = ReferralSerializer(many=True)
    paid_months = serializers.IntegerField()
    declared_months = serializers.IntegerField()
    retiree = serializers.DictField(allow_null=True)


class Base(viewsets.GenericViewSet):
    permission_classes = [ActionCapabilities]
    write_capabilities: dict[str, str] = {}

    def created(self, obj: Any, serializer_class: Any = None) -> Response:
        return Response(
            (serializer_class or self.get_serializer_class())(obj).data,
            status=status.HTTP_201_CREATED,
        )


class EmployerViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """参保单位: list (?q= code or name), register, read."""

    serializer_class = EmployerSerializer
    write_capabilities = {"create": "employer.manage"}

    def get_queryset(self):
        return selectors.employers_list(q=self.request.query_params.get("q", ""))

    @extend_schema(parameters=[OpenApiParameter("q", str)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request) -> Response:
        s = EmployerSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        return self.created(services.employer_register(actor=acting(request), **d))


class PersonViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """参保人员: search (?q= ID number or name prefix), register, the full record with history."""

    serializer_class = PersonSerializer
    write_capabilities = {"create": "person.register"}

    def get_queryset(self):
        return m.Person.objects.select_related("county").order_by("name", "id_number")

    @extend_schema(parameters=[OpenApiParameter("q", str, description="身份证号码或姓名前缀")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = request.query_params.get("q", "")
        if q:
            return Response(
                PersonSerializer(selectors.person_search(q=q, limit=50), many=True).data
            )
        return super().list(request, *args, **kwargs)

    def create(self, request: Request) -> Response:
        s = PersonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        return self.created(
            services.person_register(
                county=d["county"],
                id_number=d["id_number"],
                name=d["name"],
                category=d["category"],
                phone=d.get("phone", ""),
                address=d.get("address", ""),
                special_group=d.get("special_group", ""),
                actor=acting(request),
            )
        )

    @extend_schema(responses=HistorySerializer)
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        try:
            history = selectors.person_history(person_id=int(pk))
        except (m.Person.DoesNotExist, ValueError):
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(HistorySerializer(history).data)


class EnrolmentViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """参保登记: list, enrol (refuses double enrolment), suspend/resume."""

    serializer_class = EnrolmentSerializer
    write_capabilities = {
        "create": "enrolment.manage",
        "suspend": "enrolment.manage",
        "resume": "enrolment.manage",
    }
    filterset_fields = ["scheme", "status", "person", "employer"]

    def get_queryset(self):
        return m.Enrolment.objects.order_by("-start_month", "pk")

    def create(self, request: Request) -> Response:
        s = EnrolmentSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        person = get_object_or_404(m.Person, pk=d["person"].pk)
        return self.created(
            services.enrol(
                person=person,
                scheme=d["scheme"],
                employer=d.get("employer"),
                start_month=d["start_month"],
                actor=acting(request),
            )
        )

    @extend_schema(request=HandlingReasonSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str) -> Response:
        s = HandlingReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        done = services.enrolment_suspend(
            enrolment=self.get_object(), reason=s.validated_data["reason"], actor=acting(request)
        )
        return Response(EnrolmentSerializer(done).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        return Response(
            EnrolmentSerializer(
                services.enrolment_resume(enrolment=self.get_object(), actor=acting(request))
            ).data
        )


class DeclarationViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """缴费申报: list, declare a month for an employer (all rows or none), arrears."""

    serializer_class = DeclarationSerializer
    write_capabilities = {"create": "contribution.declare"}
    filterset_fields = ["status", "employer", "month"]

    def get_queryset(self):
        return m.Declaration.objects.prefetch_related("lines").order_by("-month", "pk")

    @extend_schema(request=DeclareSerializer, responses={201: DeclareResultSerializer})
    def create(self, request: Request) -> Response:
        s = DeclareSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        employer = get_object_or_404(m.Employer, pk=d["employer"])
        rows = [
            (
                get_object_or_404(m.Person, id_number=r["id_number"].strip().upper()),
                r["declared_base_fen"],
            )
            for r in d["rows"]
        ]
        result = services.declaration_submit(
            employer=employer, month=d["month"], rows=rows, actor=acting(request)
        )
        result.declaration.refresh_from_db()
        return Response(
            DeclareResultSerializer(
                {"declaration": result.declaration, "warnings": result.warnings}
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @action(detail=False, methods=["get"])
    def arrears(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.arrears())
        return self.get_paginated_response(DeclarationSerializer(page, many=True).data)


class CollectionViewSet(Base, mixins.ListModelMixin):
    """征缴到账: list and record one line of the tax bureau's file (idempotent on tax_ref)."""

    serializer_class = CollectionSerializer
    write_capabilities = {"create": "contribution.collect"}

    def get_queryset(self):
        return m.Collection.objects.order_by("-received_on", "pk")

    def create(self, request: Request) -> Response:
        s = CollectionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        return self.created(
            services.collection_record(
                tax_ref=d["tax_ref"],
                credit_code=d["credit_code"],
                month=d["month"],
                amount_fen=d["amount_fen"],
                received_on=d["received_on"],
                actor=acting(request),
            )
        )


class ResidentContributionViewSet(Base, mixins.ListModelMixin):
    """居民个人缴费: list and record a year's payment (amount from the policy)."""

    serializer_class = ResidentContributionSerializer
    write_capabilities = {"create": "contribution.collect"}

    def get_queryset(self):
        return m.ResidentContribution.objects.order_by("-year", "pk")

    def create(self, request: Request) -> Response:
        s = ResidentContributionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        person = get_object_or_404(m.Person, pk=d["person"].pk)
        return self.created(
            services.resident_contribution_record(
                person=person, year=d["year"], paid_on=d["paid_on"], actor=acting(request)
            )
        )


class TransferViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """市内转移接续: the receiving county requests (with its ground) and may cancel; the
    sending county releases (the person moves) or objects."""

    serializer_class = TransferSerializer
    write_capabilities = {
        "create": "transfer.request",
        "release": "transfer.release",
        "object_": "transfer.release",
        "cancel": "transfer.request",
    }
    filterset_fields = ["status", "from_county", "to_county"]

    def get_queryset(self):
        return m.Transfer.objects.order_by("-requested_at")

    def create(self, request: Request) -> Response:
        s = TransferSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        return self.created(
            services.transfer_request(
                id_number=d["id_number"],
                to_county=d["to_county"],
                effective_month=d["effective_month"],
                new_employer=d.get("new_employer"),
                new_address=d.get("new_address", ""),
                reason=d.get("reason", ""),
                actor=acting(request),
            )
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        done = services.transfer_release(transfer=self.get_object(), actor=acting(request))
        return Response(TransferSerializer(done).data)

    @extend_schema(request=HandlingReasonSerializer)
    @action(detail=True, methods=["post"], url_path="object", url_name="object")
    def object_(self, request: Request, pk: str) -> Response:
        s = HandlingReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        done = services.transfer_object(
            transfer=self.get_object(), reason=s.validated_data["reason"], actor=acting(request)
        )
        return Response(TransferSerializer(done).data)

    @extend_schema(request=HandlingReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        s = HandlingReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        done = services.transfer_cancel(
            transfer=self.get_object(), reason=s.validated_data["reason"], actor=acting(request)
        )
        return Response(TransferSerializer(done).data)


class ReferralViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """转诊/转外就医备案: apply, decide; the benefit calculator reads approved, valid ones."""

    serializer_class = ReferralSerializer
    write_capabilities = {"create": "referral.apply", "decide": "referral.decide"}
    filterset_fields = ["status", "kind", "person"]

    def get_queryset(self):
        return m.Referral.objects.order_by("-applied_at")

    def create(self, request: Request) -> Response:
        s = ReferralSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        person = get_object_or_404(m.Person, pk=d.pop("person").pk)
        return self.created(services.referral_apply(person=person, actor=acting(request), **d))

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        s = DecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        done = services.referral_decide(
            referral=self.get_object(),
            approve=s.validated_data["approve"],
            note=s.validated_data["note"],
            actor=acting(request),
        )
        return Response(ReferralSerializer(done).data)
