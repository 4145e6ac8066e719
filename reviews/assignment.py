"""Automatic assignment of reviewers: balanced, conflict-free, matched on bids
and expertise.

`plan_assignments` proposes, for every proposal of an opportunity awaiting
review, the reviewers it still lacks (the opportunity's `reviewers_per_proposal`
minus its active assignments at its stage). It saves nothing: the admin shows
the plan, and reviews.services.apply_plan saves it.

The choice is a minimum-cost flow (`balanced_assignment`, plain Python):
source → proposal (capacity: the reviewers it lacks) → reviewer (capacity 1,
only for an eligible pair) → sink, where a reviewer's j-th new review costs
BIG·(load + j), load being the active assignments they already hold in the
opportunity. These convex costs make the cheapest flow the one whose final
loads have the least sum of squares. A pair's own cost ranks it by the
reviewer's bid (reviews.enums.BID_WEIGHTS), then by keyword fit: each step of
bid weight is worth more than the fit of a whole plan, and BIG more than the
bids and fits of a whole plan, while a "not willing" pair costs more than any
balance of loads could gain. Solved by successive shortest paths (Dijkstra
with potentials), which gives the cheapest flow of maximum value. Hence, in
this order:

1. every proposal gets all the reviewers it lacks whenever that many eligible
   reviewers exist (no reviewer has a capacity, so proposals do not compete);
2. a reviewer who bid "not willing" is placed only where no plan fills the
   slots without them (the fewest such placements);
3. the final loads are the fairest (least sum of squares): when every reviewer
   may review every proposal, none holds assignments yet and nobody bid "not
   willing", loads differ by at most one — with loads a ≥ b + 2, the busier
   reviewer has a proposal the other lacks, and moving it lowers the sum of
   squares;
4. among those, the highest total bid weight: an eager reviewer (2) before a
   willing one (1) before one who did not bid (0), whatever their fit;
5. then the highest total fit;
6. the result depends only on the ids, not on the order of the inputs (ties go
   to the lower ids).

Eligibility: no conflict of interest (reviews.conflicts — a "conflict" bid is
one, so it is never placed) and never asked before for that proposal at that
stage, whatever the answer (declined, conflict, cancelled). Fit is the Jaccard
index of the reviewer's expertise keywords and the proposal's keywords
(|A ∩ B| / |A ∪ B|, 0 when either is empty), to three decimal places.
"""

import heapq
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from proposals.models import TeamMember
from reviews.conflicts import conflict_reasons, declared_conflicts
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, BID_WEIGHTS, BidPreference
from reviews.models import Bid, ReviewAssignment, split_keywords

FIT_SCALE = 1000  # fit in thousandths, so the flow's costs are integers
FIT_PLACES = Decimal("0.001")


def keyword_fit(expertise: Iterable[str], keywords: Iterable[str]) -> Decimal:
    """The Jaccard index of two keyword sets, to three decimal places."""
    first, second = set(expertise), set(keywords)
    if not first or not second:
        return Decimal(0)
    ratio = Decimal(len(first & second)) / Decimal(len(first | second))
    return ratio.quantize(FIT_PLACES, rounding=ROUND_HALF_UP)


def balanced_assignment(
    *,
    needs: Mapping[Hashable, int],
    eligible: Mapping[Hashable, Iterable[Hashable]],
    fit: Mapping[tuple[Hashable, Hashable], int] | None = None,
    loads: Mapping[Hashable, int] | None = None,
    bids: Mapping[tuple[Hashable, Hashable], int] | None = None,
) -> list[tuple[Hashable, Hashable]]:
    """Choose (proposal, reviewer) pairs by minimum-cost flow; see the module.

    `needs[p]`: reviewers proposal p lacks; `eligible[p]`: who may review it;
    `fit[p, r]`: integer fit, 0 to FIT_SCALE (higher is better, 0 by default);
    `loads[r]`: the reviews r already holds (0 by default); `bids[p, r]`: the
    weight of r's bid on p (reviews.enums.BID_WEIGHTS; 0 by default, negative
    for a reviewer placed only when needed). Ids must be sortable. Returns the
    pairs sorted.
    """
    fit = fit or {}
    loads = loads or {}
    bids = bids or {}
    proposals = sorted(p for p in needs if needs[p] > 0)
    reviewers = sorted({r for p in proposals for r in eligible.get(p, ())})
    if not proposals or not reviewers:
        return []
    flow = _Flow(len(proposals) + len(reviewers) + 2)
    source, sink = 0, len(proposals) + len(reviewers) + 1
    node = {("p", p): i + 1 for i, p in enumerate(proposals)}
    node |= {("r", r): len(proposals) + i + 1 for i, r in enumerate(reviewers)}
    total = sum(needs[p] for p in proposals)
    # Each bound exceeds what the criteria below it can add up to over a plan.
    bid_step = FIT_SCALE * total + 1
    top_bid = max((weight for weight in bids.values() if weight > 0), default=0)
    big = total * (top_bid * bid_step + FIT_SCALE) + 1
    heaviest = max((loads.get(r, 0) for r in reviewers), default=0)
    reluctance = big * (total * (heaviest + total) + 1)
    degree: Counter = Counter()
    pair_edges = []
    for p in proposals:
        flow.add(source, node["p", p], needs[p], 0)
        for r in sorted(set(eligible.get(p, ()))):
            pair_fit = max(0, min(fit.get((p, r), 0), FIT_SCALE))
            weight = bids.get((p, r), 0)
            cost = (
                -weight * reluctance - pair_fit
                if weight < 0
                else -(weight * bid_step + pair_fit)
            )
            pair_edges.append((p, r, flow.add(node["p", p], node["r", r], 1, cost)))
            degree[r] += 1
    for r in reviewers:
        for j in range(1, degree[r] + 1):
            flow.add(node["r", r], sink, 1, big * (loads.get(r, 0) + j))
    flow.run(source, sink)
    return sorted((p, r) for p, r, edge in pair_edges if flow.used(edge))


class _Flow:
    """Successive shortest paths on a small graph with integer costs.

    The graph is source → proposals → reviewers → sink, a DAG, so the first
    potentials are its shortest distances in topological (node) order; Dijkstra
    on reduced costs keeps them valid afterwards.
    """

    def __init__(self, size: int):
        self.size = size
        self.graph: list[list[int]] = [[] for _ in range(size)]
        self.to: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []

    def add(self, start: int, end: int, capacity: int, cost: int) -> int:
        index = len(self.to)
        for frm, dst, cap, price in (
            (start, end, capacity, cost),
            (end, start, 0, -cost),
        ):
            self.graph[frm].append(len(self.to))
            self.to.append(dst)
            self.cap.append(cap)
            self.cost.append(price)
        return index

    def used(self, edge: int) -> bool:
        return self.cap[edge] == 0

    def _initial_potentials(self, source: int) -> list[float]:
        potential = [float("inf")] * self.size
        potential[source] = 0
        for start in range(self.size):  # node order is a topological order
            if potential[start] == float("inf"):
                continue
            for edge in self.graph[start]:
                end = self.to[edge]
                if self.cap[edge] > 0 and end > start:
                    candidate = potential[start] + self.cost[edge]
                    potential[end] = min(potential[end], candidate)
        return [0 if value == float("inf") else value for value in potential]

    def run(self, source: int, sink: int) -> None:
        potential = self._initial_potentials(source)
        while True:
            distance, parent = self._dijkstra(source, potential)
            if distance[sink] is None:
                return
            for v in range(self.size):
                if distance[v] is not None:
                    potential[v] += distance[v]
            v = sink
            while v != source:
                edge = parent[v]
                self.cap[edge] -= 1
                self.cap[edge ^ 1] += 1
                v = self.to[edge ^ 1]

    def _dijkstra(self, source: int, potential: Sequence[float]):
        distance: list[float | None] = [None] * self.size
        parent = [-1] * self.size
        best = {source: 0}
        heap = [(0, source)]
        while heap:
            dist, u = heapq.heappop(heap)
            if distance[u] is not None:
                continue
            distance[u] = dist
            for edge in self.graph[u]:
                if self.cap[edge] <= 0:
                    continue
                v = self.to[edge]
                if distance[v] is not None:
                    continue
                reduced = dist + self.cost[edge] + potential[u] - potential[v]
                if v not in best or reduced < best[v]:
                    best[v] = reduced
                    parent[v] = edge
                    heapq.heappush(heap, (reduced, v))
        return distance, parent


# --- plans over the database --------------------------------------------------


@dataclass(frozen=True)
class PlannedAssignment:
    """One placement: `bid` is the reviewer's bid on the proposal (a
    reviews.enums.BidPreference value) or "" when they did not bid."""

    proposal: object
    reviewer: object
    fit: Decimal
    bid: str = ""

    @property
    def bid_display(self) -> str:
        """The bid as the plan page shows it ("Eager"), "" when none."""
        return str(BidPreference(self.bid).label) if self.bid else ""


@dataclass(frozen=True)
class UnfilledSlot:
    """A proposal left short, why, and each excluded reviewer's reasons."""

    proposal: object
    missing: int
    reasons: tuple[str, ...]
    excluded: tuple[tuple[object, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ReviewerLoad:
    reviewer: object
    before: int
    after: int


@dataclass(frozen=True)
class AssignmentPlan:
    """What `plan_assignments` proposes; nothing is saved until apply_plan."""

    opportunity: object
    assignments: tuple[PlannedAssignment, ...]
    unfilled: tuple[UnfilledSlot, ...]
    loads: tuple[ReviewerLoad, ...]

    @property
    def is_complete(self) -> bool:
        return not self.unfilled


@dataclass
class _Exclusions:
    """Who may not review one proposal, and why."""

    reviewers: list = field(default_factory=list)
    conflicted: int = 0
    asked: int = 0


def plan_assignments(
    *,
    opportunity,
    reviewers: Iterable,
    existing: Iterable[ReviewAssignment] | None = None,
    proposals: Iterable | None = None,
) -> AssignmentPlan:
    """Plan the missing reviews of `opportunity` among `reviewers`.

    `existing`: the opportunity's assignments, of any status (read when None);
    `proposals`: those to plan for (by default reviews.selectors.
    proposals_awaiting_review). Reviewers are read with `reviewer_profile`
    (select it). Queries: proposals with their teams, assignments, declared
    conflicts (reviews.conflicts.declared_conflicts), bids — not one per pair.

    A reviewer in conflict with a proposal (reviews.conflicts.conflict_reasons,
    the same reasons the hand assignment gives) is excluded with those reasons,
    even when they were asked before (a declared conflict ends an assignment);
    one asked before without a conflict is excluded as asked before.
    """
    from reviews.selectors import proposals_awaiting_review  # noqa: PLC0415

    reviewers = sorted(reviewers, key=lambda user: user.pk)
    if proposals is None:
        proposals = proposals_awaiting_review(opportunity=opportunity)
    else:
        proposals = _with_team(proposals)
    proposals = sorted(proposals, key=lambda proposal: proposal.pk)
    if existing is None:
        existing = ReviewAssignment.objects.filter(proposal__opportunity=opportunity)
    existing = list(existing)
    asked = {(a.proposal_id, a.reviewer_id, a.stage) for a in existing}
    active = [a for a in existing if a.status in ACTIVE_ASSIGNMENT_STATUSES]
    held = Counter((a.proposal_id, a.stage) for a in active)
    loads = Counter(a.reviewer_id for a in active)
    declared = declared_conflicts(r.pk for r in reviewers)
    preferences = _bids(opportunity=opportunity, reviewers=reviewers)
    expertise = {r.pk: _expertise(r) for r in reviewers}

    needs, eligible, fits, weights = {}, {}, {}, {}
    excluded: dict[int, _Exclusions] = defaultdict(_Exclusions)
    by_id = {p.pk: p for p in proposals}
    for proposal in proposals:
        needs[proposal.pk] = max(
            0, opportunity.reviewers_per_proposal - held[proposal.pk, proposal.stage]
        )
        keywords = split_keywords(proposal.keywords)
        eligible[proposal.pk] = []
        for reviewer in reviewers:
            reasons = conflict_reasons(
                reviewer=reviewer, proposal=proposal, declared=declared
            )
            if reasons:
                excluded[proposal.pk].conflicted += 1
                excluded[proposal.pk].reviewers.append((reviewer, tuple(reasons)))
                continue
            if (proposal.pk, reviewer.pk, proposal.stage) in asked:
                excluded[proposal.pk].asked += 1
                excluded[proposal.pk].reviewers.append(
                    (reviewer, (_("Already asked to review this proposal."),))
                )
                continue
            eligible[proposal.pk].append(reviewer.pk)
            fit = keyword_fit(expertise[reviewer.pk], keywords)
            fits[proposal.pk, reviewer.pk] = int(fit * FIT_SCALE)
            bid = preferences.get((proposal.pk, reviewer.pk), "")
            if bid:
                weights[proposal.pk, reviewer.pk] = BID_WEIGHTS[bid]

    pairs = balanced_assignment(
        needs=needs,
        eligible=eligible,
        fit=fits,
        loads={r.pk: loads[r.pk] for r in reviewers},
        bids=weights,
    )
    users = {r.pk: r for r in reviewers}
    planned = tuple(
        PlannedAssignment(
            proposal=by_id[p],
            reviewer=users[r],
            fit=Decimal(fits[p, r]) / FIT_SCALE,
            bid=preferences.get((p, r), ""),
        )
        for p, r in pairs
    )
    given = Counter(p for p, _r in pairs)
    unfilled = tuple(
        _unfilled(
            by_id[pk],
            missing=needs[pk] - given[pk],
            reviewers=len(reviewers),
            excluded=excluded[pk],
        )
        for pk in needs
        if needs[pk] > given[pk]
    )
    new = Counter(r for _p, r in pairs)
    return AssignmentPlan(
        opportunity=opportunity,
        assignments=planned,
        unfilled=unfilled,
        loads=tuple(
            ReviewerLoad(r, loads[r.pk], loads[r.pk] + new[r.pk]) for r in reviewers
        ),
    )


def _bids(*, opportunity, reviewers) -> dict[tuple[int, int], str]:
    """(proposal id, reviewer id) → preference, for the bids the plan weighs
    (one query). Conflict bids are left out: reviews.conflicts excludes them."""
    rows = (
        Bid.objects.filter(
            proposal__opportunity=opportunity,
            reviewer_id__in=[reviewer.pk for reviewer in reviewers],
        )
        .exclude(preference=BidPreference.CONFLICT)
        .order_by()
        .values_list("proposal_id", "reviewer_id", "preference")
    )
    return {(proposal, reviewer): preference for proposal, reviewer, preference in rows}


def _with_team(proposals):
    """Proposals given by the caller, with what the conflict checks read."""
    from proposals.models import Proposal  # noqa: PLC0415

    if hasattr(proposals, "select_related"):
        queryset = proposals
    else:
        queryset = Proposal.objects.filter(pk__in=[p.pk for p in proposals])
    return queryset.select_related("principal_investigator").prefetch_related(
        Prefetch("team_members", queryset=TeamMember.objects.order_by("pk"))
    )


def _expertise(reviewer) -> list[str]:
    profile = getattr(reviewer, "reviewer_profile", None)
    return profile.expertise_keywords if profile is not None else []


def _unfilled(
    proposal, *, missing: int, reviewers: int, excluded: _Exclusions
) -> UnfilledSlot:
    summary = ngettext(
        "%(missing)s reviewer is still needed, but no other of the %(total)s "
        "reviewers may review it: %(conflicted)s have a conflict of interest and "
        "%(asked)s were asked before.",
        "%(missing)s reviewers are still needed, but no other of the %(total)s "
        "reviewers may review it: %(conflicted)s have a conflict of interest and "
        "%(asked)s were asked before.",
        missing,
    ) % {
        "missing": missing,
        "total": reviewers,
        "conflicted": excluded.conflicted,
        "asked": excluded.asked,
    }
    return UnfilledSlot(
        proposal=proposal,
        missing=missing,
        reasons=(summary,),
        excluded=tuple(excluded.reviewers),
    )
