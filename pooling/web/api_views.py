from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pooling.kernel.regions import handling_units
from pooling.kernel.scoping import current_scope
from pooling.models import Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "parent", "agency_name", "statistical_only"]


class RegionList(generics.ListAPIView):
    """The pooling area's handling units (reference data, the same for everyone)."""

    serializer_class = RegionSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return handling_units()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    all_regions = serializers.BooleanField()
    read_only = serializers.BooleanField()


class Me(APIView):
    """Who the caller is and which counties they may see."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        scope = current_scope()
        user = request.user
        return Response(MeSerializer({
            "username": user.get_username(), "role": getattr(user, "role", ""),
            "region": getattr(user, "region_id", None), "all_regions": scope.all_regions,
            "read_only": scope.read_only,
        }).data)
