from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pooling.web import api_views, views
from settlement.hsa.view import endpoint as hsa_endpoint

handler403 = "pooling.web.errorviews.permission_denied"
handler404 = "pooling.web.errorviews.page_not_found"
handler500 = "pooling.web.errorviews.server_error"

# Every app serves its API under /api/v1/ and chooses its own prefixes there.
api_v1: list[URLPattern | URLResolver] = [
    path("", api_views.ApiIndex.as_view(), name="api_index"),
    path("", include("pooling.api_urls")),
    path("", include("enrollment.api_urls")),
    path("", include("providers.api_urls")),
    path("", include("funds.api_urls")),
    path("", include("settlement.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("policy/", include("pooling.app_urls")),
    path("imports/", include("pooling.imports.urls")),
    path("enrollment/", include("enrollment.urls")),
    path("providers/", include("providers.urls")),
    path("funds/", include("funds.urls")),
    path("settlement/", include("settlement.urls")),
    path("api/v1/", include(api_v1)),
    path(
        "api/hsa", hsa_endpoint
    ),  # no slash redirect for a provider's POST (settlement/hsa/root_urls.py)
    path("api/hsa/", include("settlement.hsa.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # People read the docs: a visitor who has not signed in is sent to sign in first.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
