from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
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

    def get_queryset(self):
        return handling_units()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    all_regions = serializers.BooleanField()
    read_only = serializers.BooleanField()  # type: ignore[assignment]  # the scope's flag, not DRF's Field.read_only


class Me(APIView):
    """Who the caller is and which counties they may see."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        scope = current_scope()
        user = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "role": getattr(user, "role", ""),
                    "region": getattr(user, "region_id", None),
                    "all_regions": scope.all_regions,
                    "read_only": scope.read_only,
                }
            ).data
        )


def api_endpoints(*, prefix: str) -> list[dict[str, Any]]:
    """Every route under `prefix` (e.g. /api/v1/), with its name and its view's first doc line."""
    found: list[dict[str, Any]] = []

    def walk(patterns: list[Any], base: str) -> None:
        for p in patterns:
            route = base + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route != prefix:
                view = getattr(p.callback, "view_class", p.callback)
                summary = (view.__doc__ or "").strip().splitlines()[0:1]
                found.append(
                    {"path": route, "name": p.name or "", "summary": summary[0] if summary else ""}
                )

    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and "/" + str(p.pattern) == prefix:
            walk(p.url_patterns, prefix)
    return sorted(found, key=lambda e: e["path"])


class ApiIndex(APIView):
    """The API's table of contents: every endpoint under /api/v1/, the schema and the docs."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "title": "市级统筹医保系统 API / City pooling API",
                "version": "v1",
                "schema": reverse("api_schema"),
                "docs": reverse("api_docs"),
                "endpoints": api_endpoints(prefix=request.path),
            }
        )
