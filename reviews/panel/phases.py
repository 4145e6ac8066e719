"""The panel's phases and settings: bidding (open, close, bid coverage per
proposal), the discussion (open, close, the call's threads), one proposal's
thread (administrators post, designate the primary reviewer, write the
consensus report, read the reviews' revisions), and the panel's settings (the
disagreement threshold and the triage line).

Administrators only (reviews.permissions.can_manage_panel). Every write is a
reviews.services call; every read a reviews.selectors one.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from proposals.enums import ProposalStage
from reviews import selectors, services
from reviews.enums import AssignmentStatus, PhaseStatus, ReviewStatus
from reviews.forms import ConsensusForm, MessageForm
from reviews.panel.base import (
    REFUSALS,
    opportunity_for,
    pages,
    paginate,
    panel_url,
    render,
    show_refusal,
)
from reviews.panel_forms import (
    PanelSettingsForm,
    PrimaryReviewerForm,
)
from reviews.permissions import can_manage_panel

# (phase, POST value) → the service that moves it and what the page says then
MOVES = {
    ("bidding", "open"): (
        services.open_bidding,
        gettext_lazy("Bidding is open: the call's reviewers can bid."),
    ),
    ("bidding", "close"): (services.close_bidding, gettext_lazy("Bidding is closed.")),
    ("discussion", "open"): (
        services.open_discussion,
        gettext_lazy(
            "The discussion is open: reviewers can discuss and revise their reviews."
        ),
    ),
    ("discussion", "close"): (
        services.close_discussion,
        gettext_lazy(
            "The discussion is closed: threads, reviews and reports are locked."
        ),
    ),
}


def _move(request: HttpRequest, opportunity, phase: str) -> HttpResponse:
    move = MOVES.get((phase, request.POST.get("move", "")))
    if move is not None:
        service, done = move
        try:
            service(opportunity=opportunity, actor=request.user)
        except REFUSALS as refusal:
            show_refusal(request, refusal)
        else:
            messages.success(request, str(done))
    return redirect(panel_url(phase, opportunity.pk))


def _phase_actions(status: str) -> list[tuple[str, str]]:
    """The buttons a phase offers in `status`: (POST value, label)."""
    if status == PhaseStatus.OPEN:
        return [("close", pgettext("panel phase button", "Close"))]
    label = (
        pgettext("panel phase button", "Open")
        if status == PhaseStatus.NOT_OPENED
        else pgettext("panel phase button", "Reopen")
    )
    return [("open", label)]


def bidding_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """Open or close bidding; the bids placed on each proposal, a page at a
    time."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_panel)
    if request.method == "POST":
        return _move(request, opportunity, "bidding")
    panel = selectors.panel_settings(opportunity=opportunity)
    page = paginate(request, selectors.bid_coverage(opportunity=opportunity))
    return render(
        request,
        "bidding.html",
        opportunity=opportunity,
        title=_("Bidding"),
        tab="bidding",
        status=panel.get_bidding_display(),
        actions=_phase_actions(panel.bidding),
        rows=page,
        **pages(request, page),
    )


def discussion_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """Open or close the discussion phase; the call's threads, a page at a
    time, with their messages and consensus reports."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_panel)
    if request.method == "POST":
        return _move(request, opportunity, "discussion")
    panel = selectors.panel_settings(opportunity=opportunity)
    page = paginate(request, selectors.threads_for_call(opportunity=opportunity))
    return render(
        request,
        "discussion.html",
        opportunity=opportunity,
        title=_("Discussion"),
        tab="discussion",
        status=panel.get_discussion_display(),
        actions=_phase_actions(panel.discussion),
        rows=[
            {
                "proposal": proposal,
                "url": panel_url("thread", opportunity.pk, proposal.pk),
            }
            for proposal in page
        ],
        **pages(request, page),
    )


def thread_view(
    request: HttpRequest, opportunity_pk: int, proposal_pk: int
) -> HttpResponse:
    """One proposal's discussion: the thread, a message from the
    administrators, the primary reviewer, the consensus report, and each
    review with its revisions."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_panel)
    proposal = selectors.panel_proposal(opportunity=opportunity, pk=proposal_pk)
    assignments = list(
        selectors.assignments_on_proposals(
            user=request.user, opportunity=opportunity, proposal_ids=[proposal.pk]
        ).filter(stage=ProposalStage.FULL)
    )
    reviewers = [
        a.reviewer for a in assignments if a.status == AssignmentStatus.ACCEPTED
    ]
    report = selectors.consensus_report_for(proposal=proposal)
    post_form = MessageForm(request.POST if "post" in request.POST else None)
    primary_form = PrimaryReviewerForm(
        request.POST if "primary" in request.POST else None,
        reviewers=reviewers,
        initial={"reviewer": report.primary_reviewer_id if report else None},
    )
    # Prefixed: the message and the report both have a `body` field.
    consensus_form = ConsensusForm(
        request.POST if "consensus" in request.POST else None,
        prefix="consensus",
        required=False,
        initial={"body": report.body if report else ""},
    )
    here = panel_url("thread", opportunity.pk, proposal.pk)
    if request.method == "POST":
        for form, write, done in (
            (
                post_form,
                lambda data: services.post_message(
                    proposal=proposal, actor=request.user, body=data["body"]
                ),
                _("Your message is posted."),
            ),
            (
                primary_form,
                lambda _data: services.designate_primary_reviewer(
                    proposal=proposal,
                    reviewer=primary_form.chosen(),
                    actor=request.user,
                ),
                _("The primary reviewer is saved."),
            ),
            (
                consensus_form,
                lambda data: services.write_consensus(
                    proposal=proposal, body=data["body"], actor=request.user
                ),
                _("The consensus report is saved."),
            ),
        ):
            if not form.is_bound or not form.is_valid():
                continue
            try:
                write(form.cleaned_data)
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
                messages.success(request, done)
                return redirect(here)
    reviews = [
        {
            "assignment": assignment,
            "review": assignment.review,
            "revisions": selectors.review_revisions(review=assignment.review),
        }
        for assignment in assignments
        if getattr(assignment, "review", None) is not None
        and assignment.review.status == ReviewStatus.SUBMITTED
    ]
    return render(
        request,
        "thread.html",
        opportunity=opportunity,
        title=_("Discussion of %(reference)s") % {"reference": proposal.reference},
        tab="discussion",
        proposal=proposal,
        thread=selectors.thread(
            user=request.user, proposal=proposal, stage=ProposalStage.FULL
        ),
        report=report,
        post_form=post_form,
        primary_form=primary_form,
        consensus_form=consensus_form,
        reviews=reviews,
        reviews_url=panel_url("proposal", opportunity.pk, proposal.pk),
    )


def settings_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """The panel's disagreement threshold and triage line."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_panel)
    panel = selectors.panel_settings(opportunity=opportunity)
    form = PanelSettingsForm(
        request.POST or None,
        initial={
            "disagreement_threshold": panel.disagreement_threshold,
            "triage_percent": panel.triage_percent,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_panel_settings(
                opportunity=opportunity,
                actor=request.user,
                disagreement_threshold=form.cleaned_data["disagreement_threshold"],
                triage_percent=form.cleaned_data["triage_percent"],
            )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
        else:
            messages.success(request, _("The panel's settings are saved."))
            return redirect(panel_url("settings", opportunity.pk))
    return render(
        request,
        "settings.html",
        opportunity=opportunity,
        title=_("Panel settings"),
        tab="settings",
        form=form,
    )
