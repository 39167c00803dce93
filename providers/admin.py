"""Admin: reading only. The register, the lifecycle (the state machine), agreement and
assessment templates and handling rules change through their services on the pages/API;
the capability table (pooling.kernel.permissions.MODEL_RULES) gives no role a write here."""

from django.contrib import admin

from pooling.web.admin_exports import WriterExportMixin
from providers import models


@admin.register(models.Provider)
class ProviderAdmin(WriterExportMixin, admin.ModelAdmin):
    list_display = (
        "national_code",
        "name",
        "kind",
        "level",
        "location_region",
        "handling_region",
        "state",
    )
    list_filter = ("state", "kind", "level", "handling_region")
    search_fields = ("national_code", "name", "credit_code")
    readonly_fields = (
        "state",
        "accepted_on",
        "paused_days",
        "supplement_since",
        "suspended_on",
        "resume_applied_on",
        "filed_on",
        "handling_region",
    )


@admin.register(models.ProviderEvent)
class ProviderEventAdmin(WriterExportMixin, admin.ModelAdmin):
    list_display = (
        "provider",
        "action",
        "from_state",
        "to_state",
        "effective_on",
        "created_by",
        "created_at",
    )
    list_filter = ("action", "to_state")

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(models.HandlingRule)
admin.site.register(models.HandlingException)
admin.site.register(models.AgreementTemplate)
admin.site.register(models.Agreement)
admin.site.register(models.Violation)
admin.site.register(models.AssessmentTemplate)
admin.site.register(models.AssessmentResult)
