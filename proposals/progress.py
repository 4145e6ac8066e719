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
- the draft's own version, moved on (after the commit, proposals.receivers)
  when one of its team places, documents or accepted statements is written
  without touching `updated_at` (a member confirming, an account linked to an
  invitation, privacy's rewrites), and when a person on it changes their name,
  email, institution, country or ORCID iD, or is deleted;
- a generation shared by every draft, moved on by any save or deletion of what
  drafts share (a call, its carriers, required documents and statements) and by
  every `migrate` (each deploy runs it: a release may change the checklist's
  rules).

Versions and the generation are read before the drafts are, so a figure
computed from rows that a write changes meanwhile is kept under the old value
and never matches again. A version or generation the cache has lost is
replaced by one never used before (the clock's nanoseconds), so figures kept
before it never match either. The submission never reads a kept figure: it
checks the whole checklist itself.
"""

from django.core.cache import cache

from config.generations import current as _current
from config.generations import move_on as _move_on
from proposals.checklist import completeness, completion_percentage
from proposals.enums import ProposalStatus
from proposals.models import Proposal, TeamMember

KEY = "proposals:progress:{pk}"
VERSION_KEY = "proposals:progress:{pk}:version"
GENERATION_KEY = "proposals:progress:generation"
# Long enough to outlive a working day's visits, short enough that figures of
# drafts nobody opens leave the cache.
SECONDS = 7 * 24 * 3600


def _stamp(proposal: Proposal, *, generation: int, version: int) -> str:
    return f"{proposal.updated_at.isoformat()}|{proposal.stage}|{generation}|{version}"


def progress_of_drafts(proposals, *, reader) -> dict[int, int]:
    """pk → the completion figure of each draft among `proposals`, from the
    cache where its stamp still holds; the others are read whole through
    `reader` (ids → proposals with every relation the checklist reads), one
    query set for all of them, and kept."""
    drafts = {p.pk: p for p in proposals if p.status == ProposalStatus.DRAFT}
    if not drafts:
        return {}
    keys = {pk: KEY.format(pk=pk) for pk in drafts}
    versions = {pk: VERSION_KEY.format(pk=pk) for pk in drafts}
    kept = cache.get_many([GENERATION_KEY, *keys.values(), *versions.values()])
    generation = _current(GENERATION_KEY, kept)
    read_as = {pk: _current(versions[pk], kept) for pk in drafts}
    figures: dict[int, int] = {}
    missing = []
    for pk, proposal in drafts.items():
        entry = kept.get(keys[pk])
        stamp = _stamp(proposal, generation=generation, version=read_as[pk])
        if entry is not None and entry[0] == stamp:
            figures[pk] = entry[1]
        else:
            missing.append(pk)
    if missing:
        fresh = {}
        for proposal in reader(missing):
            figure = completion_percentage(completeness(proposal))
            figures[proposal.pk] = figure
            stamp = _stamp(
                proposal, generation=generation, version=read_as[proposal.pk]
            )
            fresh[keys[proposal.pk]] = (stamp, figure)
        cache.set_many(fresh, SECONDS)
    return figures


def forget(proposal_ids) -> None:
    """The kept figures of these drafts are stale: their versions move on."""
    for pk in proposal_ids:
        _move_on(VERSION_KEY.format(pk=pk))


def shared_inputs_changed() -> None:
    """Every kept figure is stale: the generation moves on."""
    _move_on(GENERATION_KEY)


def drafts_of(user) -> list[int]:
    """The drafts whose checklist reads `user`'s profile: those they lead and
    those whose team links their account."""
    return list(
        Proposal.objects.filter(status=ProposalStatus.DRAFT)
        .filter(
            pk__in=Proposal.objects.filter(principal_investigator=user)
            .values("pk")
            .order_by()
            .union(
                TeamMember.objects.filter(user=user).values("proposal_id").order_by()
            )
        )
        .values_list("pk", flat=True)
    )
