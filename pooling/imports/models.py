"""The import batch: one uploaded file on its way from preview to commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("校验中")
    PREVIEWED = "previewed", _("已预览")
    COMMITTING = "committing", _("提交中")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("失败")


class ImportBatch(ScopedModel):
    """An uploaded file. A county clerk's batch belongs to their county (and only they
    and city staff see it); a city user's batch has no county.

    `errors` keeps the first MAX_STORED_ERRORS problems (row, column, reason);
    `error_count` counts them all. A batch is committed at most once: the commit
    claims it with `UPDATE … WHERE status = 'previewed'`.
    """

    kind = models.CharField(_("导入类型"), max_length=30)
    # Where the upload is kept in the default storage (a path, not a FileField: the
    # batch's data is its counts and errors; the file is read only by the services).
    stored_name = models.CharField(_("存储路径"), max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        "pooling.Region",
        verbose_name=_("经办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    rows_total = models.PositiveIntegerField(_("数据行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    rows_written = models.PositiveIntegerField(_("已写入行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    file_error = models.TextField(_("文件错误"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("预览时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="committed") | models.Q(error_count=0),
                name="committed_import_has_no_errors",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_clean(self) -> bool:
        return (
            self.status == ImportStatus.PREVIEWED and self.error_count == 0 and not self.file_error
        )

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.COMMITTED,):
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
