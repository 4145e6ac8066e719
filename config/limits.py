"""Limits on what one person, one address or one proposal may send or store in
a while: invitations and their resends, questions on calls, uploads. Failed
sign-ins are allauth's (ACCOUNT_RATE_LIMITS) and the API's are DRF throttles
(REST_FRAMEWORK); this module is for the portal's own forms.

Each limit is named in settings.AO_LIMITS as django-ratelimit rates
("10/h": ten an hour; windows are fixed, counted in the shared cache, so every
web worker counts the same hits). A view asks before doing the work:

    exceeded = limits.hit(request, "invitation", key=f"proposal:{proposal.pk}")
    if exceeded:
        form.add_error(None, exceeded.message)   # nothing typed is lost
        return render(..., status=429)

`hit` counts one use and says whether it went past the limit; `peek` only
looks. `Exceeded.message` says, in the reader's language, when to try again.
`too_many_requests` is the whole 429 page for a request that has no form to
show again.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import ngettext
from django_ratelimit import ALL
from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Exceeded:
    """A limit went past: which, and how many seconds until its window ends."""

    name: str
    retry_after: int

    @property
    def retry_at(self):
        return timezone.localtime() + timedelta(seconds=self.retry_after)

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        return ngettext(
            "You have reached the limit for this for now. Try again in "
            "%(minutes)s minute (at %(time)s Beijing time); what you entered is "
            "kept below.",
            "You have reached the limit for this for now. Try again in "
            "%(minutes)s minutes (at %(time)s Beijing time); what you entered "
            "is kept below.",
            minutes,
        ) % {"minutes": minutes, "time": time_format(self.retry_at, "H:i")}


def _usage(request: HttpRequest, name: str, key: str, *, increment: bool):
    rate = settings.AO_LIMITS[name]
    return get_usage(
        request,
        group=f"ao:{name}",
        key=lambda _group, _request: key,
        rate=rate,
        method=ALL,
        increment=increment,
    )


def hit(request: HttpRequest, name: str, *, key: str) -> Exceeded | None:
    """Count one use of limit `name` by `key` (e.g. f"user:{user.pk}",
    f"proposal:{proposal.pk}"); an Exceeded when this use goes past it."""
    usage = _usage(request, name, key, increment=True)
    if usage and usage["should_limit"]:
        return Exceeded(name=name, retry_after=max(1, usage["time_left"]))
    return None


def peek(request: HttpRequest, name: str, *, key: str) -> Exceeded | None:
    """Whether the next use would go past the limit, without counting one."""
    usage = _usage(request, name, key, increment=False)
    if usage and usage["count"] >= usage["limit"]:
        return Exceeded(name=name, retry_after=max(1, usage["time_left"]))
    return None


def too_many_requests(request: HttpRequest, exceeded: Exceeded) -> HttpResponse:
    """The translated 429 page, with Retry-After."""
    response = render(
        request,
        "429.html",
        {"limit_message": exceeded.message, "retry_at": exceeded.retry_at},
        status=429,
    )
    response["Retry-After"] = str(exceeded.retry_after)
    return response
