from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from config.security import redoc_view
from reviews.admin.reviewer_site import reviewer_site

# The administrators' site signs in through allauth, so two-factor
# authentication applies to it (its titles: config.admin_site).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page links; the file is static.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("favicon.ico"), permanent=True),
    ),
    path("admin/", admin.site.urls),
    # The reviewers' own admin site; it signs in through allauth too.
    path("review/", reviewer_site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves its start-up script at ?script=, a file of
        # our origin: the Content-Security-Policy allows no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        # Its exceptions to the Content-Security-Policy: config/security.py.
        redoc_view(),
        name="api-redoc",
    ),
    path("proposals/", include("proposals.urls")),
    path("payloads/", include("payloads.urls")),
    path("questions/", include("questions.urls")),
    path("", include("catalogue.urls")),
]

# A transactional mail service's bounce and complaint reports (django-anymail),
# only behind the basic-auth secret the provider is given.
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns.insert(0, path("anymail/", include("anymail.urls")))
