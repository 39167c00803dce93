"""Admin views for support staff: read and search. Clerks work in the enrollment pages,
where every write goes through a service; the admin is scoped like everything else."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from enrollment import models as m
from enrollment.selectors import transfers_named
from pooling.web.admin_exports import WriterExportMixin


class ReadMostlyAdmin(WriterExportMixin, admin.ModelAdmin):
    # Business rules live in services: the admin shows, it does not create or delete.
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Employer)
class EmployerAdmin(ReadMostlyAdmin):
    list_display = ("credit_code", "name", "county", "industry", "status")
    list_filter = ("county", "status")
    search_fields = ("credit_code", "name")


@admin.register(m.Person)
class PersonAdmin(ReadMostlyAdmin):
    list_display = ("id_number", "name", "sex", "birth_date", "county", "category")
    list_filter = ("county", "category")
    search_fields = ("=id_number", "^name")


@admin.register(m.Enrolment)
class EnrolmentAdmin(ReadMostlyAdmin):
    list_display = ("person", "scheme", "county", "employer", "start_month", "end_month", "status")
    list_filter = ("county", "scheme", "status")
    raw_id_fields = ("person", "employer", "continues")


@admin.register(m.Declaration)
class DeclarationAdmin(ReadMostlyAdmin):
    list_display = ("employer", "month", "county", "total_fen", "paid_fen", "status")
    list_filter = ("county", "status")


@admin.register(m.Transfer)
class TransferAdmin(ReadMostlyAdmin):
    # Both counties see a transfer; only the county holding the person reads who it is
    # (the receiving clerk gets the masked name, as on the transfer pages).
    list_display = (
        "person_shown",
        "from_county",
        "to_county",
        "effective_month",
        "release_due",
        "status",
    )
    list_filter = ("status",)
    exclude = ("person",)
    readonly_fields = ("person_shown",)

    @admin.display(description=_("参保人"))
    def person_shown(self, obj: m.Transfer) -> str:
        [named] = transfers_named([obj])
        return f"{getattr(named, 'person_label')}（{obj.person.masked_id}）"  # noqa: B009  # set by transfers_named

    def has_export_permission(self, request: HttpRequest) -> bool:
        # The whole-table export names the person: city-wide readers only, never a county
        # clerk (who may be the receiving county of a pending transfer).
        return super().has_export_permission(request) and not getattr(
            request.user, "region_id", None
        )


@admin.register(m.Referral)
class ReferralAdmin(ReadMostlyAdmin):
    list_display = ("person", "kind", "destination", "valid_from", "valid_to", "status", "county")
    list_filter = ("county", "kind", "status")
    raw_id_fields = ("person",)
