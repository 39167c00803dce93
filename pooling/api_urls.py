"""API of the pooling app (under /api/v1/): the kernel's own endpoints and each package's routes."""

from django.urls import include, path

from pooling.web import api_views

urlpatterns = [
    path("regions/", api_views.RegionList.as_view(), name="api_regions"),
    path("me/", api_views.Me.as_view(), name="api_me"),
    path("", include("pooling.policy.api_urls")),
    path("", include("pooling.benefits.api_urls")),
    path("", include("pooling.imports.api_urls")),
]
