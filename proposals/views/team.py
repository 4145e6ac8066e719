"""The team card of the editor and the members' confirmation pages.

The principal investigator adds and removes co-investigators and collaborators
(htmx swaps the team card; without JavaScript the editor is redirected to). Each
member confirms their participation and institution through the personal link
emailed to them, /proposals/team/confirm/<token>/, or from their dashboard when
their account is linked to the invitation.

Every invitation and every resend is an email to an address the principal
investigator typed, so each counts against the "invitation" limit
(settings.AO_LIMITS) twice: once for the proposal and once for the address,
whichever proposal it comes from, so that no address can be flooded by resending
or by inviting it again from draft after draft. Past either limit nothing is
stored or sent: the team card comes back with 429, what was typed in the form
and the time to try again.
"""

import hashlib

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config import limits
from proposals import selectors, services
from proposals.enums import Section
from proposals.forms import ConfirmMembershipForm, TeamMemberForm, add_service_errors
from proposals.permissions import can_manage_team
from proposals.views.access import (
    proposal_to_change,
    redirect_when_locked,
    signed_in,
)
from proposals.views.context import editor_context

TEAM_CARD = "proposals/editor/_team.html"


def _team_url(proposal) -> str:
    return f"{reverse('proposals:edit', kwargs={'pk': proposal.pk})}#section-team"


def _team_card(
    request: HttpRequest, proposal, *, form=None, message: str = "", status=200
):
    """The team card for htmx; the whole editor for a plain POST with errors."""
    context = editor_context(
        proposal,
        user=request.user,
        bound={Section.TEAM: form} if form is not None else None,
        saved=Section.TEAM if message else "",
    )
    context = {**context, "section": Section.TEAM, "team_message": message}
    if request.htmx:
        return render(
            request, TEAM_CARD, {**context, "oob_checklist": True}, status=status
        )
    return render(request, "proposals/edit.html", context, status=status)


def _address_key(email: str) -> str:
    """The limit's key for one address; the address itself is not put in the
    cache."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"address:{digest[:32]}"


def _invitation_limit(request: HttpRequest, proposal, email: str):
    """Count one invitation email for the proposal and for the address; an
    Exceeded when either goes past the "invitation" limit."""
    by_proposal = limits.hit(request, "invitation", key=f"proposal:{proposal.pk}")
    by_address = limits.hit(request, "invitation", key=_address_key(email))
    if by_proposal and by_address:
        return max(by_proposal, by_address, key=lambda e: e.retry_after)
    return by_proposal or by_address


def _limited(request: HttpRequest, proposal, exceeded, *, form=None) -> HttpResponse:
    """The team card again, with what was typed and when to try again (429)."""
    if form is None:
        # A resend has no form of its own: the empty "add a member" form
        # carries the refusal (an unbound form takes no add_error).
        form = TeamMemberForm()
        form._errors = ErrorDict(
            {
                NON_FIELD_ERRORS: form.error_class(
                    [exceeded.message], error_class="nonfield"
                )
            }
        )
    else:
        form.add_error(None, exceeded.message)
    response = _team_card(request, proposal, form=form, status=429)
    response["Retry-After"] = str(exceeded.retry_after)
    return response


def _member_of(proposal, member_pk: int):
    for member in proposal.team_members.all():
        if member.pk == member_pk:
            return member
    raise Http404


def _done(request: HttpRequest, proposal, message: str) -> HttpResponse:
    if request.htmx:
        fresh = selectors.proposal_for_user(
            user=request.user, pk=proposal.pk, sections=True
        )
        return _team_card(request, fresh, message=message)
    messages.success(request, message)
    return redirect(_team_url(proposal))


@signed_in
@require_POST
@redirect_when_locked
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_to_change(request, pk, allowed=can_manage_team)
    form = TeamMemberForm(request.POST)
    if form.is_valid():
        exceeded = _invitation_limit(request, proposal, form.cleaned_data["email"])
        if exceeded:
            return _limited(request, proposal, exceeded, form=form)
        try:
            member = services.add_team_member(
                proposal=proposal, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(
                request,
                proposal,
                _(
                    "%(name)s is on the team. We have emailed them a link to "
                    "confirm their participation and institution."
                )
                % {"name": member.name},
            )
    return _team_card(request, proposal, form=form)


@signed_in
@require_POST
@redirect_when_locked
def remove_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    proposal = proposal_to_change(request, pk, allowed=can_manage_team)
    member = _member_of(proposal, member_pk)
    services.remove_team_member(member=member, actor=request.user)
    return _done(
        request,
        proposal,
        _("%(name)s is no longer on the team.") % {"name": member.name},
    )


@signed_in
@require_POST
@redirect_when_locked
def resend_invitation(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    proposal = proposal_to_change(request, pk, allowed=can_manage_team)
    member = _member_of(proposal, member_pk)
    if member.is_confirmed:
        # Refused by the service below; nothing is sent, so nothing is counted.
        exceeded = None
    else:
        exceeded = _invitation_limit(request, proposal, member.email)
    if exceeded:
        return _limited(request, proposal, exceeded)
    try:
        services.resend_invitation(member=member, actor=request.user)
    except services.MembershipRefused as refusal:
        messages.info(request, str(refusal))
        return redirect(_team_url(proposal))
    return _done(
        request,
        proposal,
        _(
            "A new confirmation link is on its way to %(email)s; the previous one no "
            "longer works."
        )
        % {"email": member.email},
    )


@require_http_methods(["GET", "POST"])
def confirm_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of the emailed link. Opening it changes nothing: confirming is a
    POST, so a mail scanner that follows links confirms no one."""
    member = selectors.team_member_for_token(token=token)
    if member is None:
        return render(
            request,
            "proposals/confirm_membership.html",
            {
                "refusal": _(
                    "This confirmation link is not valid. A newer invitation may have "
                    "replaced it: ask the principal investigator to send it again."
                )
            },
            status=404,
        )
    form = ConfirmMembershipForm(
        request.POST if request.method == "POST" else None,
        initial={"institution": member.institution},
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_membership(
                token=token,
                user=request.user,
                institution=form.cleaned_data["institution"],
            )
        except services.MembershipRefused as error:
            refusal = str(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you: your participation in “%(title)s” is confirmed.")
                % {"title": member.proposal.title or _("Untitled proposal")},
            )
            return redirect(request.path)
    return render(
        request,
        "proposals/confirm_membership.html",
        {
            "member": member,
            "proposal": member.proposal,
            "form": form,
            "refusal": refusal,
        },
    )


@signed_in
@require_POST
def confirm_invitation(request: HttpRequest, member_pk: int) -> HttpResponse:
    """Confirm from the dashboard an invitation linked to one's account."""
    member = (
        selectors.pending_invitations_for_user(user=request.user)
        .filter(pk=member_pk)
        .first()
    )
    if member is None:
        raise Http404
    try:
        services.confirm_membership_for_user(member=member, user=request.user)
    except services.MembershipRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Thank you: your participation in “%(title)s” is confirmed.")
            % {"title": member.proposal.title or _("Untitled proposal")},
        )
    return redirect("proposals:dashboard")
