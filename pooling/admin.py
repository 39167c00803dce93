from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pooling.models import CatalogueVersion, PolicyVersion, Region, User, WorkerHeartbeat

admin.site.site_header = "市级统筹医保系统管理"
admin.site.site_title = "市级统筹医保系统"


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "agency_name", "statistical_only", "is_active")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active")
    list_filter = ("role", "region")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("岗位", {"fields": ("role", "region", "display_name")}),
    )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("token", "hostname", "received_at")


# Policy and catalogues are read here; drafting and the maker-checker are on their pages.
@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "effective_from",
        "status",
        "drafted_by",
        "approved_by",
        "published_at",
    )
    list_filter = ("status",)
    exclude = ("document",)


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "effective_from",
        "status",
        "imported_by",
        "published_by",
        "published_at",
    )
    list_filter = ("status",)


from pooling.access import admin as _access_admin  # noqa: E402,F401  (sign-in lockouts)
