"""The URLs `settlement.hsa.wsgi.HsaHandler` resolves: the interface alone, at the site's path."""

from django.urls import include, path

from settlement.hsa.view import endpoint

# `/api/hsa` too: a POST answered with the site's slash redirect is a POST lost.
urlpatterns = [path("api/hsa", endpoint), path("api/hsa/", include("settlement.hsa.urls"))]

# Errors Django answers before (or instead of) the view, in the interface's form (infcode -1).
handler400 = "settlement.hsa.view.bad_request"
handler403 = "settlement.hsa.view.forbidden"
handler404 = "settlement.hsa.view.not_found"
handler500 = "settlement.hsa.view.server_error"
