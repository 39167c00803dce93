from django.urls import path

from pooling import policy_views, unification_views, views

app_name = "pooling"

urlpatterns = [
    path("", policy_views.policy_index, name="policy_index"),
    path("upload/", policy_views.policy_upload, name="policy_upload"),
    path("compare/", policy_views.policy_compare, name="policy_compare"),
    path("v/<str:code>/", policy_views.policy_detail, name="policy_detail"),
    path("v/<str:code>/replace/", policy_views.policy_upload, name="policy_replace"),
    path("v/<str:code>/submit/", policy_views.policy_submit_view, name="policy_submit"),
    path("v/<str:code>/approve/", policy_views.policy_approve_view, name="policy_approve"),
    path("v/<str:code>/reject/", policy_views.policy_reject_view, name="policy_reject"),
    path("v/<str:code>/download/", policy_views.policy_download, name="policy_download"),
    path("unification/", unification_views.unification, name="unification"),
    path("unification/import/", unification_views.unification_import, name="unification_import"),
    path("unification/template.csv", unification_views.unification_template, name="unification_template"),
    path("regions/", views.regions, name="regions"),
    path("audit/", views.audit_log, name="audit_log"),
]

from pooling import catalogue_views  # noqa: E402  (issue 3b: catalogues and the calculator)
from pooling.benefits import views as benefits_views  # noqa: E402

urlpatterns += [
    path("calculator/", benefits_views.calculator, name="calculator"),
    path("catalogues/", catalogue_views.catalogue_list, name="catalogue_list"),
    path("catalogues/import/", catalogue_views.catalogue_upload, name="catalogue_upload"),
    path("catalogues/import/commit/", catalogue_views.catalogue_commit, name="catalogue_commit"),
    path("catalogues/<int:pk>/", catalogue_views.catalogue_detail, name="catalogue_detail"),
    path("catalogues/<int:pk>/publish/", catalogue_views.catalogue_publish_view, name="catalogue_publish"),
]
