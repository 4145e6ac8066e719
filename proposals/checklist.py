"""What a proposal still needs before it can be submitted.

`completeness(proposal)` feeds the progress bar and is submit_proposal's guard:
every item not done carries the sentence that tells the proposer what to do.
It reads the proposal's relations through `.all()`, so with the prefetches of
proposals.selectors it costs no query.

Letters of intent ask for less than full proposals: title and abstract, the
payload concept, the resources, the team, the letter's documents and the
statements. The full proposal adds keywords, objectives and relevance, TRL,
heritage and funding.

In a dual-anonymous call the anonymity check (proposals.anonymity) adds an
item: under the call's BLOCK policy what it finds keeps the item not done, so
submit_proposal refuses; under WARN the item is done and carries the findings
as a warning.
"""

from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from catalogue.enums import AnonymityPolicy
from proposals.anonymity import Flag, check_anonymity
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
    """One thing the proposal needs. `units` counts what the researcher has to
    do for it (fields to fill in, documents to upload, statements to accept,
    members to confirm) and `units_done` how much of it is done; a condition
    that holds by itself (within the envelope, the lead country) has none.
    `warning` and `flags` carry what only warns (the anonymity check under
    WARN)."""

    section: str
    label: str
    done: bool
    message: str = ""
    units: int = 0
    units_done: int = 0
    warning: str = ""
    flags: tuple[Flag, ...] = ()


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
                units=len(fields),
                units_done=len(fields) - len(missing),
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
            units=len(members),
            units_done=len(members) - len(unconfirmed),
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
            units=1,
            units_done=int(required.pk in uploaded),
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
            units=len(statements),
            units_done=len(statements) - remaining,
        )
    ]


def _anonymity_items(proposal: Proposal) -> list[ChecklistItem]:
    """In a dual-anonymous call: nothing in the texts or the documents reveals
    the team (proposals.anonymity). The call's policy decides whether a find
    blocks submission (item not done) or only warns (done, with a warning)."""
    opportunity = proposal.opportunity
    if not opportunity.dual_anonymous:
        return []
    flags = tuple(check_anonymity(proposal))
    blocks = bool(flags) and opportunity.anonymity_policy == AnonymityPolicy.BLOCK
    summary = ""
    if flags:
        summary = _(
            "This call is dual-anonymous: reviewers must not learn who the team "
            "is. Found: %(flags)s."
        ) % {"flags": "; ".join(flag.sentence for flag in flags)}
    return [
        ChecklistItem(
            section=Section.DOCUMENTS,
            label=_("Nothing reveals the team to the reviewers"),
            done=not blocks,
            message=summary if blocks else "",
            warning="" if blocks else summary,
            flags=flags,
        )
    ]


def completeness(proposal: Proposal) -> list[ChecklistItem]:
    """Every item the proposal's stage requires, in the order of the form."""
    items = [
        *_field_items(proposal),
        _resource_item(proposal),
        *_team_items(proposal),
        *_document_items(proposal),
        *_anonymity_items(proposal),
        *_statement_items(proposal),
    ]
    order = list(Section.values)
    return sorted(items, key=lambda item: order.index(item.section))


def completion_percentage(items: list[ChecklistItem]) -> int:
    """How much of what the researcher has to do is done, in whole percent.

    Counted: each field the stage requires (title, abstract, …, each figure of
    the resources), each mandatory document uploaded, each statement of the
    call accepted and each invited team member who has confirmed, one unit
    each. Not counted: conditions that hold by themselves (within the
    carrier's envelope, at most so many entities, the lead country, the
    principal investigator's profile, nothing revealing the team), so a new,
    empty proposal is at 0 %. Rounded down, and 99 % at most while any item is
    not done: 100 % means it can be submitted.
    """
    units = sum(item.units for item in items)
    done = sum(min(item.units_done, item.units) for item in items)
    percentage = 100 * done // units if units else 100
    if any(not item.done for item in items):
        percentage = min(percentage, 99)
    return percentage
