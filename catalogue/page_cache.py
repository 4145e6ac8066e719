"""Shared copies of the public pages, kept in the shared cache (Redis in
production) so that both gunicorn workers serve what either rendered.

What is kept, for the home page, the catalogue (per filters and page, see
`query_key`), a call page and the API's list of calls (per filters, page and
host; JSON without parameters only), in each language: the
bytes of the response, the catalogue's stamp they were rendered from, and the
moment they stop being true. One slot per page, language and query: the key
holds no stamp, so a new rendering overwrites the old one instead of leaving
dead versions behind.

Who gets one: an HTML page is shared only with a visitor who is not signed in
and has no message waiting (`html_page_for`); such a page differs from another
anonymous visitor's only by its CSRF token, rendered as CSRF_PLACEHOLDER and
replaced on the way out by the visitor's own token (which also sets their CSRF
cookie, as rendering it would). A signed-in visitor's page (their name, their
proposal, their questions) is rendered for them and never kept. The API's list
is the same for everyone, so it is kept whoever asks (as JSON only).
The middleware still runs on every response, kept or not: Vary, cookies, the
Content-Security-Policy. A kept page never holds a CSP nonce: the public
templates have no inline script or style.

When a copy is stale:
- the catalogue's stamp: a random value under STAMP_KEY, replaced by
  `public_pages_changed()` whenever an administrator changes anything a public
  page shows (catalogue/receivers.py), at once and again when the transaction
  commits; a copy of another stamp is not served. The stamp is prefixed with a
  digest of the code and templates (`release()`), so a deployment never serves
  pages its predecessor rendered.
- time: each copy carries the moment it stops being true: the next moment a
  call opens, passes a deadline or stops taking questions
  (`catalogue.selectors.next_public_moment`, kept under MOMENT_KEY per stamp),
  or, for a call page, the next moment of that call alone
  (`catalogue.selectors.moments_of`) or of its countdown (`countdown_changes`).
  Redis drops the copy then too (and after MAX_AGE at most).
"""

import hashlib
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache as once
from pathlib import Path
from urllib.parse import urlencode
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

STAMP_KEY = "catalogue:public:stamp"
MOMENT_KEY = "catalogue:public:next-moment"
PAGE_PREFIX = "catalogue:public:page"
# Letters and digits only: {% csrf_token %} escapes what it is given, and the
# masked token that replaces it is letters and digits too.
CSRF_PLACEHOLDER = "aoPublicPageCsrfToken0000000000000000000000000000000000000000000"
# A kept copy is dropped after this long whatever happens (seconds).
MAX_AGE = 3600
# Query strings longer than this are answered without keeping a copy.
MAX_QUERY_LENGTH = 300
# The apps whose code renders a public page (views, selectors, template tags).
RENDERING_APPS = (
    "accounts",
    "catalogue",
    "config",
    "payloads",
    "proposals",
    "questions",
)
# A copy good for less than this is not worth keeping (seconds).
MIN_LIFETIME = 1.0


@once
def release() -> str:
    """A digest of what renders the pages (templates, translations, the apps'
    code, the pinned dependencies) and of what their static references point
    to (the files under static/, and the manifest of hashed names that
    production's storage writes into the HTML), the same in every worker of
    one deployment: computed once per process from the files' contents."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    patterns = (("templates", "*.html"), ("locale", "*.mo"), ("static", "*"))
    files: list[Path] = [root / "pyproject.toml"]
    for folder, pattern in patterns:
        files += (root / folder).rglob(pattern)
    for app in RENDERING_APPS:
        files += (root / app).rglob("*.py")
    if settings.STATIC_ROOT:
        files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for path in sorted(files):
        if not path.is_file():
            continue
        name = path.relative_to(root) if path.is_relative_to(root) else path.name
        digest.update(str(name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _new_stamp() -> None:
    cache.set(STAMP_KEY, uuid4().hex, timeout=None)


def _new_stamp_logged() -> None:
    try:
        _new_stamp()
    except Exception:
        # A cache that cannot be written to must not undo an administrator's
        # change: the copies then expire by themselves (MAX_AGE at most).
        logger.exception("Could not mark the public pages as changed")


def public_pages_changed() -> None:
    """Every kept public page is stale: call after a write to anything they show.

    The stamp changes now (so the writer's own transaction, and a test, reads
    fresh pages) and again once the transaction commits (so a page another
    worker rendered from the data of before the commit is not served after it).
    """
    _new_stamp_logged()
    transaction.on_commit(_new_stamp_logged, robust=True)


def _stamp_from(values: dict) -> str:
    stamp = values.get(STAMP_KEY)
    if stamp is None:
        # First use, or the cache lost the key: any new value will do, and
        # every worker adopts whichever was written first.
        cache.add(STAMP_KEY, uuid4().hex, timeout=None)
        stamp = cache.get(STAMP_KEY)
    return f"{release()}:{stamp}"


@dataclass
class SharedCopy:
    """One page's slot in the cache, as looked up for one request."""

    key: str
    stamp: str
    moment: float | None  # the kept next moment of the catalogue, if current
    # (stamp, kept_at, valid_until, content_type, content)
    found: tuple | None

    def hit(self, *, now: float) -> tuple[str, bytes] | None:
        if self.found is None:
            return None
        stamp, kept_at, valid_until, content_type, content = self.found
        # True from when it was kept (a clock set back sees no page of its
        # future) until valid_until.
        if stamp != self.stamp or not kept_at <= now < valid_until:
            return None
        return content_type, content

    def valid_until(
        self,
        *,
        now: datetime,
        next_moment: Callable[[datetime], datetime | None] | None = None,
        sooner: Iterable[datetime | None] = (),
    ) -> float:
        """When a page rendered at `now` stops being true: the catalogue's next
        moment when the page shows the whole catalogue (asked of `next_moment`
        unless kept for this stamp), the first of `sooner` still ahead, and
        MAX_AGE from now at the latest."""
        candidates = [now.timestamp() + MAX_AGE]
        candidates += [m.timestamp() for m in sooner if m is not None and m > now]
        if next_moment is None:
            return min(candidates)
        if self.moment is not None and now.timestamp() < self.moment:
            moment = self.moment
        else:
            found = next_moment(now)
            moment = found.timestamp() if found is not None else math.inf
            _set_quietly(MOMENT_KEY, (self.stamp, moment), timeout=MAX_AGE)
        return min([*candidates, moment])

    def keep(self, *, valid_until: float, content_type: str, content: bytes) -> None:
        kept_at = seconds_now()
        lifetime = valid_until - kept_at
        if lifetime < MIN_LIFETIME:
            return
        _set_quietly(
            self.key,
            (self.stamp, kept_at, valid_until, content_type, content),
            timeout=math.ceil(lifetime),
        )


def _set_quietly(key: str, value: object, *, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        # A page that cannot be kept is still served.
        logger.exception("The cache did not answer: %s is not kept", key)


def lookup(*parts: str) -> SharedCopy | None:
    """The slot of the page named by `parts` in the active language, with what
    it holds (one round trip to the cache); None when the cache does not
    answer, and the page is then rendered for this request alone."""
    key = ":".join((PAGE_PREFIX, get_language() or settings.LANGUAGE_CODE, *parts))
    try:
        values = cache.get_many([STAMP_KEY, MOMENT_KEY, key])
        stamp = _stamp_from(values)
    except Exception:
        # The public pages stay up when the cache is down, only slower.
        logger.exception("The cache did not answer: the page is rendered")
        return None
    kept_moment = values.get(MOMENT_KEY)
    moment = None
    if kept_moment is not None and kept_moment[0] == stamp:
        moment = kept_moment[1]
    return SharedCopy(key=key, stamp=stamp, moment=moment, found=values.get(key))


def query_key(request: HttpRequest, allowed: frozenset[str]) -> str | None:
    """The part of a page's key that stands for its query string, or None when
    the query string is not one a copy is kept for: only the names in
    `allowed`, each once with a value, no search text (free text would fill
    the cache with copies nobody asks for again), and not too long.

    The key is of the decoded names and values in order of name, so that the
    ways of writing one query (`p%61ge=2`, the filters in another order) share
    one copy."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return "-"
    if len(raw) > MAX_QUERY_LENGTH:
        return None
    if not set(request.GET) <= allowed or "q" in request.GET:
        return None
    if any(len(values) != 1 or not values[0] for _, values in request.GET.lists()):
        return None
    return digest(urlencode(sorted(request.GET.items())))


def digest(text: str) -> str:
    """A short fixed-length stand-in for `text` in a key."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def html_page_for(request: HttpRequest) -> bool:
    """Whether `request` may be answered with the copy shared by every
    anonymous visitor: not signed in, no message waiting to be shown."""
    if request.user.is_authenticated:
        return False
    # len() loads the waiting messages without marking them shown.
    return len(messages.get_messages(request)) == 0


def csrf_field(token: str) -> str:
    """What {% csrf_token %} writes for `token`."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'


def with_token(content: str, token: str) -> str:
    """Kept HTML with `token` in each form's CSRF field. Only the field that
    {% csrf_token %} wrote is replaced, never the placeholder's letters where
    someone's text holds them (text is escaped: it holds no "<"), so nobody
    can make a page show its visitor's token."""
    return content.replace(csrf_field(CSRF_PLACEHOLDER), csrf_field(token))


def serve(request: HttpRequest, content_type: str, content: bytes) -> HttpResponse:
    """A kept HTML page, with the visitor's own CSRF token put in."""
    page = with_token(content.decode(), get_token(request))
    return HttpResponse(page, content_type=content_type)


def keep_and_serve(
    request: HttpRequest, shared: SharedCopy, response: HttpResponse, valid_until: float
) -> HttpResponse:
    """Keep a freshly rendered page (rendered with CSRF_PLACEHOLDER), and answer
    this request with it as a kept page would be answered."""
    content_type = response["Content-Type"]
    shared.keep(
        valid_until=valid_until, content_type=content_type, content=response.content
    )
    return serve(request, content_type, response.content)


def countdown_changes(deadline: datetime | None, *, now: datetime) -> datetime | None:
    """When the "time left" text of a countdown to `deadline` (Django's
    `timeuntil`: at most two units, minutes only under a day) next reads
    differently: at the next whole minute left under a day, the next whole
    hour left above."""
    if deadline is None or deadline <= now:
        return None
    left = (deadline - now).total_seconds()
    unit = 60 if left < timedelta(days=1).total_seconds() else 3600
    return now + timedelta(seconds=left % unit)


def seconds_now() -> float:
    return timezone.now().timestamp()
