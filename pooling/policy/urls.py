"""Pages of the basic-policy unification (基本政策): versions, maker-checker, 待遇不降."""

from django.urls import path

from pooling.policy import views
from pooling.policy.unification import views as unification

urlpatterns = [
    path("", views.policy_index, name="policy_index"),
    path("upload/", views.policy_upload, name="policy_upload"),
    path("compare/", views.policy_compare, name="policy_compare"),
    path("parameters/", views.policy_parameters, name="policy_parameters"),
    path("v/<str:code>/", views.policy_detail, name="policy_detail"),
    path("v/<str:code>/replace/", views.policy_upload, name="policy_replace"),
    path("v/<str:code>/parameters/", views.policy_parameters, name="policy_edit_parameters"),
    path("v/<str:code>/submit/", views.policy_submit_view, name="policy_submit"),
    path("v/<str:code>/approve/", views.policy_approve_view, name="policy_approve"),
    path("v/<str:code>/reject/", views.policy_reject_view, name="policy_reject"),
    path("v/<str:code>/download/", views.policy_download, name="policy_download"),
    path("unification/", unification.unification, name="unification"),
    path("unification/export/", unification.unification_export, name="unification_export"),
    path("unification/import/", unification.unification_import, name="unification_import"),
    path("unification/template.csv", unification.unification_template, name="unification_template"),
]
