"""How the proposal views fetch and authorise: the selector scopes the read (the
wrong person gets a 404), a permission predicate decides the rest (403), and a
proposal nobody may change any more sends its visitor back to its page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from proposals import selectors
from proposals.models import Proposal
from proposals.permissions import (
    can_edit_proposal,
    can_view_proposal,
    is_open_for_changes,
)
from proposals.services import ProposalLocked


def client_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows with a full page load."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def signed_in(view):
    """login_required, except that an htmx request whose session has expired
    sends the whole page, not the card, to the sign-in page."""
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return protected(request, *args, **kwargs)

    return wrapper


def proposal_to_change(
    request: HttpRequest,
    pk: int,
    *,
    allowed=can_edit_proposal,
    sections: bool = True,
    bare: bool = False,
    known: Proposal | None = None,
):
    """The proposal `request.user` may change with `allowed`.

    Http404 for someone who may not see it, PermissionDenied for someone who may
    see but not change it. A proposal nobody may change any more passes, so
    that the service refuses it with ProposalLocked (see `redirect_when_locked`).
    `sections`, `bare`: read as selectors.proposal_for_user reads them.
    `known`: the proposal as such a read brought it earlier, known unchanged
    since (proposals.views.kept): authorised, not read again.
    """
    if known is not None and known.pk != pk:
        known = None
    if known is None:
        proposal = selectors.proposal_for_user(
            user=request.user, pk=pk, sections=sections, bare=bare
        )
    elif can_view_proposal(request.user, known):
        proposal = known
    else:
        raise Http404
    if is_open_for_changes(proposal) and not allowed(request.user, proposal):
        raise PermissionDenied(
            _(
                "Only the principal investigator and confirmed co-investigators can "
                "change this proposal."
            )
            if allowed is can_edit_proposal
            else _("Only the principal investigator can do this.")
        )
    return proposal


def locked_response(request: HttpRequest, proposal: Proposal, message: str):
    messages.warning(request, message)
    return client_redirect(request, proposal.get_absolute_url())


def redirect_when_locked(view):
    """Turn a ProposalLocked refusal into a message on the proposal's page."""

    @wraps(view)
    def wrapper(request, *args, pk: int, **kwargs):
        try:
            return view(request, *args, pk=pk, **kwargs)
        except ProposalLocked as error:
            proposal = selectors.proposal_for_user(user=request.user, pk=pk)
            return locked_response(request, proposal, str(error))

    return wrapper


def require_open(request: HttpRequest, proposal: Proposal) -> HttpResponse | None:
    """A redirect to the proposal's page when nobody may change it any more."""
    if is_open_for_changes(proposal):
        return None
    return locked_response(
        request,
        proposal,
        _("This proposal is %(status)s and can no longer be changed.")
        % {"status": proposal.get_status_display().lower()},
    )
