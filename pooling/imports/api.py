"""API of the bulk imports (/api/v1/imports/): upload, status, errors, commit.

Same workflow as the pages: the upload answers at once with the batch (its preview
runs as a task; poll the status), the commit is refused unless the preview is
clean, and a batch is committed once. County scoping applies as everywhere.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pooling.imports import services
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.imports.tasks import import_commit, import_preview
from pooling.kernel.errors import BusinessRuleError
from pooling.web.decorators import acting
from pooling.web.drf import HasCapability


class BatchSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    is_clean = serializers.BooleanField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "original_name",
            "county",
            "status",
            "status_label",
            "rows_total",
            "rows_done",
            "rows_written",
            "error_count",
            "file_error",
            "percent",
            "is_clean",
            "created_at",
            "previewed_at",
            "committed_at",
        ]


class UploadSerializer(serializers.Serializer):
    kind = serializers.CharField()
    file = serializers.FileField(allow_empty_file=True)  # refused by the preview, with its message


class BatchErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class ImportList(generics.ListAPIView):
    """Import batches the caller may see (a clerk: their county's)."""

    serializer_class = BatchSerializer
    queryset = ImportBatch.objects.all()
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasCapability.of("import.run")()]
        return super().get_permissions()

    @extend_schema(request=UploadSerializer, responses={201: BatchSerializer})
    def post(self, request: Request) -> Response:
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.batch_upload(
            actor=acting(request),
            kind=data.validated_data["kind"],
            file=data.validated_data["file"],
        )
        transaction.on_commit(lambda: import_preview.delay(batch.pk))
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class ImportDetail(generics.RetrieveAPIView):
    """One batch: status, progress and counts (poll while it is validating or committing)."""

    serializer_class = BatchSerializer
    queryset = ImportBatch.objects.all()


class ImportErrors(APIView):
    """Every stored error of a batch: row (as in Excel), column, reason."""

    @extend_schema(responses=BatchErrorSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        batch = get_object_or_404(ImportBatch, pk=pk)
        return Response({"count": batch.error_count, "results": batch.errors or []})


class ImportCommit(APIView):
    """Commit a clean batch (all rows or none); 400 if it has errors or was committed."""

    permission_classes = [HasCapability.of("import.run")]

    @extend_schema(request=None, responses={202: BatchSerializer})
    def post(self, request: Request, pk: int) -> Response:
        batch = get_object_or_404(ImportBatch, pk=pk)
        if batch.status == ImportStatus.COMMITTED:
            raise BusinessRuleError(services.ALREADY_COMMITTED, code="already_committed")
        if not batch.is_clean:
            raise BusinessRuleError(services.NOT_READY, code="not_ready")
        transaction.on_commit(lambda: import_commit.delay(batch.pk))
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)
