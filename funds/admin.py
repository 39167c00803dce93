"""Admin: the ledger, budgets and rules are read here; what the table lets a role change
here (warning lines, interest rates, pre-pooling positions) is saved by its service —
money moves only through the posting service. Permissions: pooling.kernel.permissions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from funds import models
from funds.services.schedules import position_check, position_save
from funds.services.setup import book_thresholds_set, thresholds_check
from funds.services.yearend import interest_rate_check, interest_rate_set
from pooling.kernel.errors import BusinessRuleError
from pooling.web.admin import ReadOnlyAdmin
from pooling.web.admin_exports import WriterExportMixin
from pooling.web.decorators import acting


class ReadOnly(WriterExportMixin, ReadOnlyAdmin):
    """Ledger rows are shown and exported, never edited here."""


class ServiceForm(forms.ModelForm):
    """A model form whose `check` is the service's own check, shown beside the field."""

    def check(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                self.check(data)
            except BusinessRuleError as exc:
                field = exc.field if exc.field in self.fields else None
                raise ValidationError({field: exc.text()} if field else exc.text()) from exc
        return data


class BookForm(ServiceForm):
    def check(self, data: dict[str, Any]) -> None:
        thresholds_check(
            danger_below=data["capacity_danger_below"],
            warn_below=data["capacity_warn_below"],
            warn_above=data["capacity_warn_above"],
        )


@admin.register(models.Book)
class BookAdmin(WriterExportMixin, admin.ModelAdmin):
    form = BookForm
    list_display = [
        "code",
        "name",
        "scheme",
        "capacity_danger_below",
        "capacity_warn_below",
        "capacity_warn_above",
    ]
    fields = [
        "code",
        "name",
        "scheme",
        "capacity_danger_below",
        "capacity_warn_below",
        "capacity_warn_above",
    ]
    readonly_fields = ["code", "name", "scheme"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        d = form.cleaned_data
        book_thresholds_set(
            book=obj,
            danger_below=d["capacity_danger_below"],
            warn_below=d["capacity_warn_below"],
            warn_above=d["capacity_warn_above"],
            actor=acting(request),
        )


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


class PositionForm(ServiceForm):
    class Meta:
        model = models.PrePoolingPosition
        fields = [
            "rule",
            "book",
            "county",
            "surplus_fen",
            "deficit_fen",
            "risk_adjustment_paid_fen",
            "lump_sum",
        ]

    def check(self, data: dict[str, Any]) -> None:
        position_check(position=self.instance)


@admin.register(models.PrePoolingPosition)
class PositionAdmin(WriterExportMixin, admin.ModelAdmin):
    form = PositionForm
    list_display = [
        "county",
        "book",
        "rule",
        "surplus_fen",
        "deficit_fen",
        "risk_adjustment_paid_fen",
        "offset_fen",
    ]
    readonly_fields = ["offset_fen"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        position_save(
            position=obj, actor=acting(request)
        )  # also rebuilds the instalments from the rule


@admin.register(models.PrePoolingClaim)
class ClaimAdmin(WriterExportMixin, admin.ModelAdmin):
    list_display = [
        "county",
        "book",
        "kind",
        "counterparty",
        "amount_fen",
        "cleared_fen",
        "cleared_on",
    ]


class RateForm(ServiceForm):
    class Meta:
        model = models.InterestRate
        fields = ["book", "year", "month", "annual_rate"]

    def check(self, data: dict[str, Any]) -> None:
        i = self.instance  # on a correction the period is read-only, so not in `data`
        interest_rate_check(
            book=data["book"] if "book" in data else i.book,
            year=data.get("year", i.year),
            month=data.get("month", i.month),
            annual_rate=data["annual_rate"],
        )


@admin.register(models.InterestRate)
class InterestRateAdmin(WriterExportMixin, admin.ModelAdmin):
    form = RateForm
    list_display = ["book", "year", "month", "annual_rate"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return ["book", "year", "month"] if obj is not None else []  # a correction keeps its month

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        interest_rate_set(
            book=obj.book,
            year=obj.year,
            month=obj.month,
            annual_rate=obj.annual_rate,
            actor=acting(request),
        )


@admin.register(models.Budget)
class BudgetAdmin(ReadOnly):
    list_display = ["year", "book", "county", "status", "issued_by", "issued_at"]


@admin.register(models.MonthlyPlan)
class MonthlyPlanAdmin(ReadOnly):
    list_display = ["year", "month", "book", "county", "planned_expense_fen"]
