"""What a proposal still needs before it can be submitted.

`completeness(proposal)` feeds the progress bar and is submit_proposal's guard:
every item not done carries the sentence that tells the proposer what to do.
It reads the proposal's relations through `.all()`, so with the prefetches of
proposals.selectors it costs no query.

Letters of intent ask for less than full proposals: title and abstract, the
payload concept, the resources, the team, the letter's documents and the
statements. The full proposal adds keywords, objectives and relevance, TRL,
heritage and funding.
"""

from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from proposals.enums import ProposalStage, Section
from proposals.models import Proposal
from proposals.resources import (
    Finding,
    ResourceRequest,
    blocks_submission,
    check_resources,
)

LETTER = ProposalStage.LETTER_OF_INTENT
FULL = ProposalStage.FULL
RESOURCE_FIELDS = (
    "carrier",
    "mass_kg",
    "power_avg_w",
    "power_peak_w",
    "data_mb_per_day",
    "length_mm",
    "width_mm",
    "height_mm",
)
REQUIRED_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    Section.SUMMARY: {
        LETTER: ("title", "abstract"),
        FULL: ("title", "abstract", "keywords"),
    },
    Section.OBJECTIVES: {LETTER: (), FULL: ("objectives", "relevance")},
    Section.PAYLOAD: {
        LETTER: ("payload_description",),
        FULL: ("payload_description", "trl"),
    },
    Section.RESOURCES: {LETTER: RESOURCE_FIELDS, FULL: RESOURCE_FIELDS},
    Section.FUNDING: {LETTER: (), FULL: ("funding_statement",)},
}


def join_items(items) -> str:
    """Join names with the active language's list separator (、 in Chinese)."""
    return pgettext("separator between the items of a list", ", ").join(
        str(item) for item in items
    )


@dataclass(frozen=True)
class ChecklistItem:
    section: str
    label: str
    done: bool
    message: str = ""


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _field_items(proposal: Proposal) -> list[ChecklistItem]:
    items = []
    for section, by_stage in REQUIRED_FIELDS.items():
        fields = by_stage[proposal.stage]
        if not fields:
            continue
        missing = [
            str(Proposal._meta.get_field(name).verbose_name)
            for name in fields
            if _is_blank(getattr(proposal, f"{name}_id" if name == "carrier" else name))
        ]
        items.append(
            ChecklistItem(
                section=section,
                label=str(Section(section).label),
                done=not missing,
                message=_("%(section)s: fill in %(fields)s.")
                % {"section": Section(section).label, "fields": join_items(missing)}
                if missing
                else "",
            )
        )
    return items


def resource_findings(proposal: Proposal) -> list[Finding]:
    return check_resources(proposal.carrier, ResourceRequest.from_proposal(proposal))


def _resource_item(proposal: Proposal) -> ChecklistItem:
    findings = resource_findings(proposal)
    blocking = blocks_submission(findings, policy=proposal.opportunity.resource_policy)
    return ChecklistItem(
        section=Section.RESOURCES,
        label=_("Within the carrier's envelope"),
        done=not blocking,
        message=" ".join(f.message for f in findings if f.is_error) if blocking else "",
    )


def _normalised(institution: str) -> str:
    return " ".join(institution.split()).casefold()


def team_entities(proposal: Proposal) -> set[str]:
    """The distinct institutions of the team, the principal investigator's included."""
    names = [proposal.principal_investigator.institution]
    names += [member.institution for member in proposal.team_members.all()]
    return {_normalised(name) for name in names if name.strip()}


def _team_items(proposal: Proposal) -> list[ChecklistItem]:
    pi = proposal.principal_investigator
    opportunity = proposal.opportunity
    members = list(proposal.team_members.all())
    items = [
        ChecklistItem(
            section=Section.TEAM,
            label=_("Your institution and country"),
            done=bool(pi.institution.strip() and pi.country),
            message=""
            if pi.institution.strip() and pi.country
            else _(
                "Add your institution and country to your profile: the principal "
                "investigator's institution is one of the team's entities."
            ),
        )
    ]
    unconfirmed = [member.name for member in members if not member.is_confirmed]
    items.append(
        ChecklistItem(
            section=Section.TEAM,
            label=_("Every team member has confirmed"),
            done=not unconfirmed,
            message=_(
                "These team members have not yet confirmed their participation "
                "and institution: %(names)s."
            )
            % {"names": join_items(unconfirmed)}
            if unconfirmed
            else "",
        )
    )
    if opportunity.max_entities:
        count = len(team_entities(proposal))
        items.append(
            ChecklistItem(
                section=Section.TEAM,
                label=_("At most %(limit)s entities")
                % {"limit": opportunity.max_entities},
                done=count <= opportunity.max_entities,
                message=_(
                    "The team spans %(count)s entities (distinct institutions, "
                    "yours included); this call allows at most %(limit)s."
                )
                % {"count": count, "limit": opportunity.max_entities}
                if count > opportunity.max_entities
                else "",
            )
        )
    if opportunity.lead_country:
        leads = pi.country == opportunity.lead_country
        items.append(
            ChecklistItem(
                section=Section.TEAM,
                label=_("Lead institution in %(country)s")
                % {"country": opportunity.lead_country.name},
                done=leads,
                message=""
                if leads
                else _(
                    "This call requires the principal investigator's institution to "
                    "be in %(country)s; your profile says %(actual)s."
                )
                % {
                    "country": opportunity.lead_country.name,
                    "actual": pi.country.name if pi.country else _("no country"),
                },
            )
        )
    return items


def required_documents(proposal: Proposal) -> list:
    """The call's documents for the proposal's stage (all of them without letters)."""
    documents = proposal.opportunity.required_documents.all()
    if not proposal.opportunity.has_loi_stage:
        return list(documents)
    return [document for document in documents if document.stage == proposal.stage]


def current_documents(proposal: Proposal) -> list:
    return [doc for doc in proposal.documents.all() if doc.replaced_at is None]


def _document_items(proposal: Proposal) -> list[ChecklistItem]:
    uploaded = {doc.required_document_id for doc in current_documents(proposal)}
    return [
        ChecklistItem(
            section=Section.DOCUMENTS,
            label=capfirst(required.name),
            done=required.pk in uploaded,
            message=""
            if required.pk in uploaded
            else _("Upload “%(document)s” as a PDF.") % {"document": required.name},
        )
        for required in required_documents(proposal)
        if required.is_mandatory
    ]


def _statement_items(proposal: Proposal) -> list[ChecklistItem]:
    statements = list(proposal.opportunity.statements.all())
    if not statements:
        return []
    accepted = {a.statement_id for a in proposal.statement_acceptances.all()}
    remaining = sum(1 for s in statements if s.pk not in accepted)
    return [
        ChecklistItem(
            section=Section.STATEMENTS,
            label=_("Statements of the call accepted"),
            done=not remaining,
            message=_(
                "Accept the statements of the call: %(remaining)s of %(total)s "
                "still to accept."
            )
            % {"remaining": remaining, "total": len(statements)}
            if remaining
            else "",
        )
    ]


def completeness(proposal: Proposal) -> list[ChecklistItem]:
    """Every item the proposal's stage requires, in the order of the form."""
    items = [
        *_field_items(proposal),
        _resource_item(proposal),
        *_team_items(proposal),
        *_document_items(proposal),
        *_statement_items(proposal),
    ]
    order = list(Section.values)
    return sorted(items, key=lambda item: order.index(item.section))


def completion_percentage(items: list[ChecklistItem]) -> int:
    if not items:
        return 100
    return round(100 * sum(item.done for item in items) / len(items))
