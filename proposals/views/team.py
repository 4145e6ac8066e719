"""The team card of the editor and the members' confirmation pages.

The principal investigator adds and removes co-investigators and collaborators
(htmx swaps the team card; without JavaScript the editor is redirected to). Each
member confirms their participation and institution through the personal link
emailed to them, /proposals/team/confirm/<token>/, or from their dashboard when
their account is linked to the invitation.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

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


def _team_card(request: HttpRequest, proposal, *, form=None, message: str = ""):
    """The team card for htmx; the whole editor for a plain POST with errors."""
    context = editor_context(
        proposal,
        user=request.user,
        bound={Section.TEAM: form} if form is not None else None,
        saved=Section.TEAM if message else "",
    )
    context = {**context, "section": Section.TEAM, "team_message": message}
    if request.htmx:
        return render(request, TEAM_CARD, {**context, "oob_checklist": True})
    return render(request, "proposals/edit.html", context)


def _member_of(proposal, member_pk: int):
    for member in proposal.team_members.all():
        if member.pk == member_pk:
            return member
    raise Http404


def _done(request: HttpRequest, proposal, message: str) -> HttpResponse:
    if request.htmx:
        fresh = selectors.proposal_for_user(user=request.user, pk=proposal.pk)
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
