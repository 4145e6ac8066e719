from django.urls import path

from catalogue import views
from catalogue.feeds import OpportunityFeed

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("opportunities/", views.opportunity_list, name="opportunity-list"),
    # The feeds come before the slug pattern, which would otherwise take "feed".
    path("opportunities/feed/", OpportunityFeed(), name="opportunity-feed"),
    path("opportunities/deadlines.ics", views.deadlines_ics, name="deadlines-ics"),
    path(
        "opportunities/<slug:slug>/",
        views.opportunity_detail,
        name="opportunity-detail",
    ),
    path(
        "opportunities/<slug:slug>/documents/<int:pk>/",
        views.opportunity_document,
        name="opportunity-document",
    ),
    path("missions/", views.mission_list, name="mission-list"),
    path("missions/<slug:slug>/", views.mission_detail, name="mission-detail"),
    path(
        "missions/<slug:slug>/subscribe/",
        views.mission_subscribe,
        name="mission-subscribe",
    ),
    path("cooperation/", views.cooperation, name="cooperation"),
]
