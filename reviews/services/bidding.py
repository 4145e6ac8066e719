"""Bidding: before assignment, each reviewer says how much they want to review
each proposal of a call (eager, willing, not willing) or declares a conflict of
interest with it.

A reviewer bids only for themselves, on proposals in review (submitted or under
review) of a call whose bidding an administrator opened
(reviews.permissions.can_bid; reviews.services.panels opens and closes it).
The automatic plan (reviews.assignment) weighs the bids above keyword fit.
A "conflict" bid is a declared conflict of interest: reviews.conflicts
reports it, so neither the automatic plan nor the hand assignment places the
pair, and an active assignment of the pair ends as a conflict
(reviews.services.declare_conflict: the administrators are emailed). Withdrawing
a conflict bid later lifts the bid, not the ended assignment.
"""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.refusals import Refused
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, BidPreference, PhaseStatus
from reviews.models import Bid, Panel, ReviewAssignment
from reviews.permissions import can_bid, is_reviewer
from reviews.services.assigning import declare_conflict
from reviews.services.panels import panel_for


class BidRefused(Refused):
    """A bid refused: bidding not open on the call, someone else's bid, a
    proposal not in review, a preference that is not one."""


def _preference_problem(value: str) -> str | None:
    if value == "" or value in BidPreference.values:
        return None
    return _(
        "“%(value)s” is not a bid: choose eager, willing, not willing or "
        "conflict of interest."
    ) % {"value": value}


def _lock_open_panel(*, opportunity, reviewer, actor) -> Panel:
    """The call's panel, locked so that bidding cannot close midway; refused
    unless the actor is the reviewer and may bid on the call now."""
    if actor is None or reviewer is None or actor.pk != reviewer.pk:
        raise BidRefused(_("Reviewers place their own bids only."))
    panel = Panel.objects.select_for_update().get(pk=panel_for(opportunity).pk)
    if can_bid(actor, panel):
        return panel
    if not is_reviewer(actor):
        raise BidRefused(_("Only reviewers bid on proposals."))
    if panel.bidding == PhaseStatus.CLOSED:
        raise BidRefused(_("Bidding on this call is closed."))
    raise BidRefused(_("Bidding is not open on this call."))


def _not_in_review(proposal) -> str:
    return _(
        "%(reference)s is %(status)s: bids are placed only on proposals in review."
    ) % {
        "reference": proposal.reference or proposal.title,
        "status": proposal.get_status_display().lower(),
    }


@transaction.atomic
def place_bid(*, proposal, reviewer, preference: str, actor) -> Bid | None:
    """Set `reviewer`'s bid on `proposal` to `preference` (a BidPreference
    value), or remove it with "". Returns the bid, or None once removed.

    Refused with BidRefused unless the actor is the reviewer, bidding is open on
    the proposal's call for them (reviews.permissions.can_bid) and the proposal
    is in review. A "conflict" bid ends the reviewer's active assignments of
    the proposal as conflicts (see the module).
    """
    bids, _changed = _place(
        opportunity=proposal.opportunity,
        reviewer=reviewer,
        preferences={proposal.pk: preference},
        actor=actor,
    )
    return bids.get(proposal.pk)


@transaction.atomic
def place_bids(*, opportunity, reviewer, preferences: Mapping[int, str], actor) -> int:
    """The bid sheet's one save: `preferences` maps proposal ids of the call to
    a BidPreference value, or "" to remove the bid. All or nothing: any refusal
    (BidRefused, every reason at once) changes nothing. Returns how many bids
    were placed, changed or removed; an unchanged bid is not written again.
    """
    _bids, changed = _place(
        opportunity=opportunity,
        reviewer=reviewer,
        preferences=preferences,
        actor=actor,
    )
    return changed


def _wanted(preferences: Mapping[int, str]) -> dict[int, str]:
    try:
        return {int(pk): (value or "").strip() for pk, value in preferences.items()}
    except (TypeError, ValueError) as error:
        raise BidRefused(_("One of the proposals is not part of this call.")) from error


def _place(
    *, opportunity, reviewer, preferences: Mapping[int, str], actor
) -> tuple[dict[int, Bid | None], int]:
    """Check everything, then write. Returns proposal id → its bid (None when
    there is none any more), and how many bids changed. Runs inside the
    caller's transaction, under the lock of the call's panel."""
    _lock_open_panel(opportunity=opportunity, reviewer=reviewer, actor=actor)
    wanted = _wanted(preferences)
    proposals = (
        Proposal.objects.filter(opportunity=opportunity, pk__in=list(wanted))
        .only("pk", "reference", "title", "status")
        .order_by("reference", "pk")
    )
    problems = []
    if len(proposals) != len(wanted):
        problems.append(_("One of the proposals is not part of this call."))
    for proposal in proposals:
        if proposal.status not in ProposalStatus.in_review():
            problems.append(_not_in_review(proposal))
        elif problem := _preference_problem(wanted[proposal.pk]):
            problems.append(
                _("%(reference)s: %(problem)s")
                % {"reference": proposal.reference, "problem": problem}
            )
    if problems:
        raise BidRefused(problems)

    bids: dict[int, Bid | None] = {
        bid.proposal_id: bid
        for bid in Bid.objects.filter(
            reviewer_id=reviewer.pk, proposal_id__in=list(wanted)
        ).order_by()
    }
    removed, created, changed = [], [], []
    now = timezone.now()
    for pk, value in wanted.items():
        bid = bids.get(pk)
        if bid is None and value:
            bids[pk] = Bid(proposal_id=pk, reviewer_id=reviewer.pk, preference=value)
            created.append(bids[pk])
        elif bid is not None and not value:
            removed.append(bid.pk)
            bids[pk] = None
        elif bid is not None and bid.preference != value:
            bid.preference = value
            bid.updated_at = now
            changed.append(bid)
    if removed:
        Bid.objects.filter(pk__in=removed).delete()
    Bid.objects.bulk_create(created)
    Bid.objects.bulk_update(changed, ["preference", "updated_at"])
    conflicts = [pk for pk, value in wanted.items() if value == BidPreference.CONFLICT]
    if conflicts:
        _end_assignments_in_conflict(
            proposal_ids=conflicts, reviewer=reviewer, actor=actor
        )
    return bids, len(removed) + len(created) + len(changed)


def _end_assignments_in_conflict(*, proposal_ids, reviewer, actor) -> None:
    """A conflict bid declares the conflict on the pair's active assignments
    too, through the reviewer's own door (declare_conflict)."""
    active = ReviewAssignment.objects.filter(
        reviewer_id=reviewer.pk,
        proposal_id__in=proposal_ids,
        status__in=ACTIVE_ASSIGNMENT_STATUSES,
    ).order_by("pk")
    for assignment in active:
        declare_conflict(
            assignment=assignment,
            actor=actor,
            reason=_("Conflict of interest declared when bidding."),
        )
