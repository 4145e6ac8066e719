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
with potentials), which gives the cheapest flow of maximum value. A large call
(LP_MIN_PAIRS eligible pairs or more) is solved instead as a sequence of linear
programmes with HiGHS, one criterion at a time (see `_lexicographic_lp`): the
same criteria in the same order, in seconds rather than hours. Hence, in
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
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import highspy
import numpy as np
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from proposals.models import TeamMember
from reviews.conflicts import (
    conflict_reasons,
    declared_conflicts,
    institutions_of,
    parties,
)
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, BID_WEIGHTS, BidPreference
from reviews.models import Bid, ReviewAssignment, split_keywords

FIT_SCALE = 1000  # fit in thousandths, so the flow's costs are integers
FIT_PLACES = Decimal("0.001")
# From this many eligible pairs on, method="auto" solves the linear programme
# (about 1 s of the pure-Python flow at 5,000 pairs; it grows much faster).
LP_MIN_PAIRS = 5000


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
    method: str = "auto",
) -> list[tuple[Hashable, Hashable]]:
    """Choose (proposal, reviewer) pairs by minimum-cost flow; see the module.

    `needs[p]`: reviewers proposal p lacks; `eligible[p]`: who may review it;
    `fit[p, r]`: integer fit, 0 to FIT_SCALE (higher is better, 0 by default);
    `loads[r]`: the reviews r already holds (0 by default); `bids[p, r]`: the
    weight of r's bid on p (reviews.enums.BID_WEIGHTS; 0 by default, negative
    for a reviewer placed only when needed). Ids must be sortable. Returns the
    pairs sorted.

    `method`: "flow" (successive shortest paths), "lp" (the same criteria
    solved one after the other as linear programmes with HiGHS, see
    `_lexicographic_lp`) or "auto": the flow below LP_MIN_PAIRS eligible pairs, else the
    linear programme. Both give a plan that is optimal in the order above;
    among equally good plans they may choose different ones (the flow gives
    ties to the lower ids, the linear programme to whichever vertex HiGHS
    reaches, always the same for the same input).
    """
    if method not in {"auto", "flow", "lp"}:
        raise ValueError(method)
    fit = fit or {}
    loads = loads or {}
    bids = bids or {}
    proposals = sorted(p for p in needs if needs[p] > 0)
    reviewers = sorted({r for p in proposals for r in eligible.get(p, ())})
    if not proposals or not reviewers:
        return []
    if method == "auto":
        pair_count = sum(len(set(eligible.get(p, ()))) for p in proposals)
        method = "lp" if pair_count >= LP_MIN_PAIRS else "flow"
    if method == "lp":
        return _lexicographic_lp(
            proposals=proposals,
            reviewers=reviewers,
            needs=needs,
            eligible=eligible,
            fit=fit,
            loads=loads,
            bids=bids,
        )
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


# --- the same plan as linear programmes, for large calls ----------------------
#
# The criteria of the module docstring, solved one after the other with HiGHS
# (the simplex method) instead of one flow whose costs weigh them against each
# other: those weights reach 10**18 in a large call, beyond what floating point
# solves exactly, while each criterion alone has small integer costs. Columns:
# x[p, r] in [0, 1] for each eligible pair; for each reviewer, "levels" y[r, j]
# in [0, 1], the j-th review they gain, costing (load + j) in the balance
# criterion, which is then the flow's sum of squares; rows: Σ_r x[p, r] ≤ need[p]
# and Σ_p x[p, r] = Σ_j y[r, j]. The matrix is the incidence matrix of a
# bipartite graph plus one-entry columns: totally unimodular, so every vertex,
# hence the simplex solution, is integral (checked).
#
# After each criterion the programme is narrowed to its optimal plans by
# complementary slackness with the optimal duals: a column whose reduced cost
# is not zero is fixed at its value, a row whose dual is not zero is fixed at
# its activity. That keeps the matrix, so the next optimum is again integral,
# and it keeps every optimal plan, so the order of the criteria is exact.
#
# A reviewer gets levels up to a little above the fair share, capped by how many
# proposals they may review, then one "overflow" column without bound costing as
# the next level (a relaxation of the convex cost). If an optimum puts two or
# more reviews in an overflow, that reviewer gets more levels and the programmes
# are solved again; otherwise the relaxation is exact for the optimal plans and
# the overflows are bounded by one.

_LEVEL_MARGIN = 4  # levels above the fair share each reviewer starts with
_DUAL_ZERO = 1e-6  # the costs and duals are integers; this is solver noise
_INTEGRAL = 1e-6


def _lexicographic_lp(
    *, proposals, reviewers, needs, eligible, fit, loads, bids
) -> list[tuple[Hashable, Hashable]]:
    """balanced_assignment(method="lp"): see the comment above."""
    where = {r: i for i, r in enumerate(reviewers)}
    pair_proposal, pair_reviewer, weights, fits = [], [], [], []
    for i, p in enumerate(proposals):
        for r in sorted(set(eligible.get(p, ()))):
            pair_proposal.append(i)
            pair_reviewer.append(where[r])
            weights.append(bids.get((p, r), 0))
            fits.append(max(0, min(fit.get((p, r), 0), FIT_SCALE)))
    pairs = _Pairs(
        proposal=np.array(pair_proposal, dtype=np.int64),
        reviewer=np.array(pair_reviewer, dtype=np.int64),
        weight=np.array(weights, dtype=np.int64),
        fit=np.array(fits, dtype=np.int64),
        need=np.array([needs[p] for p in proposals], dtype=np.int64),
        load=np.array([loads.get(r, 0) for r in reviewers], dtype=np.int64),
    )
    degree = np.bincount(pairs.reviewer, minlength=len(reviewers))
    placeable = int(
        np.minimum(
            pairs.need, np.bincount(pairs.proposal, minlength=len(proposals))
        ).sum()
    )
    share = math.ceil((int(pairs.load.sum()) + placeable) / len(reviewers))
    levels = np.minimum(degree, np.maximum(share - pairs.load, 0) + _LEVEL_MARGIN)
    while True:
        chosen, overflowed = _solve_levels(pairs, levels)
        if chosen is not None:
            return sorted(
                (proposals[pairs.proposal[k]], reviewers[pairs.reviewer[k]])
                for k in chosen
            )
        levels = np.where(
            overflowed, np.minimum(degree, 2 * levels + _LEVEL_MARGIN), levels
        )


@dataclass(frozen=True)
class _Pairs:
    """The eligible pairs as arrays (indices into the sorted ids), and the
    proposals' needs and the reviewers' loads."""

    proposal: np.ndarray
    reviewer: np.ndarray
    weight: np.ndarray
    fit: np.ndarray
    need: np.ndarray
    load: np.ndarray


def _solve_levels(pairs: _Pairs, levels: np.ndarray):
    """Solve the criteria in order with `levels` per reviewer. Returns the
    indices of the chosen pairs, or None and the reviewers needing more levels."""
    n_pairs, n_revs = len(pairs.proposal), len(pairs.load)
    degree = np.bincount(pairs.reviewer, minlength=n_revs)
    level_reviewer = np.repeat(np.arange(n_revs), levels)
    level_rank = np.arange(len(level_reviewer)) - np.repeat(
        np.cumsum(levels) - levels, levels
    )  # 0 for each reviewer's first level
    overflow_reviewer = np.flatnonzero(levels < degree)
    n_cols = n_pairs + len(level_reviewer) + len(overflow_reviewer)
    overflow = slice(n_cols - len(overflow_reviewer), n_cols)

    lp = _programme(pairs, level_reviewer, overflow_reviewer)
    singles = n_cols - n_pairs

    def on_pairs(values):
        return np.concatenate([values, np.zeros(singles)])

    balance = np.concatenate(
        [
            np.zeros(n_pairs),
            pairs.load[level_reviewer] + level_rank + 1,
            pairs.load[overflow_reviewer] + levels[overflow_reviewer] + 1,
        ]
    )
    reluctance = np.where(pairs.weight < 0, -pairs.weight, 0)
    # Fill every slot, then the fewest "not willing" placements: one more slot
    # filled outweighs the reluctance of a whole plan (small integers still).
    fill = int(reluctance.max(initial=0)) * int(pairs.need.sum()) + 1
    criteria = [
        on_pairs(reluctance - fill),
        balance,  # the sum of squares of the loads
        on_pairs(-np.maximum(pairs.weight, 0)),  # bid weight
        on_pairs(-pairs.fit),  # keyword fit
    ]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", "simplex")
    highs.setOptionValue("simplex_strategy", 1)  # dual: much the fastest here
    lp.col_cost_ = criteria[0]
    highs.passModel(lp)
    every_col = np.arange(n_cols, dtype=np.int32)
    optima, value = [], None
    for stage, cost in enumerate(criteria):
        if stage:
            highs.changeColsCost(n_cols, every_col, cost)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(highs.modelStatusToString(highs.getModelStatus()))
        solution = highs.getSolution()
        value = np.asarray(solution.col_value)
        rounded = np.rint(value)
        if np.abs(value - rounded).max(initial=0) > _INTEGRAL:
            raise RuntimeError("the assignment programme has a fractional optimum")
        optima.append(float(cost @ rounded))
        if cost is balance:
            # The relaxation is exact while no overflow holds two reviews.
            overflowed = np.zeros(n_revs, dtype=bool)
            overflowed[overflow_reviewer[rounded[overflow] > 1]] = True
            if overflowed.any():
                return None, overflowed
            highs.changeColsBounds(
                len(overflow_reviewer),
                every_col[overflow],
                np.zeros(len(overflow_reviewer)),
                np.ones(len(overflow_reviewer)),
            )
        if stage == len(criteria) - 1:
            break
        _keep_optimal(highs, solution, rounded)
    final = np.rint(value)
    # Every criterion kept its optimum while the later ones were solved.
    if [float(cost @ final) for cost in criteria] != optima:
        raise RuntimeError("the assignment programme lost an earlier optimum")
    return np.flatnonzero(final[:n_pairs] > 0.5), None  # noqa: PLR2004 0 or 1


def _programme(pairs: _Pairs, level_reviewer, overflow_reviewer) -> highspy.HighsLp:
    """The columns' bounds, the rows and the matrix (costs are set per criterion)."""
    n_pairs, n_props, n_revs = len(pairs.proposal), len(pairs.need), len(pairs.load)
    singles = len(level_reviewer) + len(overflow_reviewer)
    n_cols = n_pairs + singles
    overflow = slice(n_cols - len(overflow_reviewer), n_cols)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_props + n_revs
    upper = np.ones(n_cols)
    upper[overflow] = highspy.kHighsInf
    lp.col_lower_, lp.col_upper_ = np.zeros(n_cols), upper
    lp.row_lower_ = np.concatenate(
        [np.full(n_props, -highspy.kHighsInf), np.zeros(n_revs)]
    )
    lp.row_upper_ = np.concatenate([pairs.need.astype(float), np.zeros(n_revs)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate(
        [2 * np.arange(n_pairs + 1), 2 * n_pairs + np.arange(1, singles + 1)]
    ).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(
        [
            np.column_stack([pairs.proposal, n_props + pairs.reviewer]).ravel(),
            n_props + level_reviewer,
            n_props + overflow_reviewer,
        ]
    ).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate([np.ones(2 * n_pairs), -np.ones(singles)])
    return lp


def _keep_optimal(highs, solution, rounded: np.ndarray) -> None:
    """Restrict the programme to its optimal solutions: fix each column with a
    non-zero reduced cost and each row with a non-zero dual (complementary
    slackness with this dual optimum holds exactly on the optimal face)."""
    cols = np.flatnonzero(np.abs(np.asarray(solution.col_dual)) > _DUAL_ZERO)
    if len(cols):
        highs.changeColsBounds(
            len(cols), cols.astype(np.int32), rounded[cols], rounded[cols]
        )
    rows = np.flatnonzero(np.abs(np.asarray(solution.row_dual)) > _DUAL_ZERO)
    if len(rows):
        activity = np.rint(np.asarray(solution.row_value))[rows]
        highs.changeRowsBounds(len(rows), rows.astype(np.int32), activity, activity)


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
    institutions = {r.pk: institutions_of(r) for r in reviewers}
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
        team = parties(proposal)
        for reviewer in reviewers:
            reasons = conflict_reasons(
                reviewer=reviewer,
                proposal=proposal,
                declared=declared,
                team=team,
                institutions=institutions[reviewer.pk],
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
