"""Admin: settings and plans are editable by the roles allowed; the ledger is read-only
here (money moves only through the posting service)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from funds import models
from pooling.web.admin import ReadOnlyAdmin
from pooling.web.admin_exports import WriterExportMixin


class ReadOnly(WriterExportMixin, ReadOnlyAdmin):
    """Ledger rows are shown and exported, never edited here."""


@admin.register(models.Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "scheme", "capacity_danger_below", "capacity_warn_below", "capacity_warn_above"]
    readonly_fields = ["code", "scheme"]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(models.Account)
class AccountAdmin(ReadOnly):
    list_display = ["code", "name", "book", "county", "category", "no_overdraft", "balance_fen"]
    list_filter = ["book", "category", "no_overdraft"]
    search_fields = ["code", "name"]


@admin.register(models.Period)
class PeriodAdmin(ReadOnly):
    list_display = ["book", "year", "month", "status", "closed_at", "closed_by"]
    list_filter = ["book", "status"]


@admin.register(models.Entry)
class EntryAdmin(ReadOnly):
    list_display = ["id", "book", "period", "entry_date", "memo", "key", "created_by"]
    list_filter = ["book"]
    search_fields = ["key", "memo"]

    def get_queryset(self, request: Any) -> Any:
        # Entries are not county rows; show those with a line the reader may see.
        return super().get_queryset(request).filter(id__in=models.Line.objects.values("entry_id"))


@admin.register(models.Line)
class LineAdmin(ReadOnly):
    list_display = ["id", "entry_id", "account", "county", "amount_fen"]
    list_select_related = ["account", "county"]


@admin.register(models.RemittanceRule)
class RemittanceRuleAdmin(WriterExportMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "source"]


@admin.register(models.PrePoolingPosition)
class PositionAdmin(WriterExportMixin, admin.ModelAdmin):
    list_display = ["county", "book", "rule", "surplus_fen", "deficit_fen", "risk_adjustment_paid_fen", "offset_fen"]


@admin.register(models.PrePoolingClaim)
class ClaimAdmin(WriterExportMixin, admin.ModelAdmin):
    list_display = ["county", "book", "kind", "counterparty", "amount_fen", "cleared_fen", "cleared_on"]


@admin.register(models.InterestRate)
class InterestRateAdmin(WriterExportMixin, admin.ModelAdmin):
    list_display = ["book", "year", "month", "annual_rate"]


@admin.register(models.Budget)
class BudgetAdmin(ReadOnly):
    list_display = ["year", "book", "county", "status", "issued_by", "issued_at"]


@admin.register(models.MonthlyPlan)
class MonthlyPlanAdmin(ReadOnly):
    list_display = ["year", "month", "book", "county", "planned_expense_fen"]
