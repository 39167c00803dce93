"""API of the benefit standards (under /api/v1/): a quote, the catalogues, and their maker-checker."""

from django.urls import path

from pooling.benefits import api
from pooling.benefits.catalogue import api as catalogue

urlpatterns = [
    path("benefits/calculate", api.BenefitsCalculate.as_view(), name="api_benefits_calculate"),
    path("catalogues/", api.CatalogueVersionList.as_view(), name="api_catalogues"),
    path("catalogues/lookup", api.CatalogueLookup.as_view(), name="api_catalogue_lookup"),
    path("catalogues/<int:pk>/items/", api.CatalogueItemList.as_view(), name="api_catalogue_items"),
    path(
        "catalogues/<int:pk>/submit/",
        catalogue.CatalogueSubmit.as_view(),
        name="api_catalogue_submit",
    ),
    path(
        "catalogues/<int:pk>/approve/",
        catalogue.CataloguePublish.as_view(),
        name="api_catalogue_approve",
    ),
    path(
        "catalogues/<int:pk>/reject/",
        catalogue.CatalogueReject.as_view(),
        name="api_catalogue_reject",
    ),
]
