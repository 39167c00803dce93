"""Routes of the bulk imports, included from enrollment/urls.py under imports/."""

from django.urls import path

from enrollment import import_views as views

urlpatterns = [
    path("", views.index, name="import_index"),
    path("upload/", views.upload, name="import_upload"),
    path("<int:pk>/", views.batch, name="import_batch"),
    path("<int:pk>/progress/", views.progress, name="import_progress"),
    path("<int:pk>/commit/", views.commit, name="import_commit"),
    path("<int:pk>/errors.csv", views.error_report, name="import_errors_csv"),
    path("template/<slug:kind>.csv", views.template, name="import_template"),
]
