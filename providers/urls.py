from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.register, name="register"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("public/", views.public_list, name="public_list"),
    path("public/export/", views.public_list_export, name="public_list_export"),
    path("handling/", views.handling, name="handling"),
    path("templates/", views.templates, name="templates"),
    path("assessments/", views.assessments, name="assessments"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/violations/new/", views.violation_new, name="violation_new"),
    path("<int:pk>/assessment/", views.assessment_enter, name="assessment_enter"),
]
