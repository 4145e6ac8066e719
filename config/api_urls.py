"""Version 1 of the JSON API: one router, each app registers its viewsets."""

from rest_framework.routers import DefaultRouter

from catalogue.api import MissionViewSet, OpportunityViewSet
from proposals.api import ProposalViewSet
from questions.api import PublishedQuestionViewSet

router = DefaultRouter()
router.register("missions", MissionViewSet, basename="mission")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register(
    r"opportunities/(?P<opportunity_slug>[^/.]+)/questions",
    PublishedQuestionViewSet,
    basename="opportunity-question",
)

urlpatterns = router.urls
