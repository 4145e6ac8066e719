"""The proposal editor: one card per section, each saved on its own.

Every form posts to its own URL. With htmx (HX-Request) the answer is the card
alone, re-rendered with its errors or "Saved at hh:mm", and the checklist swapped
out of band; without JavaScript a saved section redirects back to the editor and
a refused one re-renders the whole editor with that card's errors, every other
card showing what is stored.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from proposals import selectors, services
from proposals.checklist import current_documents, required_documents
from proposals.enums import Section
from proposals.forms import (
    DocumentForm,
    SectionForm,
    StatementsForm,
    add_service_errors,
)
from proposals.permissions import can_manage_team
from proposals.resources import ResourceRequest, check_resources
from proposals.services import SECTION_FIELDS, DocumentRefused
from proposals.views.access import (
    proposal_to_change,
    redirect_when_locked,
    require_open,
    signed_in,
)
from proposals.views.context import (
    SECTION_TEMPLATE,
    editor_context,
    resources_context,
)

EDITOR_TEMPLATE = "proposals/edit.html"


def _section_url(proposal, section: str) -> str:
    return f"{reverse('proposals:edit', kwargs={'pk': proposal.pk})}#section-{section}"


def _respond(request, *, section: str, partial: str, context: dict):
    """The card alone for htmx, the whole editor otherwise."""
    card = next(card for card in context["cards"] if card.section == section)
    context = {**context, "section": section, "form": card.form}
    if request.htmx:
        return render(request, partial, {**context, "oob_checklist": True})
    return render(request, EDITOR_TEMPLATE, context)


def _saved(request, proposal, *, section: str, partial: str) -> HttpResponse:
    """After a successful save: the fresh card for htmx, a redirect otherwise."""
    if not request.htmx:
        messages.success(
            request, _("%(section)s saved.") % {"section": Section(section).label}
        )
        return redirect(_section_url(proposal, section))
    fresh = selectors.proposal_for_user(user=request.user, pk=proposal.pk)
    context = editor_context(fresh, user=request.user, saved=section)
    return _respond(request, section=section, partial=partial, context=context)


@login_required
@require_safe
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_to_change(request, pk)
    closed = require_open(request, proposal)
    if closed:
        return closed
    return render(request, EDITOR_TEMPLATE, editor_context(proposal, user=request.user))


@signed_in
@require_POST
@redirect_when_locked
def save_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTION_FIELDS:
        raise Http404
    proposal = proposal_to_change(request, pk)
    form = SectionForm(request.POST, proposal=proposal, section=section)
    if form.is_valid():
        try:
            services.update_section(
                proposal=proposal,
                section=section,
                data=form.cleaned_data,
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, proposal, section=section, partial=SECTION_TEMPLATE)
    context = editor_context(proposal, user=request.user, bound={section: form})
    return _respond(request, section=section, partial=SECTION_TEMPLATE, context=context)


@signed_in
@require_POST
def check_resources_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The resource findings for the figures being typed; nothing is saved."""
    proposal = proposal_to_change(request, pk)
    form = SectionForm(request.POST, proposal=proposal, section=Section.RESOURCES)
    form.is_valid()  # figures that do not parse are left out of the check
    values = form.cleaned_data
    sides = tuple(values.get(name) for name in ("length_mm", "width_mm", "height_mm"))
    carrier = values.get("carrier")
    request_ = ResourceRequest(
        mass_kg=values.get("mass_kg"),
        power_avg_w=values.get("power_avg_w"),
        power_peak_w=values.get("power_peak_w"),
        data_mb_per_day=values.get("data_mb_per_day"),
        size_mm=None if None in sides else sides,
    )
    return render(
        request,
        "proposals/editor/_resource_check.html",
        {
            "proposal": proposal,
            "opportunity": proposal.opportunity,
            **resources_context(
                proposal,
                carrier=carrier,
                findings=check_resources(carrier, request_),
            ),
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
    if form.is_valid():
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
        proposal = selectors.proposal_for_user(user=request.user, pk=pk)
    context = editor_context(
        proposal,
        user=request.user,
        document_errors={required.pk: error} if error else None,
        saved=Section.DOCUMENTS if not error else "",
    )
    slot = next(s for s in context["documents"] if s.required.pk == required.pk)
    return _respond(
        request,
        section=Section.DOCUMENTS,
        partial=partial,
        context={**context, "slot": slot},
    )


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
    fresh = selectors.proposal_for_user(user=request.user, pk=pk)
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
