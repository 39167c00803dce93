from django.urls import path

from pooling import views

app_name = "pooling"

urlpatterns = [
    path("", views.policy_index, name="policy_index"),
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
