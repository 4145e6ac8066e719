"""The editor's cards as last rendered for one person, kept until anything
they show changes.

A researcher opens the editor far more often than the proposal changes (each
visit, each return from another page), and rendering its eight cards was most
of the page's time. So the cards' HTML is kept in the cache, one slot per
proposal, person and language, with the stamp of what it was rendered from:

- proposals.editor_digest: a digest of every row the cards show (the
  proposal, its call, team, sections' versions, documents, statements,
  carriers, the people on it), read in one query before anything else, so
  cards rendered from rows that a write changes meanwhile are kept under the
  old digest and never match again. No signal has to say that a row changed;
- the countdown's text ("Time left: 3 days, 2 hours"), which changes with
  time alone;
- the person (the principal investigator sees the team's controls), the
  language, and a digest of the code and templates (catalogue.page_cache's
  `release`), so a deployment never serves what its predecessor rendered.

Whether the proposal can still be changed, and by whom, is decided on every
visit before the slot is looked at. The page around the cards (the person's
name, messages, the language switch) is rendered on every visit. The kept
cards hold CSRF_PLACEHOLDER where each form's CSRF token goes; the visitor's
own token replaces it on the way out. Off PostgreSQL nothing is kept.
"""

import hashlib

from django.core.cache import cache
from django.utils.timesince import timeuntil
from django.utils.translation import get_language

from catalogue.page_cache import CSRF_PLACEHOLDER, release
from proposals.editor_digest import shown_in_editor

SLOT_KEY = "proposals:editor:{pk}:{user}:{language}"
# A slot nobody opens leaves the cache after this long (seconds).
SECONDS = 6 * 3600


class KeptCards:
    """One visit's look at the slot of (proposal, person, language)."""

    def __init__(self, *, pk: int, user_id: int):
        self.key = SLOT_KEY.format(pk=pk, user=user_id, language=get_language())
        # Before the rows are read: see the module's docstring.
        self.digest = shown_in_editor(pk=pk)
        self._entry = cache.get(self.key) if self.digest else None
        self.stamp = ""

    def look_up(self, proposal) -> str | None:
        """The kept cards (with CSRF_PLACEHOLDER) if they were rendered from
        what the proposal shows now."""
        if not self.digest:
            return None
        countdown = timeuntil(proposal.deadline) if proposal.deadline else ""
        shown = repr((release(), self.digest, countdown))
        self.stamp = hashlib.sha256(shown.encode()).hexdigest()
        if self._entry is not None and self._entry[0] == self.stamp:
            return self._entry[1]
        return None

    def keep(self, cards: str) -> None:
        """Keep cards rendered (with CSRF_PLACEHOLDER) after look_up missed."""
        if self.stamp:
            cache.set(self.key, (self.stamp, cards), SECONDS)


def with_token(cards: str, token: str) -> str:
    return cards.replace(CSRF_PLACEHOLDER, token)
