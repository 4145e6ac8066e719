"""The proposal editor: one card per section, each saved on its own.

Every form posts to its own URL. With htmx (HX-Request) the answer is the card
alone, re-rendered with its errors or "Saved at hh:mm", and the checklist swapped
out of band; without JavaScript a saved section redirects back to the editor and
a refused one re-renders the whole editor with that card's errors, every other
card showing what is stored.

A section form carries the version of the section it started from. When someone
else saved the section meanwhile, nothing is saved: the card comes back with the
person's own text still in the fields and, next to each field that differs, what
was saved meanwhile, by whom and when (`Conflict`); they keep theirs, keep the
other, or merge by hand, and save again from the version now stored.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalogue.page_cache import CSRF_PLACEHOLDER
from config import limits
from proposals import selectors, services
from proposals.anonymity import watching_reads
from proposals.checklist import current_documents, required_documents
from proposals.enums import Section
from proposals.forms import (
    TEXT_FIELDS,
    DocumentForm,
    SectionForm,
    StatementsForm,
    add_service_errors,
    carrier_label,
)
from proposals.models import Proposal
from proposals.permissions import can_manage_team
from proposals.resources import (
    FIGURES,
    ResourceRequest,
    check_resources,
    format_number,
    invalid_figure,
)
from proposals.services import SECTION_FIELDS, DocumentRefused, SectionConflict
from proposals.views import kept as kept_html
from proposals.views.access import (
    proposal_to_change,
    redirect_when_locked,
    require_open,
    signed_in,
)
from proposals.views.context import (
    SECTION_TEMPLATE,
    ResourceAlert,
    editor_context,
    resources_context,
    section_card_context,
)

EDITOR_TEMPLATE = "proposals/edit.html"
CARDS_TEMPLATE = "proposals/editor/_page.html"


def _section_url(proposal, section: str) -> str:
    return f"{reverse('proposals:edit', kwargs={'pk': proposal.pk})}#section-{section}"


def _respond(request, *, section: str, partial: str, context: dict):
    """The card alone for htmx, the whole editor otherwise."""
    card = next(card for card in context["cards"] if card.section == section)
    context = {**context, "section": section, "form": card.form}
    if request.htmx:
        return render(request, partial, {**context, "oob_checklist": True})
    return render(request, EDITOR_TEMPLATE, context)


def _saved(
    request, proposal, *, section: str, partial: str, fresh: Proposal | None = None
) -> HttpResponse:
    """After a successful save: the fresh card for htmx, a redirect otherwise.
    `fresh`: the proposal as the service saved it, with its relations and its
    sections' versions (else it is read again)."""
    if not request.htmx:
        messages.success(
            request, _("%(section)s saved.") % {"section": Section(section).label}
        )
        return redirect(_section_url(proposal, section))
    if fresh is None:
        fresh = selectors.proposal_for_user(
            user=request.user, pk=proposal.pk, sections=True
        )
    context = (
        section_card_context(fresh, user=request.user, section=section, saved=section)
        if section in SECTION_FIELDS
        else editor_context(fresh, user=request.user, saved=section)
    )
    return _respond(request, section=section, partial=partial, context=context)


@dataclass
class ConflictRow:
    """One field of a section in conflict: the person's value is in `field`;
    `saved` is what was stored meanwhile, when it differs (else None)."""

    field: object
    saved: str | None = None
    saved_value: str = ""
    is_text: bool = False


@dataclass
class Conflict:
    section: str
    saved_by: str
    saved_at: datetime | None
    rows: list[ConflictRow] = field(default_factory=list)


def _comparable(value):
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value).normalize()
    return value


def _shown(name: str, value) -> tuple[str, str]:
    """A stored value as shown next to the person's, and as a field takes it."""
    if value is None or value == "":
        return "—", ""
    if name == "carrier":
        return carrier_label(value), str(value.pk)
    if isinstance(value, Decimal):
        return format_number(value), format_number(value)
    return str(value), str(value)


def _conflict(
    form: SectionForm, refusal: SectionConflict
) -> tuple[SectionForm, Conflict | None]:
    """The form to show again (the person's values, the version now stored) and
    what was saved meanwhile; None when it is exactly what was posted."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(refusal.number)
    mine = form.cleaned_data
    restarted = SectionForm(data, proposal=form.proposal, section=form.section)
    restarted.is_valid()
    saver = refusal.saved.saved_by
    conflict = Conflict(
        section=form.section,
        saved_by=saver.get_full_name() if saver else "",
        saved_at=refusal.saved.saved_at,
    )
    for bound in restarted:
        row = ConflictRow(field=bound, is_text=bound.name in TEXT_FIELDS)
        if bound.name in refusal.current:
            theirs = refusal.current[bound.name]
            if _comparable(theirs) != _comparable(mine.get(bound.name)):
                row.saved, row.saved_value = _shown(bound.name, theirs)
        conflict.rows.append(row)
    if not any(row.saved is not None for row in conflict.rows):
        return restarted, None
    return restarted, conflict


def live_resource_check(proposal: Proposal, form: SectionForm) -> dict:
    """The resource panel for the figures posted in `form` (validated): the
    chosen carrier, its findings, and every figure that could not be checked,
    named with its problem."""
    values = getattr(form, "cleaned_data", {})
    invalid = [
        invalid_figure(name, message)
        for name in FIGURES
        for message in form.errors.get(name, [])
    ]
    sides = tuple(values.get(name) for name in ("length_mm", "width_mm", "height_mm"))
    carrier = values.get("carrier")
    if carrier is not None and carrier.opportunity_id == proposal.opportunity_id:
        # The form's choices hang off the call the save authorised from, read
        # with only the columns the permissions need: name the carrier with the
        # call `proposal` brought whole, with its mission.
        carrier.opportunity = proposal.opportunity
    request_ = ResourceRequest(
        mass_kg=values.get("mass_kg"),
        power_avg_w=values.get("power_avg_w"),
        power_peak_w=values.get("power_peak_w"),
        data_mb_per_day=values.get("data_mb_per_day"),
        size_mm=None if None in sides else sides,
    )
    context = resources_context(
        proposal, carrier=carrier, findings=check_resources(carrier, request_)
    )
    context["invalid_figures"] = [
        ResourceAlert(message=finding.message, level="danger") for finding in invalid
    ]
    return context


@login_required
@require_safe
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    kept = kept_html.editor_cards(pk=pk, user_id=request.user.pk)
    # What authorises: read now, or as the visit that kept the cards read it
    # when the digest says none of it changed since (then nothing is read).
    authorised = proposal_to_change(
        request, pk, bare=True, sections=False, known=kept.read_with()
    )
    closed = require_open(request, authorised)
    if closed:
        return closed
    countdown = timeuntil(authorised.deadline) if authorised.deadline else ""
    proposal = authorised
    cards = kept.look_up(countdown)
    if cards is None:
        proposal = proposal_to_change(request, pk)
        with watching_reads() as unread:
            context = editor_context(proposal, user=request.user)
            cards = render_to_string(
                CARDS_TEMPLATE,
                {**context, "csrf_token": CSRF_PLACEHOLDER},
                request=request,
            )
        if not unread:  # a document that could not be read is read again
            kept.keep(cards, read=authorised)
    return render(
        request,
        EDITOR_TEMPLATE,
        {"proposal": proposal, "kept_cards": kept_html.served(request, cards)},
    )


def _save(request, proposal, form: SectionForm) -> Proposal:
    """The section saved; the proposal as locked and saved, with its relations
    and its sections' versions."""
    return services.update_section(
        proposal=proposal,
        section=form.section,
        data=form.section_data(),
        base_version=form.base_version,
        actor=request.user,
    )


@signed_in
@require_POST
@redirect_when_locked
def save_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTION_FIELDS:
        raise Http404
    if request.POST.get(f"{section}-resolution") == "theirs":
        return _kept_theirs(request, proposal_to_change(request, pk), section=section)
    # A save that succeeds renders from the proposal the service locks and
    # reads whole: this read only authorises (only what the permission
    # predicates read). A refused one reads the proposal whole.
    proposal = proposal_to_change(request, pk, bare=True, sections=False)
    form = SectionForm(request.POST, proposal=proposal, section=section)
    conflict = None
    if form.is_valid():
        try:
            saved = _save(request, proposal, form)
        except SectionConflict as refusal:
            form, conflict = _conflict(form, refusal)
            if conflict is None:  # saved meanwhile exactly as posted
                return _saved(
                    request, proposal, section=section, partial=SECTION_TEMPLATE
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(
                request,
                proposal,
                section=section,
                partial=SECTION_TEMPLATE,
                fresh=saved,
            )
    proposal = selectors.proposal_for_user(user=request.user, pk=pk, sections=True)
    context = (
        section_card_context(proposal, user=request.user, section=section, form=form)
        if request.htmx
        else editor_context(proposal, user=request.user, bound={section: form})
    )
    if section == Section.RESOURCES:
        context.update(live_resource_check(proposal, form))
    context["conflict"] = conflict
    return _respond(request, section=section, partial=SECTION_TEMPLATE, context=context)


def _kept_theirs(request, proposal, *, section: str) -> HttpResponse:
    """After a conflict the person keeps what was saved meanwhile: nothing is
    written, the card shows what is stored."""
    if not request.htmx:
        messages.info(
            request,
            _("%(section)s: the version saved meanwhile is kept.")
            % {"section": Section(section).label},
        )
        return redirect(_section_url(proposal, section))
    context = section_card_context(proposal, user=request.user, section=section)
    context["kept_theirs"] = True
    return _respond(request, section=section, partial=SECTION_TEMPLATE, context=context)


@signed_in
@require_POST
def check_resources_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The resource findings for the figures being typed; nothing is saved."""
    proposal = proposal_to_change(request, pk)
    form = SectionForm(request.POST, proposal=proposal, section=Section.RESOURCES)
    form.is_valid()  # a figure that is not one is named in the panel
    return render(
        request,
        "proposals/editor/_resource_check.html",
        {
            "proposal": proposal,
            "opportunity": proposal.opportunity,
            **live_resource_check(proposal, form),
        },
    )


@signed_in
@require_POST
@redirect_when_locked
def save_statements(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_to_change(request, pk, allowed=can_manage_team)
    form = StatementsForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            services.accept_statements(
                proposal=proposal,
                statement_ids=form.cleaned_data["statements"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(
                request,
                proposal,
                section=Section.STATEMENTS,
                partial="proposals/editor/_statements.html",
            )
    context = editor_context(
        proposal, user=request.user, bound={Section.STATEMENTS: form}
    )
    return _respond(
        request,
        section=Section.STATEMENTS,
        partial="proposals/editor/_statements.html",
        context=context,
    )


@signed_in
@require_POST
@redirect_when_locked
def upload_document(request: HttpRequest, pk: int, required_pk: int) -> HttpResponse:
    """One PDF for one required document. A refusal is shown next to that
    document; with htmx (or static/js/proposals.js) only its slot is replaced."""
    proposal = proposal_to_change(request, pk)
    required = next(
        (r for r in required_documents(proposal) if r.pk == required_pk), None
    )
    if required is None:
        raise Http404
    form = DocumentForm(request.POST, request.FILES, required_document=required)
    error = ""
    # Uploads per person and hour (settings.AO_LIMITS): past it nothing is read
    # or stored, and the slot says when to try again (429).
    exceeded = limits.hit(request, "upload", key=f"user:{request.user.pk}")
    if exceeded:
        error = exceeded.message
    elif form.is_valid():
        try:
            services.upload_document(
                proposal=proposal,
                required_document=required,
                file=form.cleaned_data["file"],
                actor=request.user,
            )
        except DocumentRefused as refusal:
            error = refusal.message
    else:
        error = " ".join(
            message for field_errors in form.errors.values() for message in field_errors
        )
    partial = "proposals/editor/_document.html"
    if not error:
        if not request.htmx:
            messages.success(
                request, _("“%(document)s” uploaded.") % {"document": required.name}
            )
            return redirect(_section_url(proposal, Section.DOCUMENTS))
        proposal = selectors.proposal_for_user(user=request.user, pk=pk, sections=True)
    context = editor_context(
        proposal,
        user=request.user,
        document_errors={required.pk: error} if error else None,
        saved=Section.DOCUMENTS if not error else "",
    )
    slot = next(s for s in context["documents"] if s.required.pk == required.pk)
    response = _respond(
        request,
        section=Section.DOCUMENTS,
        partial=partial,
        context={**context, "slot": slot},
    )
    if exceeded:
        response.status_code = 429
        response["Retry-After"] = str(exceeded.retry_after)
    return response


@signed_in
@require_POST
@redirect_when_locked
def remove_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    proposal = proposal_to_change(request, pk)
    document = next(
        (d for d in current_documents(proposal) if d.pk == document_pk), None
    )
    if document is None:
        raise Http404
    services.remove_document(document=document, actor=request.user)
    if not request.htmx:
        messages.success(
            request, _("“%(document)s” removed.") % {"document": document.original_name}
        )
        return redirect(_section_url(proposal, Section.DOCUMENTS))
    fresh = selectors.proposal_for_user(user=request.user, pk=pk, sections=True)
    context = editor_context(fresh, user=request.user)
    slot = next(
        s
        for s in context["documents"]
        if s.required.pk == document.required_document_id
    )
    return render(
        request,
        "proposals/editor/_document.html",
        {**context, "slot": slot, "oob_checklist": True},
    )
