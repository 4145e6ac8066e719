"""Limits on the JSON API: DRF throttles per client, and a 429 that says in the
reader's language when to try again.

Anonymous clients are counted by address, signed-in ones (session or token) by
account; the rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] ("anon",
"user"), read when a request is throttled rather than when the class is
defined, so a change of settings (a test's override) takes effect. The counts
live in the shared cache, like config.limits.

Past the limit the answer is 429 with a Retry-After header and the body

    {"detail": "Too many requests. Try again in 42 seconds (at 15:21 Beijing
     time).", "retry_after": 42}

the sentence in the language of the request (Accept-Language, or the
language cookie).

A cache that does not answer lets every request through (logged): the API
stays up, unlimited, while the cache is down.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


class _RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        """DRF's count, except that a cache that does not answer lets the
        request through: the API stays up when the cache is down, unlimited
        until it is back."""
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.exception("The cache did not answer: the request is not counted")
            return True


class AnonymousClientThrottle(_RatesFromSettings, AnonRateThrottle):
    """Requests without an account, counted by the client's address."""


class SignedInClientThrottle(_RatesFromSettings, UserRateThrottle):
    """Requests of a signed-in account (session or token), counted by account.

    An anonymous request is AnonymousClientThrottle's alone: counting it here
    too (DRF's UserRateThrottle falls back to the address) would only cost
    two more round trips to the cache per request.
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


def retry_message(seconds: int) -> str:
    at = timezone.localtime() + timedelta(seconds=seconds)
    return ngettext(
        "Too many requests. Try again in %(seconds)s second (at %(time)s "
        "Beijing time).",
        "Too many requests. Try again in %(seconds)s seconds (at %(time)s "
        "Beijing time).",
        seconds,
    ) % {"seconds": seconds, "time": time_format(at, "H:i")}


def api_exception_handler(exc, context):
    """DRF's own handler, with a translated body saying when to retry on 429."""
    # rest_framework.views reads the throttle classes of this module when it
    # is imported: importing it at the top would be circular.
    from rest_framework.views import exception_handler  # noqa: PLC0415

    if isinstance(exc, exceptions.Throttled):
        seconds = max(1, int(exc.wait or 1))
        exc.wait = seconds
        exc.detail = exceptions.ErrorDetail(retry_message(seconds), code="throttled")
        response = exception_handler(exc, context)
        if response is not None:
            response.data = {"detail": exc.detail, "retry_after": seconds}
        return response
    return exception_handler(exc, context)
