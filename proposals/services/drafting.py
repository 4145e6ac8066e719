"""Starting a proposal and writing its sections, statements and documents."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Carrier, RequiredDocument
from config.refusals import Refused
from proposals.checklist import current_documents, required_documents
from proposals.documents import DocumentRefused, check_upload
from proposals.enums import Section
from proposals.models import Proposal, ProposalDocument, StatementAcceptance
from proposals.permissions import can_manage_team
from proposals.services.common import lock_for_change
from proposals.workflow import initial_stage

SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    Section.SUMMARY: ("title", "abstract", "keywords"),
    Section.OBJECTIVES: ("objectives", "relevance"),
    Section.PAYLOAD: ("payload_description", "trl", "heritage"),
    Section.RESOURCES: (
        "carrier",
        "mass_kg",
        "power_avg_w",
        "power_peak_w",
        "data_mb_per_day",
        "length_mm",
        "width_mm",
        "height_mm",
        "operations_needs",
    ),
    Section.FUNDING: ("funding_statement",),
}


class CannotStartProposal(Refused):
    pass


@transaction.atomic
def start_proposal(*, opportunity, actor, title: str = "", now=None) -> Proposal:
    """Open a draft for `actor` as principal investigator.

    A call with a letter-of-intent stage starts a letter, accepted until the
    letter deadline; after it only shortlisted letters go on, as full proposals.
    """
    now = now or timezone.now()
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Sign in to start a proposal."))
    if not opportunity.is_open_at(now):
        raise CannotStartProposal(_("This call is not open for proposals."))
    if opportunity.has_loi_stage and now >= opportunity.loi_deadline:
        raise CannotStartProposal(
            _(
                "Letters of intent for this call are closed; only shortlisted "
                "teams submit full proposals."
            )
        )
    proposal = Proposal(
        opportunity=opportunity,
        principal_investigator=actor,
        stage=initial_stage(opportunity),
        title=title,
    )
    proposal.full_clean(exclude=["reference"])
    proposal.save()
    return proposal


def _carrier(opportunity, value) -> Carrier | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Carrier) else value
    carrier = opportunity.carriers.filter(pk=pk).first()
    if carrier is None:
        raise ValidationError(
            {"carrier": _("Choose one of the carriers this call offers.")}
        )
    return carrier


@transaction.atomic
def update_section(
    *, proposal: Proposal, section: str, data: dict, actor, now=None
) -> Proposal:
    """Save one section's fields (any subset of SECTION_FIELDS[section]).

    Sections: summary, objectives, payload, resources, funding (the team,
    documents and statements have their own services). Raises ValidationError
    with field messages (TRL outside 1–9, a carrier of another call, negative
    figures, peak power under average) and saves nothing then.
    """
    if section not in SECTION_FIELDS:
        raise ValueError(f"Unknown section {section!r}.")
    unknown = set(data) - set(SECTION_FIELDS[section])
    if unknown:
        raise ValueError(f"Fields not in section {section}: {sorted(unknown)}.")
    locked = lock_for_change(proposal, actor=actor, now=now)
    for name, value in data.items():
        if name == "carrier":
            locked.carrier = _carrier(locked.opportunity, value)
        else:
            setattr(locked, name, value)
    touched = set(data)
    locked.full_clean(
        exclude=[
            field.name
            for field in Proposal._meta.concrete_fields
            if field.name not in touched
        ],
        validate_unique=False,
    )
    locked.save(update_fields=[*sorted(touched), "updated_at"])
    return locked


@transaction.atomic
def accept_statements(
    *, proposal: Proposal, statement_ids: Iterable[int], actor, now=None
) -> Proposal:
    """Set which of the call's statements the principal investigator accepts."""
    locked = lock_for_change(proposal, actor=actor, allowed=can_manage_team, now=now)
    wanted = {int(pk) for pk in statement_ids}
    known = {statement.pk for statement in locked.opportunity.statements.all()}
    if wanted - known:
        raise ValidationError(_("Accept only the statements of this call."))
    accepted = {a.statement_id for a in locked.statement_acceptances.all()}
    locked.statement_acceptances.filter(statement_id__in=accepted - wanted).delete()
    StatementAcceptance.objects.bulk_create(
        StatementAcceptance(proposal=locked, statement_id=pk, accepted_by=actor)
        for pk in sorted(wanted - accepted)
    )
    locked.save(update_fields=["updated_at"])
    return locked


def _retire(document: ProposalDocument, *, now) -> None:
    """Drop a document from the draft; keep it if a frozen version cites it."""
    if document.versions.exists():
        document.replaced_at = now
        document.save(update_fields=["replaced_at"])
        return
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def upload_document(
    *,
    proposal: Proposal,
    required_document: RequiredDocument,
    file,
    actor,
    name: str | None = None,
    now=None,
) -> ProposalDocument:
    """Store a PDF for one of the call's required documents, replacing the one
    uploaded before. The file is checked first (proposals.documents); a refused
    upload raises DocumentRefused and leaves the draft as it was. The stored name
    is random; `name` (default: the uploaded file's) is only shown."""
    now = now or timezone.now()
    locked = lock_for_change(proposal, actor=actor, now=now)
    if required_document.pk not in {r.pk for r in required_documents(locked)}:
        raise DocumentRefused(
            _("This call does not ask for that document at this stage."),
            code="wrong_document",
        )
    checked = check_upload(
        file=file,
        name=name if name is not None else getattr(file, "name", "") or "",
        required_document=required_document,
    )
    for previous in current_documents(locked):
        if previous.required_document_id == required_document.pk:
            _retire(previous, now=now)
    document = ProposalDocument(
        proposal=locked,
        required_document=required_document,
        original_name=checked.display_name,
        sha256=checked.sha256,
        size=checked.size,
        page_count=checked.page_count,
        uploaded_by=actor,
    )
    document.file.save("document.pdf", ContentFile(checked.content), save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    locked.save(update_fields=["updated_at"])
    return document


@transaction.atomic
def remove_document(*, document: ProposalDocument, actor, now=None) -> None:
    locked = lock_for_change(document.proposal, actor=actor, now=now)
    document = locked.documents.get(pk=document.pk, replaced_at__isnull=True)
    _retire(document, now=now or timezone.now())
    locked.save(update_fields=["updated_at"])
