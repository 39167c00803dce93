from rest_framework.routers import SimpleRouter

from enrollment import api

router = SimpleRouter()
router.register("enrollment/employers", api.EmployerViewSet, basename="enrollment-employer")
router.register("enrollment/people", api.PersonViewSet, basename="enrollment-person")
router.register("enrollment/enrolments", api.EnrolmentViewSet, basename="enrollment-enrolment")
router.register(
    "enrollment/declarations", api.DeclarationViewSet, basename="enrollment-declaration"
)
router.register("enrollment/collections", api.CollectionViewSet, basename="enrollment-collection")
router.register(
    "enrollment/resident-contributions",
    api.ResidentContributionViewSet,
    basename="enrollment-resident-contribution",
)
router.register("enrollment/transfers", api.TransferViewSet, basename="enrollment-transfer")
router.register("enrollment/referrals", api.ReferralViewSet, basename="enrollment-referral")

urlpatterns = router.urls
