"""The catalogue maker-checker over the API: submit by the importer, approve and publish or
reject by a second bureau administrator (reads are in `pooling.benefits.api`)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.views import APIView

from pooling.benefits.catalogue.models import CatalogueVersion
from pooling.benefits.catalogue.services import (
    catalogue_publish,
    catalogue_reject,
    catalogue_submit,
)
from pooling.web.review import review_endpoint


class ReviewedVersionSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: the policy's "status" already names an enum in the schema.
    status = serializers.CharField(
        read_only=True, help_text="draft · submitted · published · rejected"
    )
    imported_by: serializers.Field = serializers.StringRelatedField()
    published_by: serializers.Field = serializers.StringRelatedField()

    class Meta:
        model = CatalogueVersion
        fields = [
            "id",
            "code",
            "title",
            "effective_from",
            "status",
            "imported_by",
            "published_by",
            "submitted_at",
            "published_at",
            "review_note",
        ]


def _version(pk: int) -> CatalogueVersion:
    return get_object_or_404(CatalogueVersion, pk=pk)


def _step(service: Any, capability: str, doc: str, with_reason: bool = False) -> type[APIView]:
    return review_endpoint(
        service,
        capability=capability,
        doc=doc,
        find=_version,
        answer=ReviewedVersionSerializer,
        name=f"Catalogue{service.__name__.title().replace('_', '')}",
        with_reason=with_reason,
    )


CatalogueSubmit = _step(catalogue_submit, "catalogue.draft", "提交复核（草稿或已退回 → 待复核）")
CataloguePublish = _step(
    catalogue_publish,
    "catalogue.publish",
    "复核并发布：须为导入人以外的另一位市医保局管理员；自生效日期起适用，不可更改",
)
CatalogueReject = _step(
    catalogue_reject, "catalogue.publish", "退回导入人，须填写理由", with_reason=True
)
