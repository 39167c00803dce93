"""Policy versions over the API: everyone signed in reads; bureau administrators write.

The document travels as the JSON body itself (the same file `export_policy` writes), so
`curl -d @policy.json` imports a draft and `GET …/export/` gives the file back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pooling.models import PolicyVersion
from pooling.policy.services import (
    policy_approve_publish,
    policy_draft_import,
    policy_draft_update,
    policy_reject,
    policy_submit,
)
from pooling.policy.validation import document_to_text, policy_schema
from pooling.web.decorators import acting
from pooling.web.drf import HasCapability
from pooling.web.review import PROBLEMS, review_endpoint

DRAFTERS = [HasCapability.of("policy.draft")]


class PolicyVersionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    drafted_by: serializers.StringRelatedField = serializers.StringRelatedField()
    approved_by: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = PolicyVersion
        fields = [
            "code",
            "title",
            "effective_from",
            "status",
            "status_display",
            "drafted_by",
            "approved_by",
            "created_at",
            "submitted_at",
            "published_at",
            "review_note",
        ]


class PolicyVersionDetailSerializer(PolicyVersionSerializer):
    # The status enum is named once (PolicyVersionStatusEnum, in the list component);
    # a second component using it would make drf-spectacular fall back to a hashed name
    # when another app also has a "status" enum.
    status = serializers.CharField(
        read_only=True, help_text="draft · submitted · published · rejected"
    )

    class Meta(PolicyVersionSerializer.Meta):
        fields = [*PolicyVersionSerializer.Meta.fields, "document"]


def _version(code: str) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.select_related("drafted_by", "approved_by"), code=code
    )


class PolicyList(generics.ListAPIView):
    """Every policy version, newest effective date first (drafts included: all stay readable)."""

    serializer_class = PolicyVersionSerializer
    queryset = PolicyVersion.objects.select_related("drafted_by", "approved_by")


class PolicyDetail(generics.RetrieveAPIView):
    """One version with its full document."""

    serializer_class = PolicyVersionDetailSerializer
    lookup_field = "code"
    queryset = PolicyVersion.objects.select_related("drafted_by", "approved_by")


class PolicySchema(APIView):
    """The published JSON Schema every policy document is validated against."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(policy_schema())


class PolicyExport(APIView):
    """The version's document as a downloadable JSON file (the format `import` accepts)."""

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str) -> HttpResponse:
        version = _version(code)
        response = HttpResponse(
            document_to_text(version.document), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(f'policy-{version.code}.json')}"
        )
        return response


class PolicyImport(APIView):
    """Import a policy document (the JSON body) as a new draft. Nothing is saved if invalid."""

    permission_classes = DRAFTERS

    @extend_schema(
        request=OpenApiTypes.OBJECT, responses={201: PolicyVersionSerializer, 400: PROBLEMS}
    )
    def post(self, request: Request) -> Response:
        version = policy_draft_import(document=request.data, actor=acting(request))
        return Response(PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PolicyUpdate(APIView):
    """Replace the document of a draft or rejected version; the caller becomes its drafter."""

    permission_classes = DRAFTERS

    @extend_schema(
        request=OpenApiTypes.OBJECT, responses={200: PolicyVersionSerializer, 400: PROBLEMS}
    )
    def put(self, request: Request, code: str) -> Response:
        version = policy_draft_update(
            version=_version(code), document=request.data, actor=acting(request)
        )
        return Response(PolicyVersionSerializer(version).data)


def _step(service: Any, capability: str, doc: str, with_reason: bool = False) -> type[APIView]:
    return review_endpoint(
        service,
        capability=capability,
        doc=doc,
        find=_version,
        answer=PolicyVersionSerializer,
        name=f"Policy{service.__name__.title().replace('_', '')}",
        with_reason=with_reason,
    )


PolicySubmit = _step(policy_submit, "policy.draft", "提交复核（草稿或已退回 → 待复核）")
PolicyApprove = _step(
    policy_approve_publish,
    "policy.publish",
    "复核并发布：须为起草人以外的另一位市医保局管理员；发布后不可更改",
)
PolicyReject = _step(policy_reject, "policy.publish", "退回起草人，须填写理由", with_reason=True)
