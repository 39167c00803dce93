"""The project's URLs plus a page that fails, to see what a visitor is shown when one does."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("a bug nobody foresaw")


urlpatterns = [path("boom/", boom), path("", include("pooling.urls"))]
