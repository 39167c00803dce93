from django.urls import path

from enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("", views.index, name="index"),
]

# --- bulk imports (issue 4, item 9): routes live in enrollment/import_urls.py -------------
from django.urls import include  # noqa: E402

urlpatterns += [path("imports/", include("enrollment.import_urls"))]
