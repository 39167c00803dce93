from django.urls import path

from pooling import api_views

urlpatterns = [
    path("regions/", api_views.RegionList.as_view(), name="api_regions"),
    path("me/", api_views.Me.as_view(), name="api_me"),
]
