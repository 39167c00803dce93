from rest_framework.routers import SimpleRouter

from providers.api import ProviderViewSet

router = SimpleRouter()
router.register("providers", ProviderViewSet, basename="api-providers")

urlpatterns = router.urls
