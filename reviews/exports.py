"""The ranking of an opportunity as CSV or XLSX, read from the database a chunk
of proposals at a time.

`ranking_lines` walks reviews.selectors.standings's ranking (its SQL figures:
rank, weighted mean, spread, reviews in and assigned, the disagreement flag),
`CHUNK_SIZE` proposals at a time, and per chunk reads two things more in one
query each: the counted reviews' scores and recommendations (a proposal's
median and standard deviation come from them through reviews.scoring.aggregate,
exactly as the in-memory ranking computed them), and the investigator and
carrier as submitted — the parts of the version of the proposal's latest
assignment at the stage that a line shows, through JSON key transforms, never
whole snapshots. Without a version, or without a part, the account and the
carrier as they are now stand in. So the time and memory of an export grow with
the number of chunks only, and the CSV's first bytes leave before any row is
read. The XLSX has a second sheet with the call's statistics by country and
region (reviews.selectors.panel.call_statistics).

Text a proposer typed could start a spreadsheet formula (`=HYPERLINK(...)`):
every text cell beginning with =, +, -, @, a tab or a carriage return is
prefixed with a single quote, in both formats (proposals.exports.neutralise).
Numbers stay numbers. The ranking names investigators, so only administrators
reach it, dual-anonymous calls included.
"""

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries
from openpyxl import Workbook

from catalogue.models import EvaluationCriterion
from proposals.exports import CSV_TYPE, XLSX_TYPE, neutralise
from proposals.models import ProposalVersion
from reviews import scoring
from reviews.enums import (
    DecisionOutcome,
    Recommendation,
)
from reviews.models import Decision, ReviewAssignment
from reviews.scoring import Region, region_for
from reviews.selectors import Statistics
from reviews.selectors.panel import counted_review_scores

# Proposals read, and reviews and versions looked up, per round trip.
CHUNK_SIZE = 500

# What a line reads of each proposal of the ranking (beside its figures).
LINE_FIELDS = (
    "pk",
    "reference",
    "title",
    "principal_investigator__full_name",
    "principal_investigator__email",
    "principal_investigator__institution",
    "principal_investigator__country",
    # Carrier.name reads the active language's column (modeltranslation):
    # every one of them is loaded, or each line would query its own.
    "carrier__name",
    "carrier__name_en",
    "carrier__name_zh_hans",
    "decision__outcome",
)

# The parts of a version's snapshot a line shows, by JSON path.
SUBMITTED_PARTS = {
    "pi_name": "snapshot__principal_investigator__name",
    "institution": "snapshot__principal_investigator__institution",
    "country": "snapshot__principal_investigator__country",
    "carrier": "snapshot__resources__carrier__name_en",
}


@dataclass(frozen=True)
class RankingLine:
    """One proposal of the ranking, with who proposed it as submitted."""

    rank: int | None
    reference: str
    title: str
    pi_name: str
    institution: str
    country: str  # ISO alpha-2, or ""
    carrier: str
    reviews_submitted: int
    reviews_assigned: int
    mean: Decimal | None
    median: Decimal | None
    spread: Decimal | None
    std_dev: Decimal | None
    disagreement: bool
    review_scores: tuple[Decimal, ...]
    recommendations: tuple[tuple[str, int], ...]  # (label, count)
    decision_label: str
    country_name: str
    region: str
    disagreement_label: str  # yes or no


def country_name(code: str) -> str:
    return str(countries.name(code) or code) if code else _("Unknown")


def region_name(region: Region | str | None) -> str:
    return str(Region(region).label) if region else _("No region")


class _Labels:
    """The translated words of the lines, each looked up once per export (in
    the language active when the export is written): a translation costs more
    than the rest of a cell."""

    def __init__(self):
        self.yes = _("yes")
        self.no = _("no")
        self.recommendations = {
            value: str(label) for value, label in Recommendation.choices
        }
        self.outcomes = {value: str(label) for value, label in DecisionOutcome.choices}
        self._countries: dict[str, tuple[str, str]] = {}

    def country(self, code: str) -> tuple[str, str]:
        """(country name, region name) of an ISO alpha-2 code or ""."""
        if code not in self._countries:
            self._countries[code] = (
                country_name(code),
                region_name(region_for(code)),
            )
        return self._countries[code]


def ranking_lines(
    rows: QuerySet, *, opportunity, stage: str, chunk_size: int | None = None
) -> Iterator[RankingLine]:
    """The lines of `rows` (reviews.selectors.standings.ranking_rows of
    `opportunity` at `stage`, ordered), read lazily: one query for the
    criteria, one for the rows (a server-side cursor on PostgreSQL), then two
    per `chunk_size` proposals (`CHUNK_SIZE` unless given)."""
    chunk_size = chunk_size or CHUNK_SIZE
    weights = dict(
        EvaluationCriterion.objects.filter(opportunity=opportunity).values_list(
            "pk", "weight"
        )
    )
    labels = _Labels()
    proposals = rows.only(*LINE_FIELDS).iterator(chunk_size=chunk_size)
    while chunk := list(islice(proposals, chunk_size)):
        proposal_ids = [proposal.pk for proposal in chunk]
        reviews = counted_review_scores(proposal_ids, stage=stage)
        submitted = _submitted_parts(proposal_ids, stage=stage)
        for proposal in chunk:
            yield _line(
                proposal,
                weights=weights,
                reviews=reviews.get(proposal.pk, []),
                submitted=submitted.get(proposal.pk, {}),
                labels=labels,
            )


def _submitted_parts(proposal_ids, *, stage: str) -> dict[int, dict]:
    """Per proposal, the investigator and carrier of the version of its latest
    assignment at the stage, in one query; absent without an assignment."""
    latest = (
        ReviewAssignment.objects.filter(
            proposal_id=OuterRef("proposal_id"), stage=stage
        )
        .order_by("-pk")
        .values("version_id")[:1]
    )
    parts = {name: KT(path) for name, path in SUBMITTED_PARTS.items()}
    return {
        row["proposal_id"]: row
        for row in ProposalVersion.objects.filter(
            proposal_id__in=proposal_ids, pk=Subquery(latest)
        )
        .order_by()  # not the versions' default order, a join and a sort
        .values("proposal_id", **parts)
    }


def _line(proposal, *, weights, reviews, submitted, labels: _Labels) -> RankingLine:
    account = proposal.principal_investigator
    scored = [
        given
        for _recommendation, given in reviews
        if any(weights.get(criterion) for criterion in given)
    ]
    score = scoring.aggregate(proposal_id=proposal.pk, weights=weights, reviews=scored)
    counts = Counter(recommendation for recommendation, _given in reviews)
    country = submitted.get("country") or account.country.code or ""
    country_label, region_label = labels.country(country)
    try:
        outcome = proposal.decision.outcome
    except Decision.DoesNotExist:
        outcome = None
    return RankingLine(
        rank=proposal.rank_mean,
        reference=proposal.reference,
        title=proposal.title,
        pi_name=submitted.get("pi_name") or account.get_full_name(),
        institution=submitted.get("institution") or account.institution,
        country=country,
        carrier=submitted.get("carrier")
        or (proposal.carrier.name if proposal.carrier else ""),
        reviews_submitted=proposal.reviews_in,
        reviews_assigned=proposal.reviews_assigned,
        mean=proposal.weighted_mean,
        median=score.median,
        spread=proposal.spread,
        std_dev=score.std_dev,
        disagreement=proposal.disagreement,
        review_scores=score.review_scores,
        recommendations=tuple(
            (label, counts[value])
            for value, label in labels.recommendations.items()
            if value in counts
        ),
        decision_label="" if outcome is None else labels.outcomes[outcome],
        country_name=country_label,
        region=region_label,
        disagreement_label=labels.yes if proposal.disagreement else labels.no,
    )


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]
    value: Callable[[RankingLine], object]


def _text(value) -> str:
    return "" if value is None else str(value)


COLUMNS = [
    Column(lambda: _("Rank"), lambda line: line.rank),
    Column(lambda: _("Reference number"), lambda line: line.reference),
    Column(lambda: _("Title"), lambda line: line.title),
    Column(lambda: _("Principal investigator"), lambda line: line.pi_name),
    Column(lambda: _("Institution"), lambda line: line.institution),
    Column(lambda: _("Country"), lambda line: line.country),
    Column(lambda: _("Country name"), lambda line: line.country_name),
    Column(lambda: _("Region"), lambda line: line.region),
    Column(lambda: _("Carrier"), lambda line: line.carrier),
    Column(lambda: _("Reviews submitted"), lambda line: line.reviews_submitted),
    Column(lambda: _("Reviews assigned"), lambda line: line.reviews_assigned),
    Column(lambda: _("Weighted mean"), lambda line: line.mean),
    Column(lambda: _("Median"), lambda line: line.median),
    Column(lambda: _("Spread"), lambda line: line.spread),
    Column(lambda: _("Standard deviation"), lambda line: line.std_dev),
    Column(
        lambda: _("Disagreement"),
        lambda line: line.disagreement_label,
    ),
    Column(
        lambda: _("Review scores"),
        lambda line: "; ".join(str(score) for score in line.review_scores),
    ),
    Column(
        lambda: _("Recommendations"),
        lambda line: "; ".join(f"{label}: {n}" for label, n in line.recommendations),
    ),
    Column(lambda: _("Decision"), lambda line: line.decision_label),
]


def headers() -> list[str]:
    return [column.header() for column in COLUMNS]


def cells(line: RankingLine) -> list:
    """One line's cells, text neutralised, numbers kept, None as empty."""
    values = []
    for column in COLUMNS:
        value = column.value(line)
        values.append("" if value is None else neutralise(value))
    return values


def statistics_rows(statistics: Statistics) -> list[list]:
    """(kind, name, proposals, selected, selected %) by country then region."""
    rows = [
        [
            _("Country"),
            neutralise(country_name(tally.key)),
            tally.proposals,
            tally.selected,
            tally.selected_percent,
        ]
        for tally in statistics.countries
    ]
    rows += [
        [
            _("Region"),
            region_name(tally.key),
            tally.proposals,
            tally.selected,
            tally.selected_percent,
        ]
        for tally in statistics.regions
    ]
    return rows


def statistics_headers() -> list[str]:
    return [
        pgettext("statistics column: by country or by region", "By"),
        pgettext("statistics column: name of the country or region", "Name"),
        _("Proposals"),
        _("Selected"),
        _("Selected (%)"),
    ]


def _disposition(filename: str, extension: str) -> str:
    return f'attachment; filename="{filename}.{extension}"'


class _Echo:
    """A file-like object whose write returns what it is given: csv.writer
    formats one row, the response streams it."""

    def write(self, value: str) -> str:
        return value


def csv_rows(lines: Iterable[RankingLine]) -> Iterator[str]:
    """The CSV, one formatted row at a time, after a byte-order mark so
    spreadsheet programs read the Chinese text as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers())
    for line in lines:
        yield writer.writerow(cells(line))


def csv_response(
    lines: Iterable[RankingLine], *, filename: str
) -> StreamingHttpResponse:
    """The ranking as CSV, streamed row by row."""
    response = StreamingHttpResponse(csv_rows(lines), content_type=CSV_TYPE)
    response["Content-Disposition"] = _disposition(filename, "csv")
    return response


def xlsx_response(
    lines: Iterable[RankingLine], statistics: Statistics, *, filename: str
) -> HttpResponse:
    """The ranking and its statistics as XLSX, written row by row
    (openpyxl's write-only mode keeps no cell in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ranking")[:31])
    sheet.freeze_panes = "C2"
    sheet.append(headers())
    for line in lines:
        sheet.append([_cell(value) for value in cells(line)])
    stats = workbook.create_sheet(_("Statistics")[:31])
    stats.append(statistics_headers())
    for row in statistics_rows(statistics):
        stats.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename, "xlsx")
    return response


def _cell(value):
    """Decimals as numbers; lazy strings and the rest as text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float):
        return value
    return _text(value)
