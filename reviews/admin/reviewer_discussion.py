"""What a reviewer does after submitting, on the reviewers' site, mixed into
the reviewer's assignment admin:

- the proposal's discussion thread (`thread`): read it (which marks it read)
  and post, once their own review is submitted; other reviewers are
  "Reviewer N" in a dual-anonymous call (reviews.selectors.thread);
- revise their submitted review while the call's discussion phase is open
  (`revise`), saying why; every revision is kept and listed on the
  assignment's page;
- the consensus report, for the primary reviewer the administrators
  designated (`consensus`).

Reads through reviews.selectors, writes through reviews.services; a refusal is
shown as an error message above the form, with what the reviewer typed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from config.admin_site import REFUSALS, show_refusal
from reviews import selectors, services
from reviews.admin.review_display import saved_weighted_score
from reviews.forms import ConsensusForm, MessageForm, ReviseForm
from reviews.permissions import (
    can_read_discussion,
    can_read_proposal_as_reviewer,
    can_revise_review,
    can_write_consensus,
)

INFO = "reviews_reviewassignment"


class DiscussionPages:
    """Thread, revision and consensus views; the host also mixes ReviewerPages
    (own_assignment, page_url, _render)."""

    def discussion_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/thread/", wrap(self.thread_view), name="thread"),
            path("<int:pk>/revise/", wrap(self.revise_view), name="revise"),
            path("<int:pk>/consensus/", wrap(self.consensus_view), name="consensus"),
        ]

    def thread_view(self, request, pk) -> HttpResponse:
        user = request.user
        assignment = self.own_assignment(request, pk)
        if not can_read_discussion(user, assignment):
            raise PermissionDenied(
                _("The discussion opens to you once your review is submitted.")
            )
        proposal = assignment.proposal
        thread = selectors.thread(user=user, proposal=proposal, stage=assignment.stage)
        # A message posted as the discussion closed is refused by the service
        # and shown again with the refusal, so that nothing typed is lost.
        if request.method != "POST":
            form = MessageForm() if thread.can_post else None
        else:
            form = MessageForm(request.POST)
            if form.is_valid():
                try:
                    services.post_message(
                        proposal=proposal, actor=user, body=form.cleaned_data["body"]
                    )
                except REFUSALS as refusal:
                    show_refusal(request, refusal)
                else:
                    messages.success(request, _("Your message is posted."))
                    return redirect(f"{request.path}#latest")
        services.mark_thread_read(proposal=proposal, stage=assignment.stage, user=user)
        return self._render(
            request,
            "thread.html",
            {
                "title": _("Discussion of %(reference)s")
                % {"reference": proposal.reference},
                "assignment": assignment,
                "thread": thread,
                "form": form,
                "anonymous": proposal.opportunity.dual_anonymous,
            },
        )

    def revise_view(self, request, pk) -> HttpResponse:
        user = request.user
        assignment = self.own_assignment(request, pk)
        panel = selectors.panel_of(opportunity=assignment.proposal.opportunity)
        # A revision posted as the phase closed goes to the service, which
        # refuses it with a reason; the form comes back as it was typed.
        posting = request.method == "POST" and can_read_proposal_as_reviewer(
            user, assignment
        )
        if not (posting or can_revise_review(user, assignment, panel)):
            raise PermissionDenied(
                _(
                    "A submitted review can be revised only while the call's "
                    "discussion phase is open."
                )
            )
        review = assignment.review
        criteria = assignment.proposal.opportunity.criteria.all()
        form = ReviseForm.for_review(
            review,
            criteria=criteria,
            data=request.POST if request.method == "POST" else None,
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.revise_review(
                    review=review, actor=user, **form.revision_values()
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
                messages.success(
                    request,
                    _("Your review is revised; the earlier version is kept."),
                )
                return redirect(self.page_url(assignment, "review"))
        return self._render(
            request,
            "revise.html",
            {
                "title": _("Revise your review of %(reference)s")
                % {"reference": assignment.proposal.reference},
                "assignment": assignment,
                "review_form": form,
                "weighted": saved_weighted_score(review, criteria),
            },
        )

    def consensus_view(self, request, pk) -> HttpResponse:
        user = request.user
        assignment = self.own_assignment(request, pk)
        proposal = assignment.proposal
        panel = selectors.panel_of(opportunity=proposal.opportunity)
        report = selectors.consensus_report_for(proposal=proposal)
        # The primary reviewer's report posted as the discussion closed goes to
        # the service, which refuses it; the text comes back with the reason.
        posting = (
            request.method == "POST"
            and report is not None
            and report.primary_reviewer_id == user.pk
        )
        if not (posting or can_write_consensus(user, report, panel)):
            raise PermissionDenied(
                _(
                    "Only the primary reviewer the administrators designated "
                    "writes the consensus report, until the discussion closes."
                )
            )
        form = ConsensusForm(
            request.POST if request.method == "POST" else None,
            initial={"body": report.body if report else ""},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.write_consensus(
                    proposal=proposal, body=form.cleaned_data["body"], actor=user
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
                messages.success(request, _("The consensus report is saved."))
                return redirect(self.page_url(assignment))
        return self._render(
            request,
            "consensus.html",
            {
                "title": _("Consensus report on %(reference)s")
                % {"reference": proposal.reference},
                "assignment": assignment,
                "report": report,
                "form": form,
            },
        )
