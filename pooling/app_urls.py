from django.urls import path

from pooling import views

app_name = "pooling"

urlpatterns = [
    path("", views.policy_index, name="policy_index"),
    path("regions/", views.regions, name="regions"),
    path("audit/", views.audit_log, name="audit_log"),
]
