"""The administrators' export of proposals, as CSV or XLSX (openpyxl).

One row per proposal: its reference, status, team, resources and dates. Text a
proposer typed could start a spreadsheet formula (`=HYPERLINK(...)`,
`@SUM(...)`, `+cmd|...`): every text cell beginning with =, +, -, @, a tab or a
carriage return is prefixed with a single quote, in both formats. Numbers stay
numbers. Moments are given in Beijing time, as the portal shows them.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from proposals.models import Proposal, ProposalDocument, TeamMember

BEIJING = ZoneInfo("Asia/Shanghai")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A text cell a spreadsheet will show, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def _moment(value) -> str:
    if value is None:
        return ""
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _size(proposal: Proposal) -> str:
    sides = proposal.size_mm
    return "" if sides is None else " × ".join(str(side) for side in sides)


def _team(proposal: Proposal) -> str:
    return "; ".join(
        f"{member.name} ({member.get_role_display()}, {member.institution}, "
        f"{member.country.code})"
        for member in proposal.team_members.all()
    )


def _current_documents(proposal: Proposal) -> int:
    return sum(1 for doc in proposal.documents.all() if doc.replaced_at is None)


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Proposal], object]


COLUMNS = [
    Column(_("Reference number"), lambda p: p.reference),
    Column(_("Title"), lambda p: p.title),
    Column(_("Stage"), lambda p: p.get_stage_display()),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Opportunity"), lambda p: p.opportunity.title),
    Column(_("Principal investigator"), lambda p: p.principal_investigator.full_name),
    Column(_("Email"), lambda p: p.principal_investigator.email),
    Column(_("Institution"), lambda p: p.principal_investigator.institution),
    Column(_("Country"), lambda p: p.principal_investigator.country.code or ""),
    Column(_("Team members"), lambda p: len(p.team_members.all())),
    Column(
        _("Confirmed members"),
        lambda p: sum(1 for m in p.team_members.all() if m.is_confirmed),
    ),
    Column(_("Team"), _team),
    Column(_("Carrier"), lambda p: p.carrier.name if p.carrier else ""),
    Column(_("Mass (kg)"), lambda p: p.mass_kg),
    Column(_("Average power (W)"), lambda p: p.power_avg_w),
    Column(_("Peak power (W)"), lambda p: p.power_peak_w),
    Column(_("Data (MB per day)"), lambda p: p.data_mb_per_day),
    Column(_("Size (mm)"), _size),
    Column(_("TRL"), lambda p: p.trl),
    Column(_("Keywords"), lambda p: p.keywords),
    Column(_("Abstract"), lambda p: p.abstract),
    Column(_("Documents"), _current_documents),
    Column(_("Last submitted (Beijing time)"), lambda p: _moment(p.submitted_at)),
    Column(_("Last saved (Beijing time)"), lambda p: _moment(p.updated_at)),
]


def for_export(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """The proposals with everything a row reads: a fixed number of queries."""
    return queryset.select_related(
        "opportunity", "principal_investigator", "carrier"
    ).prefetch_related(
        Prefetch("team_members", queryset=TeamMember.objects.order_by("pk")),
        Prefetch(
            "documents",
            queryset=ProposalDocument.objects.only("pk", "proposal_id", "replaced_at"),
        ),
    )


def headers() -> list[str]:
    return [str(column.header) for column in COLUMNS]


def rows(proposals: Iterable[Proposal]) -> Iterator[list]:
    for proposal in proposals:
        yield [neutralise(column.value(proposal)) for column in COLUMNS]


def write_csv(proposals: Iterable[Proposal], stream) -> None:
    writer = csv.writer(stream)
    writer.writerow(headers())
    for row in rows(proposals):
        writer.writerow(["" if value is None else value for value in row])


def xlsx_bytes(proposals: Iterable[Proposal], *, title: str = "") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or str(_("Proposals")))[:31])
    sheet.append(headers())
    for row in rows(proposals):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _download(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(queryset: QuerySet[Proposal], *, filename: str) -> HttpResponse:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Chinese right."""
    stream = io.StringIO()
    stream.write("\ufeff")
    write_csv(for_export(queryset), stream)
    return _download(
        stream.getvalue().encode(), content_type=CSV_TYPE, filename=f"{filename}.csv"
    )


def xlsx_response(queryset: QuerySet[Proposal], *, filename: str) -> HttpResponse:
    return _download(
        xlsx_bytes(for_export(queryset)),
        content_type=XLSX_TYPE,
        filename=f"{filename}.xlsx",
    )
