"""The project's URLs with the mail service's webhooks turned on (a secret set)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("anymail/", include("anymail.urls")), *project_urlpatterns]
