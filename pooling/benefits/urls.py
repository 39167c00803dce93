"""Pages of the benefit standards (待遇标准): the calculator and the catalogues."""

from django.urls import path

from pooling.benefits import views
from pooling.benefits.catalogue import views as catalogue

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("catalogues/", catalogue.catalogue_list, name="catalogue_list"),
    path("catalogues/import/", catalogue.catalogue_upload, name="catalogue_upload"),
    path("catalogues/import/commit/", catalogue.catalogue_commit, name="catalogue_commit"),
    path("catalogues/<int:pk>/", catalogue.catalogue_detail, name="catalogue_detail"),
    path("catalogues/<int:pk>/submit/", catalogue.catalogue_submit_view, name="catalogue_submit"),
    path(
        "catalogues/<int:pk>/publish/", catalogue.catalogue_publish_view, name="catalogue_publish"
    ),
    path("catalogues/<int:pk>/reject/", catalogue.catalogue_reject_view, name="catalogue_reject"),
]
