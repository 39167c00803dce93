"""The URLs `settlement.hsa.wsgi.HsaHandler` resolves: the interface alone, at the site's path."""

from django.urls import include, path

urlpatterns = [path("api/hsa/", include("settlement.hsa.urls"))]

# Errors Django answers before (or instead of) the view, in the interface's form (infcode -1).
handler400 = "settlement.hsa.view.bad_request"
handler403 = "settlement.hsa.view.forbidden"
handler404 = "settlement.hsa.view.not_found"
handler500 = "settlement.hsa.view.server_error"
