urlpatterns: list = []

# --- bulk imports (issue 4, item 9): routes live in enrollment/import_api_urls.py ---------
from django.urls import include, path  # noqa: E402

urlpatterns += [path("", include("enrollment.import_api_urls"))]
