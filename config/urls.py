from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

# The admin signs in through allauth, so two-factor authentication applies to it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("AO Portal administration")
admin.site.site_title = _("AO Portal")
admin.site.index_title = _("CNSA Announcements of Opportunity")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema"),
        name="api-redoc",
    ),
    path("proposals/", include("proposals.urls")),
    path("", include("catalogue.urls")),
]

# A transactional mail service's bounce and complaint reports (django-anymail),
# only behind the basic-auth secret the provider is given.
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns.insert(0, path("anymail/", include("anymail.urls")))
