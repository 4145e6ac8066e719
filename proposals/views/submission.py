"""Submitting and withdrawing: a review page, then one POST to the service.

Whether the proposal is in time is judged on the server by submit_proposal; a
refused submission shows every reason and leaves the draft as it was.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proposals import selectors, services
from proposals.forms import WithdrawForm
from proposals.permissions import (
    can_edit_proposal,
    can_submit_proposal,
    can_withdraw_proposal,
)
from proposals.views.context import checklist_context
from proposals.workflow import TransitionNotAllowed


def _submit_page(request, proposal, *, refusals=None):
    problems = services.submission_problems(proposal, now=timezone.now())
    return render(
        request,
        "proposals/submit.html",
        {
            "proposal": proposal,
            "opportunity": proposal.opportunity,
            "problems": refusals if refusals is not None else problems,
            "can_edit": can_edit_proposal(request.user, proposal),
            **checklist_context(proposal),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_for_user(user=request.user, pk=pk)
    if not can_submit_proposal(request.user, proposal):
        raise PermissionDenied(_("Only the principal investigator can submit."))
    if request.method == "GET":
        return _submit_page(request, proposal)
    try:
        version = services.submit_proposal(proposal=proposal, actor=request.user)
    except services.SubmissionRefused as refusal:
        return _submit_page(request, proposal, refusals=refusal.messages)
    messages.success(
        request,
        _(
            "Submitted. Your reference number is %(reference)s (version "
            "%(number)s); a confirmation is on its way by email."
        )
        % {"reference": version.reference, "number": version.number},
    )
    return redirect(proposal)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_for_user(user=request.user, pk=pk)
    if not can_withdraw_proposal(request.user, proposal):
        raise PermissionDenied(_("Only the principal investigator can withdraw."))
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_proposal(
                proposal=proposal,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The proposal is withdrawn. The team has been told by email."),
            )
        return redirect(proposal)
    return render(
        request, "proposals/withdraw.html", {"proposal": proposal, "form": form}
    )
