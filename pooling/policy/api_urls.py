"""API of the policy versions (under /api/v1/)."""

from django.urls import path

from pooling.policy import api

urlpatterns = [
    path("policies/", api.PolicyList.as_view(), name="api_policies"),
    path("policies/schema/", api.PolicySchema.as_view(), name="api_policy_schema"),
    path("policies/import/", api.PolicyImport.as_view(), name="api_policy_import"),
    path("policies/<str:code>/", api.PolicyDetail.as_view(), name="api_policy"),
    path("policies/<str:code>/document/", api.PolicyUpdate.as_view(), name="api_policy_update"),
    path("policies/<str:code>/export/", api.PolicyExport.as_view(), name="api_policy_export"),
    path("policies/<str:code>/submit/", api.PolicySubmit.as_view(), name="api_policy_submit"),
    path("policies/<str:code>/approve/", api.PolicyApprove.as_view(), name="api_policy_approve"),
    path("policies/<str:code>/reject/", api.PolicyReject.as_view(), name="api_policy_reject"),
]
