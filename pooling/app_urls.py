"""Pages of the pooling app (namespace `pooling`, mounted at /policy/): each package's own routes."""

from django.urls import include, path

from pooling.web import views

app_name = "pooling"

urlpatterns = [
    path("", include("pooling.policy.urls")),
    path("", include("pooling.benefits.urls")),
    path("regions/", views.regions, name="regions"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export/", views.audit_log_export, name="audit_log_export"),
]
