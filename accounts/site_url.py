"""The site's address in local development, taken from the request.

Every emailed link is made absolute from settings.SITE_URL (the outbox's
`site_url`, accounts.adapter for allauth's links). Production requires
DJANGO_SITE_URL (config/settings/production.py). In local development (DEBUG)
without it, this middleware sets SITE_URL from each request's scheme, host and
port, so the links in the emails a developer triggers open on the host:port
they use (127.0.0.1:8000, localhost:8001, a LAN address…). Emails rendered
outside a request (Celery beat's reminders) use the last request's address, or
the default http://127.0.0.1:8000 before any.

It changes a setting of the running process, which is acceptable for a single
developer's server only: it does nothing unless DEBUG is on and DJANGO_SITE_URL
unset.
"""

from django.conf import settings


def request_site_url(request) -> str:
    """The scheme, host and port the request came to, without a final slash."""
    return request.build_absolute_uri("/").rstrip("/")


class SiteUrlFromRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not settings.SITE_URL_CONFIGURED:
            site_url = request_site_url(request)
            if site_url != settings.SITE_URL:
                settings.SITE_URL = site_url
        return self.get_response(request)
