from django.urls import path

from payloads import views

app_name = "payloads"

urlpatterns = [
    path("", views.payload_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path(
        "<int:pk>/conditions/<int:condition_pk>/answer/",
        views.answer,
        name="answer",
    ),
    path(
        "documents/condition/<int:pk>/",
        views.condition_document,
        name="condition-document",
    ),
    path(
        "documents/agreement/<int:pk>/",
        views.agreement_document,
        name="agreement-document",
    ),
]
