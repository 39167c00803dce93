"""Admin views for support staff: read and search. Clerks work in the enrollment pages,
where every write goes through a service; the admin is scoped like everything else."""

from django.contrib import admin

from enrollment import models as m
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
    list_display = ("person", "from_county", "to_county", "effective_month", "status")
    list_filter = ("status",)
    raw_id_fields = ("person",)


@admin.register(m.Referral)
class ReferralAdmin(ReadMostlyAdmin):
    list_display = ("person", "kind", "destination", "valid_from", "valid_to", "status", "county")
    list_filter = ("county", "kind", "status")
    raw_id_fields = ("person",)
