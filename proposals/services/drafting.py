"""Starting a proposal and writing its sections, statements and documents."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalogue.models import Carrier, RequiredDocument
from config.refusals import Refused
from proposals.checklist import current_documents, required_documents
from proposals.documents import DocumentRefused, check_upload
from proposals.enums import Section
from proposals.models import (
    Proposal,
    ProposalDocument,
    SectionVersion,
    StatementAcceptance,
)
from proposals.permissions import can_manage_team
from proposals.resources import FIGURES, figure_problem
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


# The most characters a text field takes. Title and keywords are their columns'
# lengths; the abstract is about a page (ESA's calls ask for a summary of a page
# or less; NASA's NSPIRES takes 4,000 characters) and the objectives about three.
TEXT_LIMITS: dict[str, int] = {
    "title": 200,
    "keywords": 300,
    "abstract": 3000,
    "objectives": 8000,
}


class CannotStartProposal(Refused):
    pass


@dataclass(frozen=True)
class SectionSaved:
    """Who saved a section last, and when (None: nobody yet)."""

    number: int
    saved_by: object = None
    saved_at: datetime | None = None


class SectionConflict(Refused):
    """Someone saved the section since the editor showed it: nothing was saved.

    `.current` holds what is stored now (field → value), `.saved` who saved it
    and when, `.number` the version to start from when saving again.
    """

    def __init__(self, *, section: str, current: dict, saved: SectionSaved):
        self.section = section
        self.current = current
        self.saved = saved
        self.number = saved.number
        super().__init__(
            _(
                "Someone saved this section while you were editing it. Nothing "
                "has been overwritten: compare the two texts and choose."
            )
        )


def _versions(proposal: Proposal, *, again: bool = False) -> list[SectionVersion]:
    """The proposal's section versions with who saved them, fetched once per
    instance (one query); `again` fetches them anew."""
    cache = getattr(proposal, "_prefetched_objects_cache", {})
    if again:
        cache.pop("section_versions", None)
    if "section_versions" not in cache:
        prefetch_related_objects(
            [proposal],
            Prefetch(
                "section_versions",
                queryset=SectionVersion.objects.select_related("saved_by"),
            ),
        )
    return list(proposal.section_versions.all())


def section_saved(proposal: Proposal, section: str) -> SectionSaved:
    """The section's version, with who saved it and when."""
    for row in _versions(proposal):
        if row.section == section:
            return SectionSaved(row.number, row.saved_by, row.saved_at)
    return SectionSaved(0)


def section_numbers(proposal: Proposal) -> dict[str, int]:
    """Every section's version number (0 for one never saved)."""
    numbers = dict.fromkeys(SECTION_FIELDS, 0)
    numbers.update({row.section: row.number for row in proposal.section_versions.all()})
    return numbers


def _limit_errors(data: dict) -> dict[str, list[str]]:
    """Texts over their TEXT_LIMITS and figures outside FIGURES, as field messages."""
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        limit = TEXT_LIMITS.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            count = len(value)
            errors[name] = [
                _(
                    "This has %(count)s characters; at most %(limit)s are "
                    "accepted. Shorten it by %(over)s."
                )
                % {
                    "count": number_format(count, force_grouping=True),
                    "limit": number_format(limit, force_grouping=True),
                    "over": number_format(count - limit, force_grouping=True),
                }
            ]
        if name in FIGURES and value not in (None, ""):
            try:
                figure = Decimal(str(value))
            except InvalidOperation:
                continue  # not a number: full_clean says so
            problem = figure_problem(name, figure) if figure.is_finite() else ""
            if problem:
                errors[name] = [problem]
    return errors


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
    carrier.opportunity = opportunity  # its call, already loaded
    return carrier


@transaction.atomic
def update_section(
    *,
    proposal: Proposal,
    section: str,
    data: dict,
    actor,
    base_version: int | None = None,
    now=None,
) -> Proposal:
    """Save one section's fields (any subset of SECTION_FIELDS[section]) and
    count one more version of the section, saved by `actor` at `now`.

    Sections: summary, objectives, payload, resources, funding (the team,
    documents and statements have their own services). `base_version` is the
    section's version the editor started from: when someone has saved the section
    since, SectionConflict is raised with what they saved, and nothing is saved
    (None skips the comparison: the seed, the admin). Raises ValidationError with
    field messages (TRL outside 1–9, a carrier of another call, a figure below
    zero or beyond what the form accepts, a text over TEXT_LIMITS, peak power
    under average) and saves nothing then.
    """
    if section not in SECTION_FIELDS:
        raise ValueError(f"Unknown section {section!r}.")
    unknown = set(data) - set(SECTION_FIELDS[section])
    if unknown:
        raise ValueError(f"Fields not in section {section}: {sorted(unknown)}.")
    locked = lock_for_change(proposal, actor=actor, now=now)
    saved = section_saved(locked, section)
    if base_version is not None and base_version != saved.number:
        raise SectionConflict(
            section=section,
            current={name: getattr(locked, name) for name in SECTION_FIELDS[section]},
            saved=saved,
        )
    errors = _limit_errors(data)
    if errors:
        raise ValidationError(errors)
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
    # The proposal's row lock serialises every save of its sections, so the
    # version read above under that lock is the stored one: update it in place
    # (the locked proposal's versions then show the new one), or add the first.
    row = next((row for row in _versions(locked) if row.section == section), None)
    first = row is None
    if first:
        row = SectionVersion(proposal=locked, section=section)
    row.number = saved.number + 1
    row.saved_by = actor
    row.saved_at = now or timezone.now()
    row.save()
    if first:
        _versions(locked, again=True)
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
