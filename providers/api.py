"""REST API for the register and the lifecycle; scoped like the pages (by handling unit)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pooling.models import Region
from pooling.web.decorators import acting
from pooling.web.drf import ActionCapabilities
from providers.choices import Initiator
from providers.models import Provider, ProviderEvent
from providers.selectors import providers_visible
from providers.services.lifecycle import TRANSITIONS, transition
from providers.services.register import ProviderSpec, provider_register


class ProviderSerializer(serializers.ModelSerializer):
    location_region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())

    class Meta:
        model = Provider
        fields = [
            "id",
            "kind",
            "name",
            "national_code",
            "credit_code",
            "location_region",
            "handling_region",
            "address",
            "level",
            "grade",
            "hospital_type",
            "ownership",
            "opened_on",
            "state",
            "accepted_on",
            "paused_days",
            "suspended_on",
            "resume_applied_on",
            "filed_on",
        ]
        read_only_fields = [
            "handling_region",
            "state",
            "accepted_on",
            "paused_days",
            "suspended_on",
            "resume_applied_on",
            "filed_on",
        ]
        # Uniqueness is checked city-wide by the service, not by a scoped query here.
        extra_kwargs: dict[str, dict[str, Any]] = {
            "national_code": {"validators": []},
            "credit_code": {"validators": []},
        }


class EventSerializer(serializers.ModelSerializer):
    created_by: serializers.StringRelatedField = serializers.StringRelatedField()
    # Plain strings: the codes are those of Provider.state (one enum in the schema, not three).
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)

    class Meta:
        model = ProviderEvent
        fields = [
            "id",
            "action",
            "from_state",
            "to_state",
            "effective_on",
            "reason",
            "data",
            "created_by",
            "created_at",
        ]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    initiator = serializers.ChoiceField(choices=Initiator.choices, required=False)
    requested_on = serializers.DateField(required=False)
    term_start = serializers.DateField(required=False)
    agency_signatory = serializers.CharField(required=False)
    provider_signatory = serializers.CharField(required=False)
    changes = serializers.DictField(child=serializers.CharField(), required=False)


class ProviderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Designated providers handled by the caller's unit (city roles: all)."""

    serializer_class = ProviderSerializer
    filterset_fields = ["state", "kind", "handling_region"]
    permission_classes = [ActionCapabilities]
    write_capabilities = {"create": "provider.register", "transitions": "provider.transition"}

    def get_queryset(self):
        return providers_visible().order_by("national_code")

    def perform_create(self, serializer: Any) -> None:
        spec = ProviderSpec(**serializer.validated_data)
        serializer.instance = provider_register(actor=acting(self.request), spec=spec)

    @extend_schema(request=TransitionSerializer, responses=ProviderSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        """Apply one lifecycle action; a refused rule comes back as 400 with the rule in Chinese and English."""
        provider = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        act, on, reason = data.pop("action"), data.pop("on", None), data.pop("reason", "")
        provider = transition(
            provider_id=provider.pk,
            action=act,
            actor=acting(request),
            on=on,
            reason=reason,
            params=data,
        )
        return Response(ProviderSerializer(provider).data, status=status.HTTP_200_OK)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str | None = None) -> Response:
        provider = self.get_object()
        return Response(
            EventSerializer(provider.events.select_related("created_by"), many=True).data
        )
