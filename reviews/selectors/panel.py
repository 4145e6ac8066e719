"""Reads for administrators: the panel's calls, every assignment, the reviewers
(with their load), the proposals awaiting review, the ranking, the statistics,
the manifest's candidates and the decisions waiting for their release.

The panel's list pages paginate what these return (50 proposals a page): the
querysets are ordered and annotated in SQL, so a page costs the same queries
whatever the size of the call."""

import hashlib
import json
import statistics
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus
from catalogue.models import EvaluationCriterion, Opportunity
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, ProposalVersion, TeamMember
from reviews import scoring
from reviews.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    SELECTED_OUTCOMES,
    AssignmentStatus,
    Recommendation,
    ReviewStatus,
)
from reviews.manifest import Candidate, Envelope
from reviews.models import (
    AssignmentPlanRun,
    Bid,
    Decision,
    Panel,
    PlannedPair,
    PlanShortfall,
    Review,
    ReviewAssignment,
    ReviewerProfile,
)
from reviews.permissions import (
    REVIEWERS_GROUP,
    can_read_assignment,
    is_review_administrator,
)

FULL_STAGE_REVIEWED = (
    *ProposalStatus.in_review(),
    ProposalStatus.SELECTED,
    ProposalStatus.CONDITIONALLY_SELECTED,
    ProposalStatus.NOT_SELECTED,
)
LETTER_STAGE_REVIEWED = (*ProposalStatus.in_review(), ProposalStatus.DECLINED)


def panel_calls() -> QuerySet[Opportunity]:
    """Every call past its draft (cancelled ones left out), latest deadline
    first, with its proposals in review, active assignments, submitted reviews
    and decisions counted in SQL."""
    return (
        Opportunity.objects.exclude(
            status__in=[OpportunityStatus.DRAFT, OpportunityStatus.CANCELLED]
        )
        .select_related("mission")
        .annotate(
            in_review=Count(
                "proposals",
                filter=Q(proposals__status__in=ProposalStatus.in_review()),
                distinct=True,
            ),
            decided=Count("proposals__decision", distinct=True),
            assignments=Count(
                "proposals__review_assignments",
                filter=Q(
                    proposals__review_assignments__status__in=(
                        ACTIVE_ASSIGNMENT_STATUSES
                    )
                ),
                distinct=True,
            ),
            reviews=Count(
                "proposals__review_assignments__review",
                filter=Q(
                    proposals__review_assignments__review__status=(
                        ReviewStatus.SUBMITTED
                    )
                ),
                distinct=True,
            ),
        )
        .order_by("-proposal_deadline", "pk")
    )


def panel_opportunity(*, pk) -> Opportunity:
    """The call `pk` with its mission; Http404 when there is none. The panel's
    views check the administrator's permission before they ask."""
    opportunity = Opportunity.objects.select_related("mission").filter(pk=pk).first()
    if opportunity is None:
        raise Http404(_("No such opportunity."))
    return opportunity


def panel_proposal(*, opportunity, pk) -> Proposal:
    """One proposal of the call with its investigator and team; Http404 else."""
    proposal = (
        Proposal.objects.select_related("principal_investigator", "opportunity")
        .prefetch_related("team_members")
        .filter(opportunity=opportunity, pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404(_("No such proposal in this opportunity."))
    return proposal


def assignment_on_call(*, opportunity, pk) -> ReviewAssignment | None:
    """One assignment of the call, with its proposal and reviewer, or None."""
    if not str(pk).isdigit():
        return None
    return (
        ReviewAssignment.objects.filter(proposal__opportunity=opportunity, pk=pk)
        .select_related("proposal", "reviewer")
        .first()
    )


def assignments_on_proposals(*, user, opportunity, proposal_ids) -> QuerySet:
    """The call's assignments of the proposals `proposal_ids` (one page of the
    assignment page), for an administrator."""
    return assignments_for_administrator(user=user, opportunity=opportunity).filter(
        proposal_id__in=list(proposal_ids)
    )


def assignments_listed(*, user, opportunity, proposal_ids) -> QuerySet:
    """The call's assignments of the proposals `proposal_ids` (one page of the
    assignment page) with their reviewers, by proposal; none for anyone but
    an administrator."""
    if not is_review_administrator(user):
        return ReviewAssignment.objects.none()
    return (
        ReviewAssignment.objects.filter(
            proposal__opportunity=opportunity, proposal_id__in=list(proposal_ids)
        )
        .select_related("reviewer")
        .only(
            "proposal_id",
            "status",
            "due_at",
            "reviewer__email",
            "reviewer__full_name",
        )
        .order_by("proposal_id", "pk")
    )


def reviewer_loads(*, opportunity) -> list:
    """The eligible reviewers (as `eligible_reviewers`: active members of the
    Reviewers group, with what the assignment page shows of them and their
    profiles), each with `load`: their active assignments on the call, counted
    in SQL. Two queries whatever the number of reviewers: the reviewers, and
    the call's active assignments counted per reviewer."""
    loads = dict(
        ReviewAssignment.objects.filter(
            proposal__opportunity=opportunity, status__in=ACTIVE_ASSIGNMENT_STATUSES
        )
        .order_by()
        .values("reviewer_id")
        .annotate(count=Count("pk"))
        .values_list("reviewer_id", "count")
    )
    reviewers = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=REVIEWERS_GROUP)
        .select_related("reviewer_profile")
        .only(
            "email",
            "full_name",
            "institution",
            "country",
            "reviewer_profile__expertise",
        )
        .order_by("email")
    )
    for reviewer in reviewers:
        reviewer.load = loads.get(reviewer.pk, 0)
    return reviewers


def call_assignments(*, opportunity) -> QuerySet[ReviewAssignment]:
    """Every assignment of the call (what the automatic plan starts from)."""
    return ReviewAssignment.objects.filter(proposal__opportunity=opportunity)


def assignments_for_administrator(*, user, opportunity=None) -> QuerySet:
    """Every assignment, with reviewer and investigator; none for anyone else."""
    if not is_review_administrator(user):
        return ReviewAssignment.objects.none()
    queryset = ReviewAssignment.objects.select_related(
        "proposal__opportunity__mission",
        "proposal__principal_investigator",
        "reviewer",
        "review",
        "assigned_by",
    )
    if opportunity is not None:
        queryset = queryset.filter(proposal__opportunity=opportunity)
    return queryset.order_by("proposal__reference", "pk")


def assignment_for_user(*, user, pk) -> ReviewAssignment:
    """An assignment for its reviewer or an administrator; Http404 otherwise."""
    try:
        assignment = ReviewAssignment.objects.select_related(
            "proposal__opportunity__mission", "version", "review"
        ).get(pk=pk)
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if not can_read_assignment(user, assignment):
        raise Http404
    return assignment


def eligible_reviewers() -> QuerySet:
    """Active members of the Reviewers group (reviewers are not staff: they
    have their own admin site), with their profiles."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=REVIEWERS_GROUP)
        .select_related("reviewer_profile")
        .order_by("email")
        .distinct()
    )


def _awaiting_review(*, opportunity, now=None) -> QuerySet[Proposal]:
    """Submitted proposals (or under review) whose stage deadline has passed."""
    now = now or timezone.now()
    return Proposal.objects.filter(
        opportunity=opportunity, status__in=ProposalStatus.in_review()
    ).filter(
        Q(stage=ProposalStage.LETTER_OF_INTENT, opportunity__loi_deadline__lte=now)
        | Q(stage=ProposalStage.FULL, opportunity__proposal_deadline__lte=now)
    )


def proposals_awaiting_review(*, opportunity, now=None) -> QuerySet[Proposal]:
    """Submitted proposals (or under review) whose stage deadline has passed,
    with what the conflict checks read."""
    return (
        _awaiting_review(opportunity=opportunity, now=now)
        .select_related("principal_investigator", "opportunity")
        .prefetch_related(
            Prefetch("team_members", queryset=TeamMember.objects.order_by("pk"))
        )
        .order_by("pk")
    )


def proposals_to_assign(*, opportunity, now=None) -> QuerySet[Proposal]:
    """The proposals awaiting review as the assignment page lists them, with
    their principal investigators (assign_reviewer reads the rest itself)."""
    return (
        _awaiting_review(opportunity=opportunity, now=now)
        .select_related("principal_investigator")
        .only(
            "reference",
            "title",
            "keywords",
            "principal_investigator__email",
            "principal_investigator__full_name",
            "principal_investigator__institution",
        )
        .order_by("pk")
    )


def proposals_to_plan(*, opportunity, now=None) -> QuerySet[Proposal]:
    """The proposals awaiting review as the plan page lists them: each with
    `held`, its active assignments, counted in SQL."""
    held = (
        ReviewAssignment.objects.filter(
            proposal=OuterRef("pk"), status__in=ACTIVE_ASSIGNMENT_STATUSES
        )
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return (
        _awaiting_review(opportunity=opportunity, now=now)
        .annotate(held=Coalesce(Subquery(held), 0))
        .only("pk", "reference", "title", "keywords")
        .order_by("pk")
    )


def _sql(function: str, expression="pk") -> Func:
    """An SQL aggregate Django does not group by (the query stays one row)."""
    if isinstance(expression, str):
        expression = F(expression)
    return Func(expression, function=function)


def _aggregates(queryset: QuerySet, *aggregates: Func) -> Subquery:
    """Aggregates of `queryset`, taken in one scan, as one scalar subquery (their
    values as text, each followed by a comma)."""
    parts = []
    for aggregate in aggregates:
        parts += [aggregate, Value(",")]
    return Subquery(
        queryset.order_by()
        .annotate(value=Concat(*parts, output_field=TextField()))
        .values("value")
    )


def plan_fingerprint(*, opportunity, now=None) -> str:
    """What the automatic plan of the call was computed from, summed up in one
    query of aggregates: the call's assignments (how many, the newest, the
    active ones), its bids, the eligible reviewers and their profiles, the
    proposals awaiting review and the reviewers each needs. Changed, the stored
    plan is out of date. Not a recomputation: two sets of inputs could share a
    fingerprint only through changes that cancel out in every aggregate."""
    active = Case(
        When(status__in=ACTIVE_ASSIGNMENT_STATUSES, then=F("pk")), default=None
    )
    full = Case(When(stage=ProposalStage.FULL, then=F("pk")), default=None)
    reviewers = get_user_model().objects.filter(
        is_active=True, groups__name=REVIEWERS_GROUP
    )
    parts = {
        "assignments": _aggregates(
            ReviewAssignment.objects.filter(proposal__opportunity=opportunity),
            _sql("COUNT"),
            _sql("MAX"),
            _sql("COUNT", active),
            _sql("SUM", active),
        ),
        "bids": _aggregates(
            Bid.objects.filter(proposal__opportunity=opportunity),
            _sql("COUNT"),
            _sql("SUM"),
            _sql("MAX", "updated_at"),
        ),
        "reviewers": _aggregates(reviewers, _sql("COUNT"), _sql("SUM")),
        "profiles": _aggregates(
            ReviewerProfile.objects.filter(user__in=reviewers.values("pk")),
            _sql("MAX", "updated_at"),
        ),
        "awaiting": _aggregates(
            _awaiting_review(opportunity=opportunity, now=now),
            _sql("COUNT"),
            _sql("SUM"),
            _sql("COUNT", full),
        ),
    }
    values = (
        Opportunity.objects.filter(pk=opportunity.pk)
        .values("reviewers_per_proposal", **parts)
        .get()
    )
    summary = "|".join(f"{key}={values[key]}" for key in sorted(values))
    return hashlib.sha256(summary.encode()).hexdigest()


def latest_assignment_plan(*, opportunity) -> AssignmentPlanRun | None:
    """The call's most recent automatic plan (any status), with who asked for
    it and who saved it; None before the first."""
    return (
        AssignmentPlanRun.objects.filter(opportunity=opportunity)
        .select_related("requested_by", "applied_by")
        .order_by("-requested_at", "-pk")
        .first()
    )


def assignment_plan_on_call(*, opportunity, pk) -> AssignmentPlanRun | None:
    """One automatic plan of the call, or None."""
    if not str(pk).isdigit():
        return None
    return AssignmentPlanRun.objects.filter(opportunity=opportunity, pk=pk).first()


def planned_pairs(*, plan) -> QuerySet[PlannedPair]:
    """The plan's pairs with the proposal and the reviewer (what apply_plan
    saves), by proposal then reviewer."""
    return plan.pairs.select_related("proposal", "reviewer").order_by(
        "proposal_id", "reviewer_id"
    )


def _reviewer_name(prefix: str = "reviewer__"):
    """A reviewer's name as get_full_name gives it, in SQL."""
    return Coalesce(
        NullIf(F(f"{prefix}full_name"), Value("")),
        F(f"{prefix}email"),
        output_field=CharField(),
    )


def planned_pair_rows(*, plan, proposal_ids) -> QuerySet:
    """The plan's pairs of the proposals `proposal_ids` (one page) as the page
    shows them: dicts of `proposal_id`, `name` (the reviewer's), `fit`, `bid`."""
    return (
        plan.pairs.filter(proposal_id__in=list(proposal_ids))
        .order_by("proposal_id", "reviewer_id")
        .values("proposal_id", "fit", "bid", name=_reviewer_name())
    )


def plan_shortfalls(*, plan, proposal_ids) -> QuerySet[PlanShortfall]:
    """The plan's proposals left short among `proposal_ids` (one page)."""
    return plan.shortfalls.filter(proposal_id__in=list(proposal_ids)).order_by(
        "proposal_id"
    )


def plan_loads(*, plan) -> QuerySet:
    """Each reviewer's load now and with the plan: dicts of `name` (the
    reviewer's), `expertise`, `before`, `after`, by reviewer."""
    return plan.loads.order_by("reviewer_id").values(
        "before",
        "after",
        name=_reviewer_name(),
        expertise=F("reviewer__reviewer_profile__expertise"),
    )


@dataclass(frozen=True)
class RankingRow:
    """One proposal on the ranking page."""

    proposal: Proposal
    score: scoring.ProposalScore
    reviews_submitted: int
    reviews_assigned: int
    recommendations: tuple[tuple[str, int], ...]  # (recommendation, count)
    version: ProposalVersion | None
    decision: Decision | None

    @property
    def rank(self) -> int | None:
        return self.score.rank

    @property
    def mean(self) -> Decimal | None:
        return self.score.mean

    @property
    def median(self) -> Decimal | None:
        return self.score.median

    @property
    def spread(self) -> Decimal | None:
        return self.score.spread

    @property
    def disagreement(self) -> bool:
        return self.score.disagreement


def ranking(*, opportunity, stage: str = ProposalStage.FULL) -> list[RankingRow]:
    """Every proposal reviewed at `stage`, best weighted mean first (see
    reviews.scoring), in four queries whatever the number of proposals and
    reviews: criteria, proposals (with investigator, carrier and decision),
    assignments (with review and version), scores."""
    criteria = list(EvaluationCriterion.objects.filter(opportunity=opportunity))
    weights = {criterion.pk: criterion.weight for criterion in criteria}
    statuses = (
        FULL_STAGE_REVIEWED if stage == ProposalStage.FULL else (LETTER_STAGE_REVIEWED)
    )
    assigned_at_stage = ReviewAssignment.objects.filter(
        proposal__opportunity=opportunity, stage=stage
    ).values("proposal_id")
    proposals = (
        Proposal.objects.filter(opportunity=opportunity)
        .filter(Q(stage=stage, status__in=statuses) | Q(pk__in=assigned_at_stage))
        .exclude(status=ProposalStatus.WITHDRAWN)
        .select_related("principal_investigator", "carrier", "decision")
        .prefetch_related(
            Prefetch(
                "review_assignments",
                queryset=ReviewAssignment.objects.filter(stage=stage)
                .select_related("review", "version")
                .order_by("pk"),
                to_attr="stage_assignments",
            ),
            "stage_assignments__review__scores",
        )
    )
    by_id = {}
    reviews_by_proposal = {}
    for proposal in proposals:
        by_id[proposal.pk] = proposal
        reviews_by_proposal[proposal.pk] = [
            {score.criterion_id: score.score for score in a.review.scores.all()}
            for a in proposal.stage_assignments
            if _counts(a)
        ]
    scores = scoring.rank_proposals(
        weights=weights, reviews_by_proposal=reviews_by_proposal
    )
    return [_row(by_id[score.proposal_id], score) for score in scores]


def _counts(assignment: ReviewAssignment) -> bool:
    review = _review_of(assignment)
    return (
        assignment.status == AssignmentStatus.ACCEPTED
        and review is not None
        and review.status == ReviewStatus.SUBMITTED
    )


def _review_of(assignment: ReviewAssignment) -> Review | None:
    try:
        return assignment.review
    except Review.DoesNotExist:
        return None


def _row(proposal: Proposal, score: scoring.ProposalScore) -> RankingRow:
    assignments = proposal.stage_assignments
    counted = [a for a in assignments if _counts(a)]
    recommendations = {}
    for assignment in counted:
        value = assignment.review.recommendation
        recommendations[value] = recommendations.get(value, 0) + 1
    try:
        decision = proposal.decision
    except Decision.DoesNotExist:
        decision = None
    return RankingRow(
        proposal=proposal,
        score=score,
        reviews_submitted=len(counted),
        reviews_assigned=sum(1 for a in assignments if a.is_active),
        recommendations=tuple(
            (value, recommendations[value])
            for value in Recommendation.values
            if value in recommendations
        ),
        version=assignments[-1].version if assignments else None,
        decision=decision,
    )


def _pi_country(row: RankingRow) -> str:
    """The investigator's country as submitted, else as on their account now."""
    if row.version is not None:
        country = row.version.snapshot.get("principal_investigator", {}).get("country")
        if country:
            return country
    return row.proposal.principal_investigator.country.code or ""


def _is_selected(row: RankingRow) -> bool:
    if row.decision is not None:
        return row.decision.outcome in SELECTED_OUTCOMES
    return row.proposal.status in SELECTED_OUTCOMES


@dataclass(frozen=True)
class Statistics:
    countries: list[scoring.Tally]
    regions: list[scoring.Tally]


def country_statistics(
    *, opportunity, rows: list[RankingRow] | None = None
) -> Statistics:
    """Proposals and selections by the investigator's country and UN region,
    over the proposals of the full-stage ranking; a decision recorded counts as
    selected before its release (this page is the administrators')."""
    rows = ranking(opportunity=opportunity) if rows is None else rows
    pairs = [(_pi_country(row), _is_selected(row)) for row in rows]
    return Statistics(
        countries=scoring.country_summary(pairs), regions=scoring.region_summary(pairs)
    )


# Kept a while in the cache under the stamp of what they are counted from.
_STATISTICS_CACHE_S = 15 * 60


def call_stamp(*, opportunity) -> str:
    """What call_statistics depends on, in one small query: the call's
    proposals (their number and latest change, which a status change makes),
    their decisions (number, latest recorded and released) and the ranking's
    version (reviews.models.standings). The panel's pages key what they keep
    in the cache with it too."""
    from reviews.models import RankingState  # noqa: PLC0415

    # not correlated: PostgreSQL reads it once for the aggregate
    version = RankingState.objects.filter(opportunity_id=opportunity.pk)
    stamp = Proposal.objects.filter(opportunity=opportunity).aggregate(
        proposals=Count("pk"),
        changed=Max("updated_at"),
        decisions=Count("decision"),
        decided=Max("decision__decided_at"),
        released=Max("decision__released_at"),
        ranking=Max(Subquery(version.values("version")[:1])),
    )
    return hashlib.sha256(repr(sorted(stamp.items())).encode()).hexdigest()[:32]


def call_statistics(*, opportunity, stamp: str | None = None) -> Statistics:
    """`country_statistics` over the call's full-stage ranking: each
    proposal's country (the investigator's in its latest full-stage version,
    else on their account now) and whether it is selected (its decision, else
    its status). Counted in one query whatever the size of the call, and kept
    in the cache until a proposal, a decision or the ranking changes (or a
    quarter of an hour passes, for an investigator's account changed without
    a submission): three small queries on most requests, none when the
    caller has `call_stamp` already."""
    if stamp is None:
        stamp = call_stamp(opportunity=opportunity)
    key = f"reviews:call-statistics:{opportunity.pk}:{stamp}"
    statistics = cache.get(key)
    if statistics is None:
        statistics = _count_statistics(opportunity)
        cache.set(key, statistics, _STATISTICS_CACHE_S)
    return statistics


def _count_statistics(opportunity) -> Statistics:
    from reviews.selectors.standings import ranked_proposals  # noqa: PLC0415

    submitted_country = Subquery(
        ProposalVersion.objects.filter(
            proposal_id=OuterRef("pk"), stage=ProposalStage.FULL
        )
        .order_by("-number")
        .annotate(code=KT("snapshot__principal_investigator__country"))
        .values("code")[:1],
        output_field=CharField(),
    )
    selected = list(SELECTED_OUTCOMES)
    pairs = (
        ranked_proposals(opportunity=opportunity, stage=ProposalStage.FULL)
        .annotate(
            country_code=Coalesce(
                NullIf(submitted_country, Value("")),
                NullIf("principal_investigator__country", Value("")),
                Value(""),
                output_field=CharField(),
            ),
            is_selected=Case(
                When(decision__outcome__in=selected, then=Value(True)),
                When(decision__isnull=True, status__in=selected, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by()
        .values_list("country_code", "is_selected")
        .annotate(count=Count("pk"))
    )
    pairs = [
        (country, is_selected)
        for country, is_selected, count in pairs
        for _ in range(count)
    ]
    return Statistics(
        countries=scoring.country_summary(pairs), regions=scoring.region_summary(pairs)
    )


@dataclass(frozen=True)
class ManifestRow:
    """What the manifest page shows of a candidate beside its `Candidate`."""

    proposal_id: int
    reference: str
    title: str
    mean: Decimal
    reviews_in: int
    reviews_assigned: int
    carrier: str  # the carrier's name as submitted, else the proposal's now

    @property
    def proposal(self) -> Proposal:
        """The proposal with its id, reference and title (no query)."""
        return _listed_proposal(self.proposal_id, self.reference, self.title)

    @property
    def incomplete(self) -> bool:
        return self.reviews_in < self.reviews_assigned


@dataclass(frozen=True)
class ManifestInput:
    """The manifest's candidates, envelopes and unscored proposals.

    Kept in the cache as plain tuples (`_pack`): unpickling 2,000 candidates
    and rows with their Decimals took 14 ms a request. `candidates` and `rows`
    are built when first asked (the solver reads them all); a page builds
    the few it shows with `candidate(pk)` and `row(pk)`."""

    packed: tuple  # one tuple per candidate, see _pack
    envelopes: tuple[Envelope, ...]
    packed_unscored: tuple  # (pk, reference, title) of each
    digest: str  # candidates_digest(candidates), worked out once when read
    incomplete: int  # candidates with reviews still missing

    @cached_property
    def candidates(self) -> tuple[Candidate, ...]:
        return tuple(_unpacked_candidate(line) for line in self.packed)

    @cached_property
    def rows(self) -> dict:
        """Candidate id → ManifestRow."""
        return {line[0]: _unpacked_row(line) for line in self.packed}

    @cached_property
    def unscored(self) -> tuple[Proposal, ...]:
        """No submitted review yet: not a candidate."""
        return tuple(_listed_proposal(*line) for line in self.packed_unscored)

    @cached_property
    def scores(self) -> tuple[tuple[int, float], ...]:
        """Each candidate's (id, score), in the candidates' order."""
        return tuple((line[0], line[1]) for line in self.packed)

    @cached_property
    def _lines(self) -> dict:
        return {line[0]: line for line in self.packed}

    def candidate(self, pk: int) -> Candidate:
        return _unpacked_candidate(self._lines[pk])

    def row(self, pk: int) -> "ManifestRow":
        return _unpacked_row(self._lines[pk])


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _pack(candidate: Candidate, row: ManifestRow) -> tuple:
    return (
        candidate.id,
        candidate.score,
        candidate.carrier_id,
        candidate.country,
        _text(candidate.mass_kg),
        _text(candidate.power_w),
        _text(candidate.data_mb_per_day),
        candidate.label,
        row.reference,
        row.title,
        _text(row.mean),
        row.reviews_in,
        row.reviews_assigned,
        row.carrier,
    )


def _unpacked_candidate(line: tuple) -> Candidate:
    pk, score, carrier_id, country, mass, power, data, label = line[:8]
    return Candidate(
        id=pk,
        score=score,
        carrier_id=carrier_id,
        country=country,
        mass_kg=Decimal(mass),
        power_w=_decimal(power),
        data_mb_per_day=_decimal(data),
        label=label,
    )


def _unpacked_row(line: tuple) -> ManifestRow:
    reference, title, mean, reviews_in, reviews_assigned, carrier = line[8:]
    return ManifestRow(
        proposal_id=line[0],
        reference=reference,
        title=title,
        mean=Decimal(mean),
        reviews_in=reviews_in,
        reviews_assigned=reviews_assigned,
        carrier=carrier,
    )


def candidates_digest(candidates) -> str:
    """A digest of everything the solver reads of the candidates, stable
    across processes (reviews.panel.manifest keys its solves with it)."""
    text = json.dumps(
        [
            [
                c.id,
                c.score,
                c.carrier_id,
                c.country,
                str(c.mass_kg),
                str(c.power_w),
                str(c.data_mb_per_day),
                c.label,
            ]
            for c in candidates
        ],
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _listed_proposal(pk: int, reference: str, title: str) -> Proposal:
    """A proposal as read with only its id, reference and title loaded."""
    return Proposal.from_db(
        Proposal.objects.db, ["id", "reference", "title"], (pk, reference, title)
    )


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


_SCORED_CACHE = "reviews:manifest-scored:{opportunity_pk}:{figure_set}"
_VERSIONS_CACHE = "reviews:manifest-versions:{opportunity_pk}"
_SNAPSHOT_CACHE_S = 60 * 60 * 24 * 7


def _scored_snapshots(*, opportunity) -> dict[int, tuple]:
    """Per proposal of the call, what the manifest reads of the snapshot of
    the version its reviewers scored (that of its latest full-stage
    assignment): (carrier id, carrier name, mass, average power, data volume,
    the investigator's country), the figures as the snapshot's strings.

    Which version that is changes only with the call's assignments, and every
    change of an assignment makes a new set of the ranking's kept figures
    (reviews.selectors.standings.figure_set_id): the answer is cached under
    that set, so a request reads no version at all."""
    from reviews.selectors.standings import figure_set_id  # noqa: PLC0415

    key = _SCORED_CACHE.format(
        opportunity_pk=opportunity.pk,
        figure_set=figure_set_id(opportunity=opportunity, stage=ProposalStage.FULL),
    )
    found = cache.get(key)
    if found is None:
        found = _read_scored_snapshots(opportunity=opportunity)
        cache.set(key, found, _SNAPSHOT_CACHE_S)
    return found


def _read_scored_snapshots(*, opportunity) -> dict[int, tuple]:
    """`_scored_snapshots` read again. A version is frozen, so what is read of
    it never changes: the parts are also kept per call, keyed by version id and
    submission time, and only versions not seen before are read, two keys of
    their snapshot in SQL (each key read costs reading the whole stored
    snapshot)."""
    scored_version = (
        ReviewAssignment.objects.filter(
            proposal_id=OuterRef("proposal_id"), stage=ProposalStage.FULL
        )
        .order_by("-pk")
        .values("version_id")[:1]
    )
    scored = list(
        ProposalVersion.objects.filter(
            proposal__opportunity=opportunity, pk=Subquery(scored_version)
        )
        .order_by()
        .values_list("proposal_id", "pk", Cast("submitted_at", CharField()))
    )
    key = _VERSIONS_CACHE.format(opportunity_pk=opportunity.pk)
    kept = cache.get(key) or {}
    missing = [pk for _proposal, pk, at in scored if kept.get(pk, (None,))[0] != at]
    if missing:
        read = (
            ProposalVersion.objects.filter(pk__in=missing)
            .order_by()
            .values_list(
                "pk",
                Cast("submitted_at", CharField()),
                "snapshot__resources",
                KT("snapshot__principal_investigator__country"),
            )
        )
        fresh = {}
        for pk, at, stored, country in read:
            resources = stored or {}
            carrier = resources.get("carrier") or {}
            fresh[pk] = (
                at,
                carrier.get("id"),
                carrier.get("name_en") or "",
                resources.get("mass_kg"),
                resources.get("power_avg_w"),
                resources.get("data_mb_per_day"),
                country or "",
            )
        wanted = {pk for _proposal, pk, _at in scored}
        kept = {pk: kept[pk] for pk in wanted if pk in kept} | fresh
        cache.set(key, kept, _SNAPSHOT_CACHE_S)
    return {proposal: kept[pk][1:] for proposal, pk, _at in scored if pk in kept}


# The candidates are kept in the cache under what they are read from: the
# ranking's figure set (every review, score and assignment change makes a new
# one) and the call's released decisions. A day bounds the memory.
_CANDIDATES_CACHE_S = 60 * 60 * 24


def manifest_candidates(*, opportunity) -> ManifestInput:
    """reviews.manifest's candidates and envelopes for `opportunity`.

    A candidate's score is its weighted mean (reviews.selectors.standings); its
    requests (carrier, mass, average power — what the envelopes limit — and
    data volume) and its country are read from the snapshot of the version the
    reviewers scored, so what is selected is what was reviewed; the country
    falls back to the investigator's account. Proposals without a submitted
    review are listed apart; proposals with a released decision are not
    candidates. `rows` holds what the page shows beside each candidate.

    Reading 2,000 candidates costs tens of milliseconds, so they are kept in
    the cache under the ranking's figure set and the call's released
    decisions: three small queries on most requests (the set, the decisions'
    stamp, the carriers, which are always read afresh).
    """
    from reviews.models import Decision  # noqa: PLC0415
    from reviews.selectors.standings import figure_set_id  # noqa: PLC0415

    figure_set = figure_set_id(opportunity=opportunity)
    released = Decision.objects.filter(
        proposal__opportunity=opportunity, released_at__isnull=False
    ).aggregate(count=Count("pk"), last=Max("released_at"))
    key = (
        f"reviews:manifest-candidates-v3:{opportunity.pk}:{figure_set}:"
        f"{released['count']}:{released['last'] and released['last'].isoformat()}"
    )
    kept = cache.get(key)
    if kept is None:
        candidates, unscored, rows = _read_candidates(opportunity, figure_set)
        kept = (
            tuple(_pack(candidate, rows[candidate.id]) for candidate in candidates),
            tuple((p.pk, p.reference, p.title) for p in unscored),
            candidates_digest(candidates),
            sum(1 for row in rows.values() if row.incomplete),
        )
        cache.set(key, kept, _CANDIDATES_CACHE_S)
    packed, packed_unscored, digest, incomplete = kept
    envelopes = tuple(
        Envelope(
            carrier_id=carrier.pk,
            name=carrier.name,
            mass_kg=carrier.total_mass_kg,
            power_w=carrier.power_w,
            data_mb_per_day=carrier.data_mb_per_day,
            max_payload_mass_kg=carrier.max_payload_mass_kg,
        )
        for carrier in opportunity.carriers.all()
    )
    return ManifestInput(
        packed=packed,
        envelopes=envelopes,
        packed_unscored=packed_unscored,
        digest=digest,
        incomplete=incomplete,
    )


def _read_candidates(opportunity, figure_set: int) -> tuple:
    """The candidates, the unscored proposals and the rows the page shows
    beside each candidate, read at one figure set (see manifest_candidates)."""
    from reviews.selectors.standings import ranking_rows  # noqa: PLC0415

    proposals = ranking_rows(
        opportunity=opportunity, figure_set=figure_set
    ).values_list(
        "pk",
        "reference",
        "title",
        "weighted_mean",
        "reviews_in",
        "reviews_assigned",
        "decision__released_at",
        "principal_investigator__country",
        "carrier__name",
    )
    snapshots = _scored_snapshots(opportunity=opportunity)
    candidates, unscored, rows = [], [], {}
    for (
        pk,
        reference,
        title,
        mean,
        reviews_in,
        reviews_assigned,
        released_at,
        account_country,
        carrier_now,
    ) in proposals:
        if released_at is not None:
            continue
        snapshot = snapshots.get(pk)
        if mean is None or snapshot is None:
            unscored.append(_listed_proposal(pk, reference, title))
            continue
        carrier_id, carrier_name, mass_kg, power_w, data_mb, country = snapshot
        candidates.append(
            Candidate(
                id=pk,
                score=float(mean),
                carrier_id=carrier_id,
                country=country or account_country or "",
                mass_kg=_decimal(mass_kg) or Decimal(0),
                power_w=_decimal(power_w),
                data_mb_per_day=_decimal(data_mb),
                label=reference,
            )
        )
        rows[pk] = ManifestRow(
            proposal_id=pk,
            reference=reference,
            title=title,
            mean=mean,
            reviews_in=reviews_in,
            reviews_assigned=reviews_assigned,
            carrier=carrier_name or carrier_now or "",
        )
    return tuple(candidates), tuple(unscored), rows


def panel_settings(*, opportunity):
    """The call's panel, or an unsaved one with the defaults (nothing is written
    on a read: reviews.services.panel_for makes it on the first change)."""
    return Panel.objects.filter(opportunity=opportunity).first() or Panel(
        opportunity=opportunity
    )


@dataclass(frozen=True)
class RankingDetails:
    """What the ranking page shows of one proposal beyond the ranking's
    figures: each counted review's weighted score and the recommendations."""

    review_scores: tuple[Decimal, ...]
    recommendations: tuple[tuple[str, int], ...]  # (recommendation, count)

    @property
    def median(self) -> Decimal | None:
        if not self.review_scores:
            return None
        return Decimal(statistics.median(self.review_scores)).quantize(scoring.PLACES)


def ranking_details(
    *, opportunity, proposal_ids, stage: str = ProposalStage.FULL
) -> dict[int, RankingDetails]:
    """Per proposal of one page of the ranking (`proposal_ids`), in two
    queries whatever the page: the criteria, then the counted reviews' scores
    and recommendations."""
    weights = dict(
        EvaluationCriterion.objects.filter(opportunity=opportunity).values_list(
            "pk", "weight"
        )
    )
    reviews = counted_review_scores(proposal_ids, stage=stage)
    scores: dict[int, list[Decimal]] = {}
    recommendations: dict[int, dict[str, int]] = {}
    for proposal_id, given_reviews in reviews.items():
        counts = recommendations.setdefault(proposal_id, {})
        for recommendation, given in given_reviews:
            if given and any(weights.get(criterion) for criterion in given):
                scores.setdefault(proposal_id, []).append(
                    scoring.weighted_score(weights=weights, scores=given).quantize(
                        scoring.PLACES
                    )
                )
            counts[recommendation] = counts.get(recommendation, 0) + 1
    return {
        pk: RankingDetails(
            review_scores=tuple(scores.get(pk, ())),
            recommendations=tuple(
                (str(Recommendation(value).label), count)
                for value, count in recommendations.get(pk, {}).items()
                if value in Recommendation.values
            ),
        )
        for pk in proposal_ids
    }


def counted_review_scores(proposal_ids, *, stage: str) -> dict[int, list]:
    """Per proposal, its counted reviews (submitted, on an accepted assignment
    at the stage) in assignment order, each (recommendation, {criterion:
    score}), from one query of plain tuples (a review without a score gives
    an empty dict)."""
    given_rows = (
        ReviewAssignment.objects.filter(
            proposal_id__in=list(proposal_ids),
            stage=stage,
            status=AssignmentStatus.ACCEPTED,
            review__status=ReviewStatus.SUBMITTED,
        )
        .order_by("pk", "review__scores__pk")
        .values_list(
            "pk",
            "proposal_id",
            "review__recommendation",
            "review__scores__criterion_id",
            "review__scores__score",
        )
    )
    by_assignment: dict[int, tuple[int, str, dict]] = {}
    for pk, proposal_id, recommendation, criterion, score in given_rows:
        given = by_assignment.setdefault(pk, (proposal_id, recommendation, {}))[2]
        if criterion is not None:
            given[criterion] = score
    reviews: dict[int, list] = {}
    for proposal_id, recommendation, given in by_assignment.values():
        reviews.setdefault(proposal_id, []).append((recommendation, given))
    return reviews
