"""Demonstration proposals, built through proposals.services as a researcher would.

`seed_demo_proposals` is a step of catalogue.seed.demo.DEMO_STEPS. It gives
researcher1@example.org, with researcher2@example.org as a confirmed
co-investigator, one proposal in each state a researcher meets:

- a draft for the Chang'E-7 demonstration call, valid but incomplete: two of its
  three documents are missing, and its peak power draws the envelope's warning;
- a submitted proposal for the Chang'E-6 demonstration call: reference number,
  one frozen version;
- a Tianwen-2 proposal submitted, then withdrawn (it keeps its reference);
- a letter of intent submitted to the China Space Station demonstration call.

`build_proposal` and `submit_demo_proposal` are shared with reviews.seed, which
fills the demonstration call in review. A proposal is found again by (call,
principal investigator, title): one that exists is left as it is, whatever its
state (the demonstration accounts may have changed or withdrawn it since), so
running the seed again creates nothing twice. The PDFs are one page of text
each, written with pypdf (milliseconds each, where WeasyPrint takes tens).
"""

import io
import textwrap
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from catalogue.enums import CarrierKind
from catalogue.models import Opportunity
from proposals import services
from proposals.checklist import completeness, join_items, required_documents
from proposals.enums import ProposalStatus, Section
from proposals.models import Proposal

RESEARCHER = "researcher1@example.org"
CO_INVESTIGATOR = "researcher2@example.org"

HERITAGE = (
    "Builds on the team's laboratory prototype, tested in thermal vacuum, and on "
    "instruments its members delivered to earlier planetary missions."
)
OPERATIONS = (
    "Commanded from the team's institution through the mission's ground segment; "
    "switched on for a few hours per lunar day."
)
FUNDING = (
    "The development is funded by the lead institution and its national space "
    "agency; the partners fund their own contributions. (demonstration)"
)


@dataclass(frozen=True)
class DemoProposal:
    """What a demonstration proposal says. `resources`: (mass kg, average W,
    peak W, MB per day, (length, width, height) mm)."""

    title: str
    abstract: str
    keywords: str
    objectives: str
    relevance: str
    payload: str
    trl: int
    carrier: str
    resources: tuple
    co_investigators: tuple[str, ...] = (CO_INVESTIGATOR,)


@dataclass(frozen=True)
class Seeded:
    """A demonstration proposal and whether this run created it."""

    proposal: Proposal
    created: bool


def demo_user(email: str):
    return get_user_model().objects.get(email=email)


def _pdf_string(text: str) -> bytes:
    """`text` as a PDF string literal in WinAnsi (Latin-1-like) encoding."""
    text = text.replace("ʻ", "'")  # the ʻokina has no WinAnsi code
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def demo_pdf(*, proposal: Proposal, document: str) -> bytes:
    """One A4 page of text naming the document, the proposal and its
    investigator, in Helvetica (a font every PDF reader has)."""
    pi = proposal.principal_investigator
    lines = [
        (10, "Demonstration document - not a real proposal"),
        (18, document),
        (13, proposal.title),
        (11, proposal.opportunity.title_en),
        (11, f"Principal investigator: {pi.get_full_name()}, {pi.institution}"),
        (11, ""),
        *((11, line) for line in textwrap.wrap(proposal.abstract, width=85)),
    ]
    content = [b"BT", b"72 780 Td"]
    for size, text in lines:
        content += [
            b"/F1 %d Tf" % size,
            b"0 -%d Td" % round(size * 1.6),
            _pdf_string(text) + b" Tj",
        ]
    content.append(b"ET")
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(content))
    page.replace_contents(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _sections(spec: DemoProposal, *, opportunity: Opportunity) -> dict[str, dict]:
    mass, power_avg, power_peak, data, (length, width, height) = spec.resources
    carrier = opportunity.carriers.get(kind=spec.carrier)
    return {
        Section.SUMMARY: {"abstract": spec.abstract, "keywords": spec.keywords},
        Section.OBJECTIVES: {
            "objectives": spec.objectives,
            "relevance": spec.relevance,
        },
        Section.PAYLOAD: {
            "payload_description": spec.payload,
            "trl": spec.trl,
            "heritage": HERITAGE,
        },
        Section.RESOURCES: {
            "carrier": carrier.pk,
            "mass_kg": Decimal(mass),
            "power_avg_w": Decimal(power_avg),
            "power_peak_w": Decimal(power_peak),
            "data_mb_per_day": Decimal(data),
            "length_mm": length,
            "width_mm": width,
            "height_mm": height,
            "operations_needs": OPERATIONS,
        },
        Section.FUNDING: {"funding_statement": FUNDING},
    }


def find_proposal(*, opportunity: Opportunity, pi, title: str) -> Proposal | None:
    return (
        Proposal.objects.filter(
            opportunity=opportunity, principal_investigator=pi, title=title
        )
        .order_by("pk")
        .first()
    )


def build_proposal(
    *,
    opportunity: Opportunity,
    pi,
    spec: DemoProposal,
    documents: int | None = None,
    now=None,
) -> Proposal:
    """A draft with every section, a confirmed team, the statements accepted and
    the first `documents` required documents (all when None), at `now`."""
    proposal = services.start_proposal(
        opportunity=opportunity, actor=pi, title=spec.title, now=now
    )
    for section, data in _sections(spec, opportunity=opportunity).items():
        proposal = services.update_section(
            proposal=proposal, section=section, data=data, actor=pi, now=now
        )
    for email in spec.co_investigators:
        member_user = demo_user(email)
        member = services.add_team_member(
            proposal=proposal,
            name=member_user.get_full_name(),
            email=member_user.email,
            institution=member_user.institution,
            country=member_user.country.code,
            actor=pi,
            now=now,
        )
        services.confirm_membership_for_user(member=member, user=member_user, now=now)
    statements = opportunity.statements.values_list("pk", flat=True)
    services.accept_statements(
        proposal=proposal, statement_ids=list(statements), actor=pi, now=now
    )
    for required in required_documents(proposal)[:documents]:
        filename = f"{slugify(required.name_en)}.pdf"
        content = demo_pdf(proposal=proposal, document=required.name_en)
        services.upload_document(
            proposal=proposal,
            required_document=required,
            file=ContentFile(content, name=filename),
            actor=pi,
            now=now,
        )
    return Proposal.objects.get(pk=proposal.pk)


def submit_demo_proposal(proposal: Proposal, *, now=None) -> Proposal:
    services.submit_proposal(
        proposal=proposal, actor=proposal.principal_investigator, now=now
    )
    return Proposal.objects.get(pk=proposal.pk)


# --- researcher1's proposals ------------------------------------------------------

CE7_DRAFT = DemoProposal(
    title="Neutron spectrometer for water ice at the lunar south pole",
    abstract=(
        "A compact neutron spectrometer on the lander measures the hydrogen content "
        "of the regolith around the landing site, to map buried water ice."
    ),
    keywords="water ice, neutron spectroscopy, regolith, hydrogen",
    objectives=(
        "Measure the epithermal neutron flux over a full lunar day; derive the "
        "water-equivalent hydrogen in the first metre of regolith."
    ),
    relevance=(
        "Chang'E-7 surveys the resources of the south pole; ground truth for the "
        "orbital maps of hydrogen."
    ),
    payload=(
        "Two helium-3 proportional counters, one cadmium-shielded, with their "
        "electronics in a 200 × 150 × 120 mm box."
    ),
    trl=5,
    carrier=CarrierKind.LANDER,
    # A peak of 32 W above the lander's 25 W: a warning, not an error.
    resources=(Decimal("4.5"), 18, 32, 150, (200, 150, 120)),
)

CE6_SUBMITTED = DemoProposal(
    title="Electrostatic dust and radon monitor for the lunar far side",
    abstract=(
        "Measures the charge and flux of lofted dust and the radon released by the "
        "regolith at the landing site, through day and night."
    ),
    keywords="lunar dust, radon, exosphere, electrostatics",
    objectives=(
        "Follow dust levitation at the terminator; measure radon-222 and "
        "polonium-210 to trace volatile transport on the far side."
    ),
    relevance=(
        "Complements the sample return by characterising the surface environment "
        "of the South Pole–Aitken basin."
    ),
    payload=(
        "A Faraday-cup dust sensor and an alpha spectrometer sharing one "
        "electronics unit."
    ),
    trl=6,
    carrier=CarrierKind.LANDER,
    resources=(Decimal("3.2"), 8, 15, 40, (200, 150, 100)),
)

TW2_WITHDRAWN = DemoProposal(
    title="Thermal infrared imager for the asteroid Kamoʻoalewa",
    abstract=(
        "Maps the surface temperature of the near-Earth asteroid Kamoʻoalewa during "
        "the approach and the sampling, to derive its thermal inertia."
    ),
    keywords="asteroid, thermal inertia, infrared imaging",
    objectives=(
        "Thermal inertia and regolith grain size of Kamoʻoalewa; temperature of the "
        "sampling site before and after sampling."
    ),
    relevance="Context for the samples Tianwen-2 returns.",
    payload="An uncooled microbolometer camera with an 8–14 µm filter wheel.",
    trl=6,
    carrier=CarrierKind.OTHER,
    resources=(Decimal("4.8"), 15, 22, 120, (250, 200, 150)),
)

CSS_LETTER = DemoProposal(
    title="Colloidal crystal growth in microgravity",
    abstract=(
        "Grows colloidal crystals without sedimentation to study how defects form "
        "and heal, for photonic materials."
    ),
    keywords="colloids, crystallisation, soft matter, photonic materials",
    objectives="Growth kinetics and defect density of colloidal crystals.",
    relevance="A materials experiment for the station's experiment racks.",
    payload="Twelve sample cells under a long-working-distance microscope.",
    trl=4,
    carrier=CarrierKind.STATION_RACK,
    resources=(Decimal(14), 90, 150, 800, (400, 280, 240)),
)

WITHDRAWAL_REASON = (
    "Our thermal imager will not be ready in time; we withdraw and will propose it "
    "for a later mission. (demonstration)"
)


def _seed(slug: str, spec: DemoProposal, *, target: str, documents=None) -> Seeded:
    """Find or build researcher1's proposal in the call `slug`, then bring a new
    one to `target`: draft, submitted or withdrawn."""
    opportunity = Opportunity.objects.get(slug=slug)
    pi = demo_user(RESEARCHER)
    found = find_proposal(opportunity=opportunity, pi=pi, title=spec.title)
    if found is not None:
        return Seeded(found, created=False)
    proposal = build_proposal(
        opportunity=opportunity, pi=pi, spec=spec, documents=documents
    )
    if target != ProposalStatus.DRAFT:
        proposal = submit_demo_proposal(proposal)
    if target == ProposalStatus.WITHDRAWN:
        proposal = services.withdraw_proposal(
            proposal=proposal, actor=pi, reason=WITHDRAWAL_REASON
        )
    return Seeded(proposal, created=True)


def _line(seeded: Seeded) -> str:
    proposal = seeded.proposal
    missing = [item.label for item in completeness(proposal) if not item.done]
    values = {
        "reference": proposal.reference or _("no reference"),
        "stage": proposal.get_stage_display().lower(),
        "status": proposal.get_status_display().lower(),
        "title": proposal.title,
        "call": proposal.opportunity.title,
        "state": (
            pgettext("result of a seed step", "created")
            if seeded.created
            else _("already there")
        ),
    }
    line = (
        _("  %(call)s: %(stage)s %(status)s, %(reference)s — %(title)s (%(state)s)")
        % values
    )
    if proposal.status == ProposalStatus.DRAFT and missing:
        line += " " + _("still to do: %(missing)s") % {"missing": join_items(missing)}
    return line


def seed_demo_proposals() -> list[str]:
    """researcher1's proposals: a draft, a submitted proposal, a withdrawn one and
    a submitted letter of intent."""
    seeded = [
        _seed(
            "demo-chang-e-7-payloads",
            CE7_DRAFT,
            target=ProposalStatus.DRAFT,
            documents=1,
        ),
        _seed(
            "demo-chang-e-6-payloads", CE6_SUBMITTED, target=ProposalStatus.SUBMITTED
        ),
        _seed(
            "demo-tianwen-2-payloads", TW2_WITHDRAWN, target=ProposalStatus.WITHDRAWN
        ),
        _seed(
            "demo-china-space-station-experiments",
            CSS_LETTER,
            target=ProposalStatus.SUBMITTED,
        ),
    ]
    lines = [
        _(
            "Demonstration proposals of %(pi)s, with %(co)s as confirmed "
            "co-investigator:"
        )
        % {"pi": RESEARCHER, "co": CO_INVESTIGATOR}
    ]
    return lines + [_line(item) for item in seeded]
