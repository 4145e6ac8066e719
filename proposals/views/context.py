"""What the proposal editor shows, built from a proposal fetched by a selector.

The editor is one page of cards, one per section; an htmx request re-renders one
card (plus the checklist, swapped out of band), a plain POST the whole page. Both
read the same context, so the page and its partials always agree.
"""

from dataclasses import dataclass

from django.utils import timezone

from proposals.checklist import (
    completeness,
    completion_percentage,
    current_documents,
    required_documents,
    resource_findings,
)
from proposals.enums import Section, Severity
from proposals.forms import (
    EDITOR_SECTIONS,
    DocumentForm,
    SectionForm,
    StatementsForm,
    TeamMemberForm,
)
from proposals.models import Proposal
from proposals.permissions import can_manage_team, is_principal_investigator
from proposals.resources import blocks_submission
from proposals.services import SECTION_FIELDS

CARD_TEMPLATES = {
    Section.TEAM: "proposals/editor/_team.html",
    Section.DOCUMENTS: "proposals/editor/_documents.html",
    Section.STATEMENTS: "proposals/editor/_statements.html",
}
SECTION_TEMPLATE = "proposals/editor/_section.html"


@dataclass
class ResourceAlert:
    """A finding of the resource check as the page shows it."""

    message: str
    level: str  # a Bootstrap alert colour: danger or warning


@dataclass
class DocumentSlot:
    required: object
    current: object
    form: DocumentForm
    error: str = ""


@dataclass
class Card:
    section: str
    template: str
    form: object = None


def resource_alerts(findings, *, policy: str) -> list[ResourceAlert]:
    """Danger when the call blocks the request, warning when it only warns."""
    blocking = blocks_submission(findings, policy=policy)
    return [
        ResourceAlert(
            message=finding.message,
            level="danger"
            if blocking and finding.severity == Severity.ERROR
            else "warning",
        )
        for finding in findings
    ]


def checklist_context(proposal: Proposal) -> dict:
    items = completeness(proposal)
    return {
        "checklist": items,
        "progress": completion_percentage(items),
        "missing": [item for item in items if not item.done],
    }


def resources_context(proposal: Proposal, *, carrier=None, findings=None) -> dict:
    if findings is None:
        carrier = proposal.carrier
        findings = resource_findings(proposal)
    return {
        "carrier": carrier,
        "resource_alerts": resource_alerts(
            findings, policy=proposal.opportunity.resource_policy
        ),
    }


def document_slots(proposal: Proposal, *, errors=None, bound=None) -> list:
    errors = errors or {}
    bound = bound or {}
    current = {doc.required_document_id: doc for doc in current_documents(proposal)}
    return [
        DocumentSlot(
            required=required,
            current=current.get(required.pk),
            form=bound.get(required.pk) or DocumentForm(required_document=required),
            error=errors.get(required.pk, ""),
        )
        for required in required_documents(proposal)
    ]


def section_card_context(
    proposal: Proposal,
    *,
    user,
    section: str,
    form: SectionForm | None = None,
    saved: str = "",
) -> dict:
    """What an htmx answer about one section renders: that section's card (with
    `form`, the posted one, when it was refused) and the checklist out of band,
    without building the editor's other cards and forms. `editor_context` gives
    the same keys for the whole page."""
    form = form or SectionForm(proposal=proposal, section=section)
    context = {
        "proposal": proposal,
        "opportunity": proposal.opportunity,
        "cards": [Card(section=section, template=SECTION_TEMPLATE, form=form)],
        "saved_section": saved,
        "saved_at": timezone.now() if saved else None,
        "can_edit": True,
        "is_pi": is_principal_investigator(user, proposal),
        **checklist_context(proposal),
    }
    if section == Section.RESOURCES:
        context.update(resources_context(proposal))
    return context


def editor_context(
    proposal: Proposal,
    *,
    user,
    bound: dict | None = None,
    saved: str = "",
    document_errors: dict | None = None,
) -> dict:
    """Every card of the editor. `bound` maps a section to its posted form (with
    its errors); `saved` names the section just saved."""
    bound = bound or {}
    manage = can_manage_team(user, proposal)
    cards = []
    for section in EDITOR_SECTIONS:
        if section in SECTION_FIELDS:
            form = bound.get(section) or SectionForm(proposal=proposal, section=section)
            cards.append(Card(section=section, template=SECTION_TEMPLATE, form=form))
        else:
            cards.append(Card(section=section, template=CARD_TEMPLATES[section]))
    checklist = checklist_context(proposal)
    return {
        "proposal": proposal,
        "opportunity": proposal.opportunity,
        "cards": cards,
        "saved_section": saved,
        "saved_at": timezone.now() if saved else None,
        "can_edit": True,
        "can_manage_team": manage,
        "is_pi": is_principal_investigator(user, proposal),
        "members": list(proposal.team_members.all()),
        "member_form": bound.get(Section.TEAM) or TeamMemberForm(),
        "team_items": [
            item for item in checklist["checklist"] if item.section == Section.TEAM
        ],
        "documents": document_slots(
            proposal, errors=document_errors, bound=bound.get(Section.DOCUMENTS)
        ),
        "statements_form": bound.get(Section.STATEMENTS)
        or StatementsForm(proposal=proposal),
        **resources_context(proposal),
        **checklist,
    }
