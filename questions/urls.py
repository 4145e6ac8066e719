from django.urls import path

from questions import views
from questions.feeds import CallQuestionsFeed

app_name = "questions"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("ask/<slug:slug>/", views.ask, name="ask"),
    path("feed/<slug:slug>/", CallQuestionsFeed(), name="call-feed"),
]
