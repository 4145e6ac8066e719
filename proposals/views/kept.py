"""HTML kept for one person until anything it shows changes: the editor's
cards and the dashboard's rows.

A researcher opens the editor and the dashboard far more often than their
proposals change, and rendering the editor's eight cards or the dashboard's
rows (with each draft's completion figure) was most of those pages' time. So
that HTML is kept in the cache, one slot per page, person (and proposal) and
language, with the stamp of what it was rendered from:

- a digest of every row it shows (proposals.digests), read in one query
  before anything else, so HTML rendered from rows that a write changes
  meanwhile is kept under the old digest and never matches again. No signal
  has to say that a row changed;
- what time alone changes: the editor's countdown text is in the stamp; the
  dashboard's rows are kept until the next moment one of their countdowns
  reads differently or a deadline passes (catalogue.page_cache's
  `countdown_changes`);
- a digest of the code and templates (catalogue.page_cache's `release`), so a
  deployment never serves what its predecessor rendered.

Who may see and change what is decided on every visit, before the slot's
HTML is served: the editor authorises with its permission predicates, from
the rows read now or, while the digest is unchanged, from the rows the visit
that kept the slot read after the same digest (`read_with`): the same rows.
The dashboard's rows are the person's own (the slot is theirs). The page
around the kept HTML (the person's name, messages, the language switch, a
warning about their address) is rendered on every visit.

Kept HTML holds CSRF_PLACEHOLDER in each form's CSRF field; the visitor's own
token replaces it there on the way out (and nowhere else). HTML rendered while
a stored document could not be read (its anonymity check then finds nothing)
is served but not kept. Off PostgreSQL there is no digest and nothing is kept.
"""

import hashlib
import math
import time
from datetime import datetime

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from catalogue.page_cache import release, with_token
from proposals.digests import shown_in_editor, shown_on_dashboard

# The release is in the key: a slot from other code (which may hold model
# instances pickled from other models) is never read, let alone unpickled.
EDITOR_KEY = "proposals:kept:{release}:editor:{pk}:{user}:{language}"
DASHBOARD_KEY = "proposals:kept:{release}:dashboard:{user}:{language}"
# A slot nobody opens leaves the cache after this long (seconds).
SECONDS = 6 * 3600


class Kept:
    """One visit's look at one slot. The digest is read (and the slot with
    it) when the visit starts, before the rows the page renders from."""

    def __init__(self, key: str, digest_of):
        self.key = key
        self._digest_of = digest_of
        self.digest = digest_of()
        self._entry = cache.get(key) if self.digest else None
        self.stamp = ""

    def look_up(self, *parts) -> str | None:
        """The kept HTML (with CSRF_PLACEHOLDER) if it was rendered from what
        the rows and `parts` (what time changes) show now."""
        if not self.digest:
            return None
        shown = repr((release(), self.digest, *parts))
        self.stamp = hashlib.sha256(shown.encode()).hexdigest()
        entry = self._entry
        if entry is None or entry[0] != self.stamp:
            return None
        valid_until = entry[1]
        if valid_until is not None and time.time() >= valid_until:
            return None
        return entry[2]

    def read_with(self):
        """What `keep` was given as `read` (the rows the visit that kept the
        slot authorised from), if no row the digest covers has changed since:
        then they are the rows as they are now, and a visit may authorise from
        them instead of reading them again. None otherwise."""
        entry = self._entry
        if not self.digest or entry is None or len(entry) < 5:  # noqa: PLR2004
            return None
        if entry[3] != (release(), self.digest):
            return None
        return entry[4]

    def keep(
        self, html: str, *, valid_until: datetime | None = None, read=None
    ) -> None:
        """Keep HTML rendered (with CSRF_PLACEHOLDER) after look_up missed,
        until `valid_until` at the latest; `read`: the rows this visit
        authorised from, read after the digest (see read_with).

        Nothing is kept when the digest now differs from the one the visit
        started with: a write landed while it read and rendered, and if it
        were later undone the old digest would match HTML (and rows) of the
        state between."""
        if not self.stamp or self._digest_of() != self.digest:
            return
        until = None if valid_until is None else valid_until.timestamp()
        timeout = SECONDS
        if until is not None:
            left = until - time.time()
            if left <= 0:
                return
            timeout = min(SECONDS, math.ceil(left))
        entry = (self.stamp, until, html, (release(), self.digest), read)
        cache.set(self.key, entry, timeout)


def editor_cards(*, pk: int, user_id: int) -> Kept:
    key = EDITOR_KEY.format(
        release=release(), pk=pk, user=user_id, language=get_language()
    )
    return Kept(key, lambda: shown_in_editor(pk=pk))


def dashboard_rows(*, user_id: int) -> Kept:
    key = DASHBOARD_KEY.format(release=release(), user=user_id, language=get_language())
    return Kept(key, lambda: shown_on_dashboard(user_id=user_id))


def served(request, html: str) -> SafeString:
    """Kept HTML with the visitor's own CSRF token in each form (only in the
    fields {% csrf_token %} wrote: catalogue.page_cache.with_token), ready
    for a template."""
    # The HTML is the page's own, escaped when it was rendered.
    return mark_safe(with_token(html, get_token(request)))  # noqa: S308
