"""The real calls' required agreements, the milestones whose dates
DOMAIN-FACTS gives, and their published lists of selected payloads."""

from dataclasses import dataclass
from datetime import date

from catalogue.models import Opportunity
from catalogue.seed.upsert import SeedReport, beijing, sync_row
from payloads.enums import MilestoneKind, Side
from payloads.models import (
    CallAgreement,
    CallMilestone,
    SelectionEntry,
    SelectionList,
)

# --- the real calls -----------------------------------------------------------------

# The agreements a selected payload signs, as the portal proposes them: CNSA
# published no call's list, and the descriptions say so.
STANDARD_AGREEMENTS: list[tuple[str, str]] = [
    (
        "Implementing agreement",
        "Between CNSA and the partner's agency or institution: carriage, funding "
        "and responsibilities.",
    ),
    (
        "Interface control document",
        "The payload's mechanical, electrical, thermal and data interfaces with "
        "its carrier.",
    ),
    (
        "Export licence",
        "The licence of the partner's country for sending the hardware to China, "
        "where one is needed.",
    ),
    (
        "Data policy",
        "How the payload's data are shared between the team, CNSA and the Chinese "
        "science community.",
    ),
]
STANDARD_NOTE = " (The portal's standard set: the call's own list is not published.)"


@dataclass(frozen=True)
class PublicEntry:
    """One line of a public selection list: what DOMAIN-FACTS.md says."""

    title: str
    lead_institution: str
    country: str


@dataclass(frozen=True)
class PublicSelection:
    """A real call's published list, and the milestones whose dates are known."""

    slug: str
    published_at: date
    entries: tuple[PublicEntry, ...]
    milestones: tuple[tuple[str, str, date, str], ...] = ()  # kind, name, date, side


NAME_NOT_GIVEN = "name not given in the portal's sources"

PUBLIC_SELECTIONS: list[PublicSelection] = [
    PublicSelection(
        slug="chang-e-6-payloads-2019",
        # No announcement date is recorded; the four were public by the launch.
        published_at=date(2024, 5, 3),
        entries=(
            PublicEntry("DORN radon detector (lander, 4.5 kg)", "France", "FR"),
            PublicEntry("NILS negative-ion analyser (lander)", "ESA / Sweden", "SE"),
            PublicEntry(
                "INRRI laser retroreflector (lander, about 50 g)", "Italy", "IT"
            ),
            PublicEntry("ICUBE-Q cubesat (orbiter, about 7 kg)", "Pakistan", "PK"),
        ),
        milestones=(
            (MilestoneKind.LAUNCH, "Launch", date(2024, 5, 3), Side.CNSA),
            (MilestoneKind.LANDING, "Landing", date(2024, 6, 2), Side.CNSA),
        ),
    ),
    PublicSelection(
        slug="chang-e-7-payloads-2022",
        # Announced on 24 April 2024; the launch is "about 2026", no date.
        published_at=date(2024, 4, 24),
        entries=(
            PublicEntry(
                f"Joint payload of Egypt and Bahrain ({NAME_NOT_GIVEN})",
                "Egypt with Bahrain",
                "EG",
            ),
            PublicEntry(f"Payload from Italy ({NAME_NOT_GIVEN})", "Italy", "IT"),
            PublicEntry(f"Payload from Russia ({NAME_NOT_GIVEN})", "Russia", "RU"),
            PublicEntry(
                f"Payload from Switzerland ({NAME_NOT_GIVEN})", "Switzerland", "CH"
            ),
            PublicEntry(f"Payload from Thailand ({NAME_NOT_GIVEN})", "Thailand", "TH"),
            # An international organisation: DOMAIN-FACTS gives no country.
            PublicEntry(
                f"Payload from the ILOA ({NAME_NOT_GIVEN})",
                "International Lunar Observatory Association (ILOA)",
                "",
            ),
        ),
    ),
]


def sync_agreement_requirements(
    opportunity: Opportunity,
    rows: list[tuple[str, str]],
    *,
    note: str = "",
    report: SeedReport,
) -> None:
    for order, (name, description) in enumerate(rows, start=1):
        sync_row(
            CallAgreement,
            lookup={"opportunity": opportunity, "order": order},
            values={"name": name, "description": description + note},
            report=report,
        )


def sync_milestone_template(
    opportunity: Opportunity, rows, *, report: SeedReport
) -> None:
    for order, (kind, name, planned, side) in enumerate(rows, start=1):
        sync_row(
            CallMilestone,
            lookup={"opportunity": opportunity, "order": order},
            values={
                "kind": kind,
                "name": name,
                "planned_date": planned,
                "responsible": side,
            },
            report=report,
        )


def sync_public_selection(spec: PublicSelection, *, report: SeedReport) -> None:
    opportunity = Opportunity.objects.get(slug=spec.slug)
    sync_agreement_requirements(
        opportunity, STANDARD_AGREEMENTS, note=STANDARD_NOTE, report=report
    )
    sync_milestone_template(opportunity, spec.milestones, report=report)
    selection = sync_row(
        SelectionList,
        lookup={"opportunity": opportunity},
        values={"published_at": beijing(spec.published_at)},
        report=report,
    )
    for order, entry in enumerate(spec.entries, start=1):
        sync_row(
            SelectionEntry,
            lookup={"selection_list": selection, "order": order},
            values={
                "payload": None,
                "title": entry.title,
                "lead_institution": entry.lead_institution,
                "country": entry.country,
            },
            report=report,
        )


def seed_selection_lists(*, report: SeedReport) -> SeedReport:
    """The real calls' required agreements, known milestones and published
    lists of selected payloads (after catalogue.seed.seed_catalogue)."""
    for spec in PUBLIC_SELECTIONS:
        sync_public_selection(spec, report=report)
    return report
