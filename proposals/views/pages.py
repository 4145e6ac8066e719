"""A researcher's proposals: the dashboard, a proposal's page, its frozen versions
and their PDF, starting a proposal from a call, and document downloads.

Every read goes through proposals.selectors, scoped to who asks: someone who may
not see a proposal gets a 404, whatever they guess.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalogue import selectors as catalogue_selectors
from catalogue.models import Opportunity
from catalogue.page_cache import CSRF_PLACEHOLDER, countdown_changes
from catalogue.templatetags.catalogue_tags import beijing, iso_utc
from config.filenames import download_name
from config.private_files import private_file_response
from proposals import selectors, services
from proposals.anonymity import watching_reads
from proposals.checklist import completeness, completion_percentage, current_documents
from proposals.enums import ProposalStatus
from proposals.pdf import render_version_pdf
from proposals.permissions import (
    can_edit_proposal,
    can_manage_team,
    can_submit_proposal,
    can_withdraw_proposal,
    is_open_for_changes,
    is_principal_investigator,
    team_membership,
)
from proposals.snapshot import for_reader
from proposals.templatetags.proposal_marks import proposal_status, time_left
from proposals.views import kept as kept_html
from proposals.views.context import checklist_context

PDF = "application/pdf"


def role_of(user, proposal) -> str:
    """How `user` stands on `proposal`, as the dashboard shows it."""
    if is_principal_investigator(user, proposal):
        return _("Principal investigator")
    member = team_membership(user, proposal)
    if member is None:
        return ""
    label = member.get_role_display()
    if not member.is_confirmed:
        return _("%(role)s (not yet confirmed)") % {"role": label}
    return str(label)


def _attachment(response: HttpResponse) -> HttpResponse:
    """Private files: never sniffed, never cached by a shared cache."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    kept = kept_html.dashboard_rows(user_id=request.user.pk)
    rows = kept.look_up()
    if rows is None:
        with watching_reads() as unread:
            rows, valid_until = _dashboard_rows(request)
        if not unread:  # a document that could not be read is read again
            kept.keep(rows, valid_until=valid_until)
    return render(
        request,
        "proposals/dashboard.html",
        {"kept_rows": kept_html.served(request, rows)},
    )


def _dashboard_rows(request: HttpRequest) -> tuple[str, datetime | None]:
    """The invitations and the rows (with CSRF_PLACEHOLDER for the forms'
    token), and the next moment time alone changes them: a countdown shown
    reads differently, or a deadline passes."""
    user = request.user
    # Taken before the countdowns are written: a boundary they cross while the
    # rows are built ends the kept rows at once rather than an hour later.
    now = timezone.now()
    proposals = selectors.proposals_for_dashboard(user=user)
    figures = _completion_figures(proposals)
    links = _DashboardLinks()
    rows = [
        _dashboard_row(user, proposal, figures.get(proposal.pk), links)
        for proposal in proposals
    ]
    changes = [
        countdown_changes(row["proposal"].deadline, now=now)
        for row in rows
        if row["time_left"]
    ]
    html = render_to_string(
        "proposals/_dashboard_rows.html",
        {
            "rows": rows,
            "invitations": selectors.invitations_among(proposals, user=user),
            "csrf_token": CSRF_PLACEHOLDER,
        },
        request=request,
    )
    return html, min((moment for moment in changes if moment), default=None)


def _completion_figures(proposals) -> dict[int, int]:
    """pk → the completion figure of each draft among `proposals`, each read
    whole with what its checklist reads (one set of queries for all). The
    rows are rendered only when something they show changed: the figures are
    computed then, from the rows as they are."""
    drafts = [p.pk for p in proposals if p.status == ProposalStatus.DRAFT]
    if not drafts:
        return {}
    return {
        draft.pk: completion_percentage(completeness(draft))
        for draft in selectors.drafts_for_checklist(drafts)
    }


class _DashboardLinks:
    """A proposal's and a call's addresses, as get_absolute_url gives them,
    from one reverse() each per request (a reverse() per row was a tenth of
    the dashboard's time): the address of a placeholder, cut around it."""

    PK = 987654321
    SLUG = "dashboard-slug-placeholder"

    def __init__(self):
        self._proposal = reverse("proposals:detail", kwargs={"pk": self.PK}).split(
            str(self.PK)
        )
        self._call = reverse(
            "catalogue:opportunity-detail", kwargs={"slug": self.SLUG}
        ).split(self.SLUG)

    def proposal(self, pk: int) -> str:
        return str(pk).join(self._proposal)

    def call(self, slug: str) -> str:
        return slug.join(self._call)


def _dashboard_row(user, proposal, progress: int | None, links) -> dict:
    """What one row of the dashboard shows, as text ready for the template:
    a dict, which the template language reads at its first try."""
    deadline = proposal.deadline
    opportunity = proposal.opportunity
    return {
        "proposal": proposal,
        "url": links.proposal(proposal.pk),
        "title": proposal.title or _("Untitled proposal"),
        "reference": proposal.reference,
        "role": role_of(user, proposal),
        "call_url": links.call(opportunity.slug),
        "call_title": opportunity.title,
        "status": proposal_status(proposal),
        "progress": progress,
        "deadline": beijing(deadline),
        # The time left only while the proposal can still be changed.
        "time_left": time_left(deadline)
        if deadline and can_edit_proposal(user, proposal)
        else "",
        "updated_iso": iso_utc(proposal.updated_at),
        "updated": beijing(proposal.updated_at),
    }


@login_required
@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Open a draft (or a letter of intent) on a call, from the call's page."""
    try:
        opportunity = catalogue_selectors.opportunity_for_public(slug)
    except Opportunity.DoesNotExist as error:
        raise Http404 from error
    try:
        proposal = services.start_proposal(opportunity=opportunity, actor=request.user)
    except services.CannotStartProposal as refusal:
        messages.error(request, str(refusal))
        return redirect(opportunity)
    messages.success(
        request,
        _("Your letter of intent is started. Each section is saved on its own.")
        if proposal.is_letter
        else _("Your proposal is started. Each section is saved on its own."),
    )
    return redirect("proposals:edit", pk=proposal.pk)


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_for_user(user=request.user, pk=pk)
    user = request.user
    open_for_changes = is_open_for_changes(proposal)
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            "opportunity": proposal.opportunity,
            "role": role_of(user, proposal),
            "members": list(proposal.team_members.all()),
            "documents": current_documents(proposal),
            "versions": selectors.versions_of(proposal=proposal),
            "history": selectors.status_history(proposal=proposal),
            "open_for_changes": open_for_changes,
            "can_edit": can_edit_proposal(user, proposal),
            "can_manage_team": can_manage_team(user, proposal),
            "can_submit": can_submit_proposal(user, proposal) and open_for_changes,
            "can_withdraw": can_withdraw_proposal(user, proposal),
            **checklist_context(proposal),
        },
    )


@login_required
@require_safe
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = selectors.version_for_user(
        user=request.user, proposal_pk=pk, number=number
    )
    return render(
        request,
        "proposals/version_detail.html",
        {
            "version": version,
            "proposal": version.proposal,
            "snapshot": for_reader(version.snapshot),
        },
    )


@login_required
@require_safe
def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = selectors.version_for_user(
        user=request.user, proposal_pk=pk, number=number
    )
    response = HttpResponse(render_version_pdf(version), content_type=PDF)
    response["Content-Disposition"] = (
        f'attachment; filename="{version.reference}-v{version.number}.pdf"'
    )
    return _attachment(response)


@login_required
@require_safe
def download_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal's PDF, streamed from storage to someone who may read it."""
    document = selectors.document_for_user(user=request.user, pk=pk)
    response = private_file_response(
        document.file, filename=download_name(document.original_name), content_type=PDF
    )
    return _attachment(response)
