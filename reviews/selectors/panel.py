"""Reads for administrators: the panel's calls, every assignment, the reviewers
(with their load), the proposals awaiting review, the ranking, the statistics,
the manifest's candidates and the decisions waiting for their release.

The panel's list pages paginate what these return (50 proposals a page): the
querysets are ordered and annotated in SQL, so a page costs the same queries
whatever the size of the call."""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
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
from reviews.models import Decision, Panel, Review, ReviewAssignment
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


def reviewer_loads(*, opportunity) -> QuerySet:
    """The eligible reviewers, each with `load`: their active assignments on the
    call, counted in SQL."""
    return eligible_reviewers().annotate(
        load=Count(
            "review_assignments",
            filter=Q(
                review_assignments__proposal__opportunity=opportunity,
                review_assignments__status__in=ACTIVE_ASSIGNMENT_STATUSES,
            ),
            distinct=True,
        )
    )


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


def proposals_awaiting_review(*, opportunity, now=None) -> QuerySet[Proposal]:
    """Submitted proposals (or under review) whose stage deadline has passed,
    with what the conflict checks read."""
    now = now or timezone.now()
    return (
        Proposal.objects.filter(
            opportunity=opportunity, status__in=ProposalStatus.in_review()
        )
        .filter(
            Q(stage=ProposalStage.LETTER_OF_INTENT, opportunity__loi_deadline__lte=now)
            | Q(stage=ProposalStage.FULL, opportunity__proposal_deadline__lte=now)
        )
        .select_related("principal_investigator", "opportunity")
        .prefetch_related(
            Prefetch("team_members", queryset=TeamMember.objects.order_by("pk"))
        )
        .order_by("pk")
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


def call_statistics(*, opportunity) -> Statistics:
    """`country_statistics` over the call's full-stage ranking, read in one
    query whatever the size of the call: each proposal's country (the
    investigator's in its latest full-stage version, else on their account now)
    and whether it is selected (its decision, else its status)."""
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
    )
    pairs = list(pairs)
    return Statistics(
        countries=scoring.country_summary(pairs), regions=scoring.region_summary(pairs)
    )


@dataclass(frozen=True)
class ManifestInput:
    candidates: tuple[Candidate, ...]
    envelopes: tuple[Envelope, ...]
    unscored: tuple[Proposal, ...]  # no submitted review yet: not a candidate


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def manifest_candidates(
    *, opportunity, rows: list[RankingRow] | None = None
) -> ManifestInput:
    """reviews.manifest's candidates and envelopes for `opportunity`.

    A candidate's score is its weighted mean; its requests (carrier, mass,
    average power — what the envelopes limit — and data volume) and its country
    are read from the snapshot of the version the reviewers scored, so what is
    selected is what was reviewed. Proposals without a submitted review are
    listed apart; proposals with a released decision are not candidates.
    """
    rows = ranking(opportunity=opportunity) if rows is None else rows
    candidates, unscored = [], []
    for row in rows:
        if row.decision is not None and row.decision.is_released:
            continue
        if row.mean is None or row.version is None:
            unscored.append(row.proposal)
            continue
        resources = row.version.snapshot.get("resources", {})
        carrier = resources.get("carrier") or {}
        candidates.append(
            Candidate(
                id=row.proposal.pk,
                score=float(row.mean),
                carrier_id=carrier.get("id"),
                country=_pi_country(row),
                mass_kg=_decimal(resources.get("mass_kg")) or Decimal(0),
                power_w=_decimal(resources.get("power_avg_w")),
                data_mb_per_day=_decimal(resources.get("data_mb_per_day")),
                label=row.proposal.reference,
            )
        )
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
        candidates=tuple(candidates), envelopes=envelopes, unscored=tuple(unscored)
    )


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
    """Per proposal of one page of the ranking (`proposal_ids`), in three
    queries whatever the page: criteria, counted assignments with their
    reviews, scores."""
    weights = dict(
        EvaluationCriterion.objects.filter(opportunity=opportunity).values_list(
            "pk", "weight"
        )
    )
    assignments = (
        ReviewAssignment.objects.filter(
            proposal_id__in=list(proposal_ids),
            stage=stage,
            status=AssignmentStatus.ACCEPTED,
            review__status=ReviewStatus.SUBMITTED,
        )
        .select_related("review")
        .prefetch_related("review__scores")
        .order_by("pk")
    )
    scores: dict[int, list[Decimal]] = {}
    recommendations: dict[int, dict[str, int]] = {}
    for assignment in assignments:
        review = assignment.review
        given = {score.criterion_id: score.score for score in review.scores.all()}
        if given and any(weights.get(criterion) for criterion in given):
            scores.setdefault(assignment.proposal_id, []).append(
                scoring.weighted_score(weights=weights, scores=given).quantize(
                    scoring.PLACES
                )
            )
        counts = recommendations.setdefault(assignment.proposal_id, {})
        counts[review.recommendation] = counts.get(review.recommendation, 0) + 1
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
