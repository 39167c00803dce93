"""API of the benefit standards (under /api/v1/): a quote, and the catalogues read-only."""

from django.urls import path

from pooling.benefits import api

urlpatterns = [
    path("benefits/calculate", api.BenefitsCalculate.as_view(), name="api_benefits_calculate"),
    path("catalogues/", api.CatalogueVersionList.as_view(), name="api_catalogues"),
    path("catalogues/lookup", api.CatalogueLookup.as_view(), name="api_catalogue_lookup"),
    path("catalogues/<int:pk>/items/", api.CatalogueItemList.as_view(), name="api_catalogue_items"),
]
