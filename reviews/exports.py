"""The ranking of an opportunity as the page shows it and as CSV or XLSX.

`ranking_lines` turns reviews.selectors.standings's rows into what the page and
the exports show: the investigator as submitted (name, institution, country of
the version the reviewers scored, else the account now), the carrier, the
region, and the figures of reviews.scoring. The exports hold one row per
proposal, and the XLSX a second sheet with the statistics by country and
region.

Text a proposer typed could start a spreadsheet formula (`=HYPERLINK(...)`):
every text cell beginning with =, +, -, @, a tab or a carriage return is
prefixed with a single quote, in both formats (proposals.exports.neutralise).
Numbers stay numbers. The ranking names investigators, so only administrators
reach it, dual-anonymous calls included.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries
from openpyxl import Workbook

from proposals.exports import CSV_TYPE, XLSX_TYPE, neutralise
from reviews.enums import DecisionOutcome, Recommendation
from reviews.scoring import Region, region_for
from reviews.selectors import RankingRow, Statistics


@dataclass(frozen=True)
class RankingLine:
    """One proposal of the ranking, with who proposed it as submitted."""

    row: RankingRow
    pi_name: str
    institution: str
    country: str  # ISO alpha-2, or ""
    carrier: str

    @property
    def proposal(self):
        return self.row.proposal

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def region(self) -> str:
        return region_name(region_for(self.country))

    @property
    def review_scores(self) -> tuple[Decimal, ...]:
        return self.row.score.review_scores

    @property
    def recommendations(self) -> list[tuple[str, int]]:
        return [
            (str(Recommendation(value).label), count)
            for value, count in self.row.recommendations
        ]

    @property
    def decision_label(self) -> str:
        decision = self.row.decision
        if decision is None:
            return ""
        return str(DecisionOutcome(decision.outcome).label)


def country_name(code: str) -> str:
    return str(countries.name(code) or code) if code else _("Unknown")


def region_name(region: Region | str | None) -> str:
    return str(Region(region).label) if region else _("No region")


def ranking_lines(rows: Iterable[RankingRow]) -> list[RankingLine]:
    lines = []
    for row in rows:
        proposal = row.proposal
        snapshot = row.version.snapshot if row.version is not None else {}
        pi = snapshot.get("principal_investigator", {})
        carrier = snapshot.get("resources", {}).get("carrier") or {}
        account = proposal.principal_investigator
        lines.append(
            RankingLine(
                row=row,
                pi_name=pi.get("name") or account.get_full_name(),
                institution=pi.get("institution") or account.institution,
                country=pi.get("country") or account.country.code or "",
                carrier=carrier.get("name_en")
                or (proposal.carrier.name if proposal.carrier else ""),
            )
        )
    return lines


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]
    value: Callable[[RankingLine], object]


def _text(value) -> str:
    return "" if value is None else str(value)


COLUMNS = [
    Column(lambda: _("Rank"), lambda line: line.row.rank),
    Column(lambda: _("Reference number"), lambda line: line.proposal.reference),
    Column(lambda: _("Title"), lambda line: line.proposal.title),
    Column(lambda: _("Principal investigator"), lambda line: line.pi_name),
    Column(lambda: _("Institution"), lambda line: line.institution),
    Column(lambda: _("Country"), lambda line: line.country),
    Column(lambda: _("Country name"), lambda line: line.country_name),
    Column(lambda: _("Region"), lambda line: line.region),
    Column(lambda: _("Carrier"), lambda line: line.carrier),
    Column(lambda: _("Reviews submitted"), lambda line: line.row.reviews_submitted),
    Column(lambda: _("Reviews assigned"), lambda line: line.row.reviews_assigned),
    Column(lambda: _("Weighted mean"), lambda line: line.row.mean),
    Column(lambda: _("Median"), lambda line: line.row.median),
    Column(lambda: _("Spread"), lambda line: line.row.spread),
    Column(lambda: _("Standard deviation"), lambda line: line.row.score.std_dev),
    Column(
        lambda: _("Disagreement"),
        lambda line: _("yes") if line.row.disagreement else _("no"),
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
