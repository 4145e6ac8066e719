"""The ranking of a call at one stage, computed in the database so a page shows
one page of it in one query whatever the number of proposals.

`ranking_rows` is a QuerySet of Proposal annotated with each proposal's figures
(see its docstring); the caller sorts it (`RANKING_SORTS`), filters it and
paginates it like any other. `ranking_summary` gives the counts a page header
shows. The figures are those of reviews.scoring (its functions are their
reference and the tests compare both): weighted means and spreads rounded to
0.01, ranks on the rounded figures, ESO's normalised scores, the disagreement
flag and the triage line of the call's Panel.

How: the ORM cannot join a query to a grouped derived table, and the normalised
score needs one (every reviewer's mean and deviation over the whole call, then a
mean per proposal, then ranks over every proposal). So the figures are one
documented SQL statement (`_FIGURES_SQL`, standard SQL that PostgreSQL and
SQLite both run: window functions, CTEs; SQRT is registered by Django on SQLite),
left-joined to the Proposal query as the alias `ranking_figures` by `_FiguresJoin`;
each figure is an ordinary column expression of the query, so `filter`,
`order_by`, `count`, slicing and use as a subquery work as usual. Ranks, the
triage line and the flags are computed inside that statement over the whole
ranked set: filtering the QuerySet does not renumber them. Its rows are grouped
by proposal, so PostgreSQL drops the join where no figure is used (an
unfiltered `count()`). PostgreSQL plans it with hash joins once its tables have
statistics; right after a bulk load, run ANALYZE (autovacuum does it soon
after) or it may nest loops over every pair of rows.

The statement runs once per change, not once per page: its rows are kept as a
RankingFigureSet (reviews.models.standings explains the versions), made by the
first reader after a change (`figure_set_id`), and the join reads that set. A
page costs one small query to find the set, then its own queries.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.datastructures import Join

from catalogue.models import EvaluationCriterion
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, ReviewStatus
from reviews.models import (
    Panel,
    RankingFigures,
    RankingFigureSet,
    RankingState,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from reviews.selectors.panel import FULL_STAGE_REVIEWED, LETTER_STAGE_REVIEWED

# Sort keys a ranking page offers, each an `order_by` tuple: best first, proposals
# without a figure last, ties by proposal id (as reviews.selectors.panel.ranking).
RANKING_SORTS = {
    "rank_mean": (F("rank_mean").asc(nulls_last=True), "pk"),
    "rank_normalised": (F("rank_normalised").asc(nulls_last=True), "pk"),
    "weighted_mean": (F("weighted_mean").desc(nulls_last=True), "pk"),
    "normalised": (F("normalised").desc(nulls_last=True), "pk"),
    "spread": (F("spread").desc(nulls_last=True), "pk"),
    "reference": ("reference", "pk"),
}

# Half a step of the last float digit is far below any difference between two
# weighted scores (weights have two decimals): adding it, away from zero, makes
# SQLite's float ROUND round exact halves up like Decimal's ROUND_HALF_UP (and
# PostgreSQL's numeric round, which it leaves unchanged).
_NUDGE = "0.000000001"


def _round(expression: str) -> str:
    return (
        f"ROUND({expression} + CASE WHEN {expression} < 0 "
        f"THEN -{_NUDGE} ELSE {_NUDGE} END, 2)"
    )


_TABLES = {
    "review": Review._meta.db_table,
    "assignment": ReviewAssignment._meta.db_table,
    "proposal": Proposal._meta.db_table,
    "score": ReviewScore._meta.db_table,
    "criterion": EvaluationCriterion._meta.db_table,
    "panel": Panel._meta.db_table,
}

# One row per proposal of the call with an assignment at the stage. Parameters,
# in order: see _figures_params. Table names come from the models' Meta.
_FIGURES_TEMPLATE = """
WITH counted AS (
    -- each counted review (submitted, on an accepted assignment at the stage,
    -- of a proposal not withdrawn): its weighted score Σw·s / Σw over the
    -- criteria of this call it scored
    SELECT a.proposal_id, a.reviewer_id,
           SUM(c.weight * s.score) * 1.0 / SUM(c.weight) AS score
    FROM {review} r
    JOIN {assignment} a ON a.id = r.assignment_id
    JOIN {proposal} p ON p.id = a.proposal_id
    JOIN {score} s ON s.review_id = r.id
    JOIN {criterion} c
      ON c.id = s.criterion_id AND c.opportunity_id = p.opportunity_id
    WHERE p.opportunity_id = %s AND p.status <> %s
      AND a.stage = %s AND %s = a.status AND %s = r.status
    GROUP BY r.id, a.proposal_id, a.reviewer_id
),
reviewer_means AS (
    SELECT proposal_id, reviewer_id, score,
           AVG(score) OVER (PARTITION BY reviewer_id) AS reviewer_mean,
           COUNT(*) OVER (PARTITION BY reviewer_id) AS reviewer_reviews
    FROM counted
),
reviewer_deviations AS (
    -- the reviewer's population standard deviation over the call and stage
    SELECT proposal_id, score, reviewer_mean, reviewer_reviews,
           SQRT(AVG((score - reviewer_mean) * (score - reviewer_mean))
                OVER (PARTITION BY reviewer_id)) AS reviewer_sd
    FROM reviewer_means
),
standardised AS (
    -- z-score; 0 for a reviewer with one review or no spread
    SELECT proposal_id, score,
           CASE WHEN reviewer_reviews > 1 AND reviewer_sd > {nudge}
                THEN (score - reviewer_mean) / reviewer_sd ELSE 0 END AS z
    FROM reviewer_deviations
),
per_proposal AS (
    SELECT proposal_id,
           AVG(score) AS weighted_mean,
           AVG(z) AS normalised,
           MAX(score) - MIN(score) AS spread
    FROM standardised
    GROUP BY proposal_id
),
rounded AS (
    SELECT proposal_id,
           {round_mean} AS weighted_mean,
           {round_normalised} AS normalised,
           {round_spread} AS spread
    FROM per_proposal
),
ranked AS (
    -- standard competition ranks (1, 2, 2, 4) over every scored proposal
    SELECT proposal_id, weighted_mean, normalised, spread,
           RANK() OVER (ORDER BY weighted_mean DESC) AS rank_mean,
           RANK() OVER (ORDER BY normalised DESC) AS rank_normalised,
           COUNT(*) OVER () AS scored
    FROM rounded
),
assigned AS (
    -- reviews_assigned: invited or accepted assignments at the stage;
    -- reviews_in: submitted reviews on accepted assignments
    SELECT a.proposal_id,
           SUM(CASE WHEN a.status IN ({active}) THEN 1 ELSE 0 END)
               AS reviews_assigned,
           SUM(CASE WHEN %s = a.status AND %s = r.status THEN 1 ELSE 0 END)
               AS reviews_in
    FROM {assignment} a
    JOIN {proposal} p ON p.id = a.proposal_id
    LEFT JOIN {review} r ON r.assignment_id = a.id
    WHERE p.opportunity_id = %s AND a.stage = %s
    GROUP BY a.proposal_id
)
-- Grouped by proposal_id (one row each already) so that PostgreSQL can see the
-- rows are unique and drop this join where no figure is used (a page's count).
SELECT assigned.proposal_id,
       MAX(assigned.reviews_in) AS reviews_in,
       MAX(assigned.reviews_assigned) AS reviews_assigned,
       CAST(MAX(CASE WHEN assigned.reviews_in < assigned.reviews_assigned
                     THEN 1 ELSE 0 END) AS BOOLEAN) AS incomplete,
       MAX(ranked.weighted_mean) AS weighted_mean,
       MAX(ranked.normalised) AS normalised,
       MAX(ranked.spread) AS spread,
       MAX(ranked.rank_mean) AS rank_mean,
       MAX(ranked.rank_normalised) AS rank_normalised,
       CAST(MAX(CASE WHEN ranked.spread
                          >= COALESCE(panel.disagreement_threshold, {threshold})
                     THEN 1 ELSE 0 END) AS BOOLEAN) AS disagreement,
       CAST(MAX(CASE WHEN panel.triage_percent IS NOT NULL
                          AND ranked.rank_normalised
                              > (ranked.scored * (100 - panel.triage_percent) + 99)
                                / 100
                     THEN 1 ELSE 0 END) AS BOOLEAN) AS triaged
FROM assigned
LEFT JOIN ranked ON ranked.proposal_id = assigned.proposal_id
LEFT JOIN {panel} panel ON panel.opportunity_id = %s
GROUP BY assigned.proposal_id
"""
# Formats in table names and constants only: every value is a parameter.
_FIGURES_SQL = _FIGURES_TEMPLATE.format(
    **_TABLES,
    nudge=_NUDGE,
    round_mean=_round("weighted_mean"),
    round_normalised=_round("normalised"),
    round_spread=_round("spread"),
    threshold=Panel._meta.get_field("disagreement_threshold").default,
    active=", ".join(["%s"] * len(ACTIVE_ASSIGNMENT_STATUSES)),
)


def _figures_params(opportunity, stage: str) -> tuple:
    accepted = AssignmentStatus.ACCEPTED
    return (
        opportunity.pk,
        ProposalStatus.WITHDRAWN,
        stage,
        accepted,
        ReviewStatus.SUBMITTED,
        *sorted(ACTIVE_ASSIGNMENT_STATUSES),
        accepted,
        ReviewStatus.SUBMITTED,
        opportunity.pk,
        stage,
        opportunity.pk,
    )


# The figures' columns, in the statement's order and RankingFigures' names.
_COLUMNS = (
    "proposal_id",
    "reviews_in",
    "reviews_assigned",
    "incomplete",
    "weighted_mean",
    "normalised",
    "spread",
    "rank_mean",
    "rank_normalised",
    "disagreement",
    "triaged",
)


def _kept_sql() -> str:
    # Names from the model and _COLUMNS only: the set's id is a parameter.
    columns = ", ".join(_COLUMNS)
    table = RankingFigures._meta.db_table
    return f"SELECT {columns} FROM {table} WHERE figure_set_id = %s"  # noqa: S608


def figure_set_id(*, opportunity, stage: str = ProposalStage.FULL) -> int:
    """The id of the RankingFigureSet of `opportunity` at `stage` as of its
    current version: one query when it exists; otherwise the figures statement
    runs once and its rows are kept (and older sets of the call and stage
    removed). Two readers computing at once make one set: the second waits on
    the unique constraint and reads the first's."""
    found = (
        RankingState.objects.filter(opportunity_id=opportunity.pk)
        .annotate(
            set_id=Subquery(
                RankingFigureSet.objects.filter(
                    opportunity_id=OuterRef("opportunity_id"),
                    stage=stage,
                    version=OuterRef("version"),
                ).values("pk")[:1]
            )
        )
        .values_list("set_id", flat=True)
        .first()
    )
    return found if found is not None else _keep_figures(opportunity, stage)


def _keep_figures(opportunity, stage: str) -> int:
    RankingState.objects.get_or_create(opportunity_id=opportunity.pk)
    with transaction.atomic():
        # The version is read before the figures: a change committed in
        # between leaves this set under an older version, never the reverse.
        version = RankingState.objects.values_list("version", flat=True).get(
            opportunity_id=opportunity.pk
        )
        try:
            with transaction.atomic():
                figure_set = RankingFigureSet.objects.create(
                    opportunity_id=opportunity.pk, stage=stage, version=version
                )
        except IntegrityError:
            return RankingFigureSet.objects.values_list("pk", flat=True).get(
                opportunity_id=opportunity.pk, stage=stage, version=version
            )
        columns = ", ".join(_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {RankingFigures._meta.db_table} "  # noqa: S608
                f"(figure_set_id, {columns}) "
                f"SELECT %s, {columns} FROM ({_FIGURES_SQL}) figures",
                (figure_set.pk, *_figures_params(opportunity, stage)),
            )
        RankingFigureSet.objects.filter(
            opportunity_id=opportunity.pk, stage=stage, version__lt=version
        ).delete()
    return figure_set.pk


def ranking_changed(*, opportunity_ids) -> None:
    """Raise the ranking version of these calls: their kept figures are out of
    date from the writer's commit on. reviews.signals calls it for every save
    and deletion that the figures read; a bulk update calls it itself."""
    RankingState.objects.filter(opportunity_id__in=opportunity_ids).update(
        version=F("version") + 1
    )


class _FiguresJoin(Join):
    """LEFT OUTER JOIN (<kept figures>) ranking_figures ON ranking_figures.
    proposal_id = <the proposal's alias>.id — an entry of Query.alias_map (see
    django.db.models.sql.datastructures.Join for what one provides) whose table
    is a derived table. Relabelled like any join when the query becomes a
    subquery."""

    def __init__(self, sql, params, parent_alias, table_alias=None):
        self.table_name = "ranking_figures"
        self.parent_alias = parent_alias
        self.table_alias = table_alias
        self.join_type = LOUTER
        self.join_field = None
        self.nullable = True
        self.filtered_relation = None
        self.sql = sql
        self.params = tuple(params)

    def as_sql(self, compiler, connection):
        qn = compiler.quote_name_unless_alias
        alias = qn(self.table_alias)
        on = f"{alias}.proposal_id = {qn(self.parent_alias)}.{qn('id')}"
        return f"{self.join_type} ({self.sql}) {alias} ON ({on})", self.params

    def relabeled_clone(self, change_map):
        clone = self.__class__(
            self.sql,
            self.params,
            change_map.get(self.parent_alias, self.parent_alias),
            change_map.get(self.table_alias, self.table_alias),
        )
        clone.join_type = self.join_type
        return clone

    @property
    def identity(self):
        return (self.__class__, self.sql, self.params, self.parent_alias)


class _Figure(Expression):
    """A column of the `ranking_figures` derived table, relabelled with it."""

    def __init__(self, alias: str, column: str, output_field):
        super().__init__(output_field=output_field)
        self.alias = alias
        self.column = column

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(self.alias)
        return f"{alias}.{connection.ops.quote_name(self.column)}", []

    def relabeled_clone(self, change_map):
        return self.__class__(
            change_map.get(self.alias, self.alias), self.column, self.output_field
        )

    def get_group_by_cols(self):
        return [self]

    def get_db_converters(self, connection):
        # SQLite hands a computed decimal back with 15 digits (4.40000000000000):
        # every backend gives the field's own places.
        return [*super().get_db_converters(connection), self._to_places]

    def _to_places(self, value, expression, connection):
        places = getattr(self.output_field, "decimal_places", None)
        if value is None or places is None:
            return value
        return Decimal(value).quantize(Decimal(1).scaleb(-places))


def _figure(alias: str, column: str, output_field) -> _Figure:
    return _Figure(alias, column, output_field)


def _score_field():
    return DecimalField(max_digits=8, decimal_places=2)


def ranked_proposals(*, opportunity, stage: str = ProposalStage.FULL) -> QuerySet:
    """The proposals ranked at `stage` (the set of reviews.selectors.standings):
    those at the stage in a reviewed status, and any assigned at the stage;
    never a withdrawn one."""
    statuses = (
        FULL_STAGE_REVIEWED if stage == ProposalStage.FULL else LETTER_STAGE_REVIEWED
    )
    assigned_at_stage = ReviewAssignment.objects.filter(
        proposal__opportunity=opportunity, stage=stage
    ).values("proposal_id")
    return (
        Proposal.objects.filter(opportunity=opportunity)
        .filter(Q(stage=stage, status__in=statuses) | Q(pk__in=assigned_at_stage))
        .exclude(status=ProposalStatus.WITHDRAWN)
    )


def ranking_rows(
    *, opportunity, stage: str = ProposalStage.FULL, figure_set: int | None = None
) -> QuerySet:
    """Every proposal ranked at `stage`, with its investigator, carrier and
    decision, annotated in SQL with:

    - `weighted_mean`: mean over its counted reviews (submitted, assignment
      accepted) of each review's weighted score Σw·s / Σw, rounded to 0.01;
    - `normalised`: mean of its reviews' z-scores, each reviewer's weighted
      scores over the call and stage standardised (population deviation; 0 for
      a reviewer with one review or no spread), rounded to 0.01;
    - `spread`: highest minus lowest weighted score, rounded to 0.01;
    - `reviews_in` (counted reviews), `reviews_assigned` (invited or accepted
      assignments at the stage), `incomplete` (reviews_in < reviews_assigned);
    - `rank_mean`, `rank_normalised`: standard competition ranks (1, 2, 2, 4)
      over the scored proposals, on the rounded figures;
    - `disagreement`: spread ≥ the call's Panel.disagreement_threshold (1.50
      without a Panel);
    - `triaged`: with Panel.triage_percent N set, rank_normalised >
      ceil(scored × (100 − N) / 100) (reviews.scoring.triage_cut).

    Proposals without a counted review have None figures and ranks and are
    neither flagged nor triaged. Ordered by rank_mean (unranked last), then id;
    `RANKING_SORTS` lists the other orders. One query for any slice, after
    `figure_set_id`'s one (which computes the figures after a change); a page
    that reads the ranking more than once looks the set up once and passes it
    as `figure_set`.
    """
    if figure_set is None:
        figure_set = figure_set_id(opportunity=opportunity, stage=stage)
    queryset = ranked_proposals(opportunity=opportunity, stage=stage).select_related(
        "principal_investigator", "carrier", "decision"
    )
    query = queryset.query
    alias = query.join(
        _FiguresJoin(
            _kept_sql(),
            (figure_set,),
            query.get_initial_alias(),
        )
    )
    return queryset.annotate(
        weighted_mean=_figure(alias, "weighted_mean", _score_field()),
        normalised=_figure(alias, "normalised", _score_field()),
        spread=_figure(alias, "spread", _score_field()),
        reviews_in=Coalesce(_figure(alias, "reviews_in", IntegerField()), 0),
        reviews_assigned=Coalesce(
            _figure(alias, "reviews_assigned", IntegerField()), 0
        ),
        incomplete=Coalesce(_figure(alias, "incomplete", BooleanField()), Value(False)),
        rank_mean=_figure(alias, "rank_mean", IntegerField()),
        rank_normalised=_figure(alias, "rank_normalised", IntegerField()),
        disagreement=Coalesce(
            _figure(alias, "disagreement", BooleanField()), Value(False)
        ),
        triaged=Coalesce(_figure(alias, "triaged", BooleanField()), Value(False)),
    ).order_by(*RANKING_SORTS["rank_mean"])


@dataclass(frozen=True)
class RankingSummary:
    """The counts over a call's ranking at one stage, for a page's header."""

    proposals: int
    scored: int
    reviews_in: int
    reviews_assigned: int
    incomplete: int
    disagreements: int
    triaged: int

    @property
    def reviews_outstanding(self) -> int:
        return self.reviews_assigned - self.reviews_in


def ranking_summary(
    *, opportunity, stage: str = ProposalStage.FULL, figure_set: int | None = None
) -> RankingSummary:
    """Proposals ranked, scored, reviews in and assigned, incomplete proposals,
    disagreements and triaged proposals, in one query (after the set's, unless
    `figure_set` is given: see ranking_rows)."""
    counts = (
        ranking_rows(opportunity=opportunity, stage=stage, figure_set=figure_set)
        .order_by()
        .aggregate(
            proposals=Count("pk"),
            scored=Count("pk", filter=Q(weighted_mean__isnull=False)),
            reviews_in=Sum("reviews_in"),
            reviews_assigned=Sum("reviews_assigned"),
            incomplete=Count("pk", filter=Q(incomplete=True)),
            disagreements=Count("pk", filter=Q(disagreement=True)),
            triaged=Count("pk", filter=Q(triaged=True)),
        )
    )
    return RankingSummary(**{key: value or 0 for key, value in counts.items()})
