from django.urls import path

from pooling import api_views, policy_api

urlpatterns = [
    path("regions/", api_views.RegionList.as_view(), name="api_regions"),
    path("me/", api_views.Me.as_view(), name="api_me"),
    path("policies/", policy_api.PolicyList.as_view(), name="api_policies"),
    path("policies/schema/", policy_api.PolicySchema.as_view(), name="api_policy_schema"),
    path("policies/import/", policy_api.PolicyImport.as_view(), name="api_policy_import"),
    path("policies/<str:code>/", policy_api.PolicyDetail.as_view(), name="api_policy"),
    path("policies/<str:code>/document/", policy_api.PolicyUpdate.as_view(), name="api_policy_update"),
    path("policies/<str:code>/export/", policy_api.PolicyExport.as_view(), name="api_policy_export"),
    path("policies/<str:code>/submit/", policy_api.PolicySubmit.as_view(), name="api_policy_submit"),
    path("policies/<str:code>/approve/", policy_api.PolicyApprove.as_view(), name="api_policy_approve"),
    path("policies/<str:code>/reject/", policy_api.PolicyReject.as_view(), name="api_policy_reject"),
]

from pooling.benefits import api as benefits_api  # noqa: E402  (issue 3b: calculator and catalogues)

urlpatterns += [
    path("benefits/calculate", benefits_api.BenefitsCalculate.as_view(), name="api_benefits_calculate"),
    path("catalogues/", benefits_api.CatalogueVersionList.as_view(), name="api_catalogues"),
    path("catalogues/lookup", benefits_api.CatalogueLookup.as_view(), name="api_catalogue_lookup"),
    path("catalogues/<int:pk>/items/", benefits_api.CatalogueItemList.as_view(), name="api_catalogue_items"),
]
