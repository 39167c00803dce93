from django.urls import path

from pooling import api_views

urlpatterns = [
    path("regions/", api_views.RegionList.as_view(), name="api_regions"),
    path("me/", api_views.Me.as_view(), name="api_me"),
]

from pooling.benefits import api as benefits_api  # noqa: E402  (issue 3b: calculator and catalogues)

urlpatterns += [
    path("benefits/calculate", benefits_api.BenefitsCalculate.as_view(), name="api_benefits_calculate"),
    path("catalogues/", benefits_api.CatalogueVersionList.as_view(), name="api_catalogues"),
    path("catalogues/lookup", benefits_api.CatalogueLookup.as_view(), name="api_catalogue_lookup"),
    path("catalogues/<int:pk>/items/", benefits_api.CatalogueItemList.as_view(), name="api_catalogue_items"),
]
