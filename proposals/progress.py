"""The dashboard's completion figure of each draft, kept in the cache.

A draft's figure (proposals.checklist.completion_percentage) reads the draft,
its team, documents and accepted statements, its call's required documents,
statements and carrier, the people's profiles, and runs the anonymity check:
seven queries and most of the dashboard's time, on every visit, although a
draft changes far less often than its researcher looks at the list. So the
figure is kept per draft, with the stamp of what it was computed from:

- the draft's `updated_at` and stage. Every change a researcher makes (a
  section, the team, a document, a statement) goes through proposals.services,
  which touches `updated_at`;
- a generation shared by every draft, moved on by any save or deletion of what
  drafts share (proposals.receivers): a call, its carriers, required documents
  and statements, and a person's name, email, institution, country or ORCID iD.
  These are rare writes, by staff or by someone editing their profile.

A team member, document or accepted statement written outside the services (a
shell, a data migration) forgets its draft's figure too (proposals.receivers).
A kept figure that does not match its draft's stamp is computed again; the
submission never reads it (it checks the whole checklist itself).
"""

import time

from django.core.cache import cache

from proposals.checklist import completeness, completion_percentage
from proposals.enums import ProposalStatus
from proposals.models import Proposal

KEY = "proposals:progress:{pk}"
GENERATION_KEY = "proposals:progress:generation"
# Long enough to outlive a working day's visits, short enough that figures of
# drafts nobody opens leave the cache.
SECONDS = 7 * 24 * 3600


def _stamp(proposal: Proposal, generation: int) -> str:
    return f"{proposal.updated_at.isoformat()}|{proposal.stage}|{generation}"


def progress_of_drafts(proposals, *, reader) -> dict[int, int]:
    """pk → the completion figure of each draft among `proposals`, from the
    cache where its stamp still holds; the others are read whole through
    `reader` (ids → proposals with every relation the checklist reads), one
    query set for all of them, and kept."""
    drafts = {p.pk: p for p in proposals if p.status == ProposalStatus.DRAFT}
    if not drafts:
        return {}
    keys = {pk: KEY.format(pk=pk) for pk in drafts}
    kept = cache.get_many([GENERATION_KEY, *keys.values()])
    generation = kept.get(GENERATION_KEY)
    if generation is None:
        generation = _new_generation()
    figures: dict[int, int] = {}
    missing = []
    for pk, proposal in drafts.items():
        entry = kept.get(keys[pk])
        if entry is not None and entry[0] == _stamp(proposal, generation):
            figures[pk] = entry[1]
        else:
            missing.append(pk)
    if missing:
        fresh = {}
        for proposal in reader(missing):
            figure = completion_percentage(completeness(proposal))
            figures[proposal.pk] = figure
            fresh[keys[proposal.pk]] = (_stamp(proposal, generation), figure)
        cache.set_many(fresh, SECONDS)
    return figures


def forget(proposal_id: int) -> None:
    cache.delete(KEY.format(pk=proposal_id))


def _new_generation() -> int:
    """A generation never used before (the clock's nanoseconds), for a cache
    that has none yet or lost it: figures kept under an older one never match
    it, whatever happened while it was gone."""
    cache.add(GENERATION_KEY, time.time_ns(), None)
    return cache.get(GENERATION_KEY)


def shared_inputs_changed() -> None:
    """Every kept figure is stale: the generation moves on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the cache has none (new, or it was evicted)
        cache.set(GENERATION_KEY, time.time_ns(), None)
