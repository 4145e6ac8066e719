"""Version 1 of the JSON API: one router, each app registers its viewsets."""

from django.http import JsonResponse
from django.urls import re_path
from rest_framework.exceptions import NotFound
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


def not_found(request, path):
    """Any other address under the API answers 404 in JSON, as the API's own
    404s do, rather than with the site's HTML page: `/api/v1/proposals/1.5/`
    does not match the router's patterns but is still an API request."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)


# Only addresses ending in a slash, so CommonMiddleware still redirects
# `/api/v1/missions` to `/api/v1/missions/`.
urlpatterns = [*router.urls, re_path(r"^(?P<path>.*/)$", not_found)]
