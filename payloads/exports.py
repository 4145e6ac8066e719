"""The administrators' overview of payloads as CSV or XLSX.

One row per payload of payloads.selectors.overview (late items first), with
the figures the overview's table shows. Text someone typed could start a
spreadsheet formula: every text cell is neutralised as the proposals' export
does (proposals.exports.neutralise). Numbers stay numbers; dates are calendar
days (ISO). The CSV is streamed row by row; the XLSX
is written row by row in openpyxl's write-only mode.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from payloads.models import Payload
from payloads.names import standard_name
from proposals.exports import CSV_TYPE, XLSX_TYPE, neutralise

# The rows are read from the database this many at a time.
CHUNK = 500


def _day(value) -> str:
    return value.isoformat() if value else ""


def _pi(payload: Payload):
    return payload.proposal.principal_investigator


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]
    value: Callable[[Payload], object]


COLUMNS = [
    Column(lambda: _("Payload"), lambda p: p.name),
    Column(lambda: _("Reference number"), lambda p: p.proposal.reference),
    Column(lambda: _("Opportunity"), lambda p: p.opportunity.title),
    Column(lambda: _("Mission"), lambda p: p.opportunity.mission.name),
    Column(lambda: _("Status"), lambda p: p.get_status_display()),
    Column(lambda: _("Carrier"), lambda p: str(p.carrier) if p.carrier else ""),
    Column(lambda: _("Principal investigator"), lambda p: _pi(p).get_full_name()),
    Column(lambda: _("Institution"), lambda p: _pi(p).institution),
    Column(lambda: _("Country"), lambda p: _pi(p).country.code or ""),
    Column(lambda: _("Allocated mass (kg)"), lambda p: p.allocated_mass_kg),
    Column(lambda: _("Allocated power (W)"), lambda p: p.allocated_power_w),
    Column(
        lambda: _("Allocated data (MB per day)"),
        lambda p: p.allocated_data_mb_per_day,
    ),
    Column(lambda: _("Allocated size (mm)"), lambda p: p.allocated_size_mm),
    Column(lambda: _("Late items"), lambda p: p.late_items),
    Column(lambda: _("Conditions"), lambda p: p.conditions_total),
    Column(lambda: _("Open conditions"), lambda p: p.conditions_open),
    Column(lambda: _("Overdue conditions"), lambda p: p.conditions_overdue),
    Column(lambda: _("Agreements signed"), lambda p: p.agreements_signed),
    Column(lambda: _("Agreements"), lambda p: p.agreements_total),
    Column(lambda: _("Next milestone"), lambda p: standard_name(p.next_milestone_name)),
    Column(lambda: _("Next milestone planned"), lambda p: _day(p.next_milestone_date)),
    Column(lambda: _("Late milestones"), lambda p: p.milestones_late),
    Column(lambda: _("Overrun deliveries"), lambda p: p.deliveries_overrun),
]


def headers() -> list[str]:
    return [column.header() for column in COLUMNS]


def cells(payload: Payload) -> list:
    """One payload's cells: text neutralised, numbers kept, None as empty."""
    values = []
    for column in COLUMNS:
        value = column.value(payload)
        values.append("" if value is None else neutralise(value))
    return values


def _each(rows) -> Iterator[Payload]:
    """Every row, fetched in chunks (a QuerySet) or as given."""
    if hasattr(rows, "iterator"):
        return rows.iterator(chunk_size=CHUNK)
    return iter(rows)


def _disposition(filename: str, extension: str) -> str:
    return f'attachment; filename="{filename}.{extension}"'


class _Echo:
    """A file-like object whose write returns what it is given: csv.writer
    formats one row, the response streams it."""

    def write(self, value: str) -> str:
        return value


def csv_rows(rows: Iterable[Payload]) -> Iterator[str]:
    """The CSV, one formatted row at a time, after a byte-order mark so
    spreadsheet programs read Chinese text as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers())
    for payload in _each(rows):
        yield writer.writerow(cells(payload))


def csv_response(rows: Iterable[Payload], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = _disposition(filename, "csv")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _cell(value):
    """Numbers as numbers; lazy strings and the rest as text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float):
        return value
    return str(value)


def xlsx_response(rows: Iterable[Payload], *, filename: str) -> HttpResponse:
    """The rows as XLSX, written row by row (write-only mode keeps no cell in
    memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Payloads")[:31])
    sheet.freeze_panes = "B2"
    sheet.append(headers())
    for payload in _each(rows):
        sheet.append([_cell(value) for value in cells(payload)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename, "xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
