"""API routes of the bulk imports, included from enrollment/api_urls.py (under /api/v1/)."""

from django.urls import path

from pooling.imports import api

urlpatterns = [
    path("imports/", api.ImportList.as_view(), name="api_imports"),
    path("imports/<int:pk>/", api.ImportDetail.as_view(), name="api_import"),
    path("imports/<int:pk>/errors/", api.ImportErrors.as_view(), name="api_import_errors"),
    path("imports/<int:pk>/commit/", api.ImportCommit.as_view(), name="api_import_commit"),
]
