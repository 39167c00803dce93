"""Pages of the bulk imports, mounted at /imports/ (every app's kinds share them)."""

from django.urls import path

from pooling.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/errors.csv", views.error_report, name="errors_csv"),
    path("template/<slug:kind>.csv", views.template, name="template"),
]
