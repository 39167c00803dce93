"""The national provider interface: one endpoint, or one path per transaction (`/api/hsa/2207`)."""

from django.urls import path

from settlement.hsa.view import endpoint

urlpatterns = [
    path("", endpoint, name="hsa"),
    path("<str:infno>", endpoint, name="hsa_infno"),
]
