"""A reviewer's pages on the reviewers' site, mixed into the reviewer's
assignment admin (reviewer_assignments.ReviewerAssignmentAdmin).

The assignment's page (its change view), the three answers (accept declaring no
conflict, decline, declare a conflict), the review form (save a draft; submit
after a confirmation, locked after; a "next assignment" link once submitted),
the history with every other actor unnamed, and the downloads of the version's
PDF and documents (reviewer_files). Every view reads the assignment through
reviews.selectors.assignment_for_reviewer, so another reviewer's assignment is a
404, and writes through reviews.services. The administrators' read-only pages
are reviewing.py's, on the administrators' site.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from config.admin_site import REFUSALS, show_refusal
from reviews import selectors, services
from reviews.admin import reviewer_files
from reviews.admin.review_display import (
    due_html,
    history_lines,
    recommendation_label,
    reopening_reason,
    saved_weighted_score,
    scored_rows,
)
from reviews.enums import ReviewStatus
from reviews.forms import ANSWER_ACCEPT, ANSWER_DECLINE, ANSWER_FORMS, ReviewForm
from reviews.models import ReviewAssignment
from reviews.permissions import (
    can_declare_conflict,
    can_read_discussion,
    can_read_proposal_as_reviewer,
    can_respond_to_assignment,
    can_revise_review,
    can_score,
    can_write_consensus,
)

INFO = "reviews_reviewassignment"


class ReviewerPages:
    """The reviewer's views; the host is the reviewers' assignment admin."""

    def reviewer_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/answer/", wrap(self.answer_view), name=f"{INFO}_answer"),
            path("<int:pk>/review/", wrap(self.review_view), name=f"{INFO}_review"),
            path(
                "<int:pk>/review/submit/",
                wrap(self.submit_view),
                name=f"{INFO}_submit",
            ),
            path("<int:pk>/pdf/", wrap(self.pdf_view), name=f"{INFO}_pdf"),
            path(
                "<int:pk>/documents/<int:document_pk>/",
                wrap(self.document_view),
                name=f"{INFO}_document",
            ),
        ]

    def own_assignment(self, request, pk) -> ReviewAssignment:
        """The reviewer's own assignment; Http404 for anyone else's."""
        return selectors.assignment_for_reviewer(reviewer=request.user, pk=pk)

    def page_url(self, assignment, anchor: str = "") -> str:
        url = reverse(
            f"{self.admin_site.name}:{INFO}_change",
            args=[assignment.pk],
        )
        return f"{url}#{anchor}" if anchor else url

    def _render(
        self, request, template: str, context: dict, *, status: int = 200
    ) -> TemplateResponse:
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            f"admin/reviews/reviewing/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, **context},
            status=status,
        )

    # --- pages ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.reviewer_page(request, self.own_assignment(request, object_id))

    def history_view(self, request, object_id, extra_context=None):
        """The workflow's events, nobody else named."""
        assignment = self.own_assignment(request, object_id)
        return self._render(
            request,
            "history.html",
            {
                "title": _("History of %(reference)s")
                % {"reference": assignment.proposal.reference},
                "assignment": assignment,
                "history": history_lines(
                    user=request.user, assignment=assignment, anonymous_actors=True
                ),
            },
        )

    def reviewer_page(
        self, request, assignment, *, answer_forms=None, review_form=None, problems=()
    ) -> TemplateResponse:
        """Before the reviewer declares no conflict: the call, the reference,
        and the frozen version's title, abstract and keywords to judge fit (and
        the team, in a call that is not dual-anonymous). Then the frozen version,
        the review, the discussion's links and the revisions."""
        user = request.user
        opportunity = assignment.proposal.opportunity
        panel = selectors.panel_of(opportunity=opportunity)
        forms = {name: form(prefix=name) for name, form in ANSWER_FORMS.items()}
        context = {
            "title": assignment.proposal.reference,
            "assignment": assignment,
            "opportunity": opportunity,
            "anonymous": opportunity.dual_anonymous,
            "due": due_html(assignment.due_at),
            "can_respond": can_respond_to_assignment(user, assignment),
            "can_declare_conflict": can_declare_conflict(user, assignment),
            "answer_forms": {**forms, **(answer_forms or {})},
            "problems": problems,
        }
        if context["can_respond"]:
            context["declaration"] = selectors.declaration_view(
                user=user, assignment=assignment
            )
        if can_read_proposal_as_reviewer(user, assignment):
            view = selectors.reviewer_view(user=user, assignment=assignment)
            review = assignment.review
            others = selectors.other_reviews_visible_to(
                reviewer=user, proposal=assignment.proposal
            )
            report = selectors.consensus_report_for(proposal=assignment.proposal)
            context.update(
                view=view,
                snapshot=view.snapshot,
                review=review,
                weighted=saved_weighted_score(review, view.criteria),
                reopened_because=reopening_reason(review),
                other_reviews=[
                    (other, recommendation_label(other.recommendation))
                    for other in others
                ],
                can_read_discussion=can_read_discussion(user, assignment),
                can_revise=can_revise_review(user, assignment, panel),
                can_write_consensus=can_write_consensus(user, report, panel),
                revisions=selectors.review_revisions(review=review)
                if review.status != ReviewStatus.DRAFT
                else [],
            )
            if can_score(user, assignment):
                context["review_form"] = review_form or ReviewForm.for_review(
                    review, criteria=view.criteria
                )
            else:
                context["scores"] = scored_rows(review, view.criteria)
                if review.status == ReviewStatus.SUBMITTED:
                    following = selectors.next_assignment(
                        reviewer=user, after=assignment
                    )
                    context["next_assignment"] = following
        return self._render(request, "assignment.html", context)

    # --- the reviewer's answers and review ---

    def answer_view(self, request, pk) -> HttpResponse:
        """Accept (no conflict), decline or declare a conflict of interest."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        assignment = self.own_assignment(request, pk)
        answer = request.POST.get("answer", "")
        if answer not in ANSWER_FORMS:
            raise Http404
        form = ANSWER_FORMS[answer](request.POST, prefix=answer)
        if not form.is_valid():
            return self.reviewer_page(request, assignment, answer_forms={answer: form})
        reason = form.cleaned_data.get("reason", "")
        try:
            if answer == ANSWER_ACCEPT:
                services.accept_assignment(assignment=assignment, actor=request.user)
                done = _("You declared no conflict of interest: the proposal is open.")
            elif answer == ANSWER_DECLINE:
                services.decline_assignment(
                    assignment=assignment, actor=request.user, reason=reason
                )
                done = _("You declined this review; the administrators can see why.")
            else:
                services.declare_conflict(
                    assignment=assignment, actor=request.user, reason=reason
                )
                done = _(
                    "You declared a conflict of interest: the assignment has ended "
                    "and the administrators have been told."
                )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
            return self.reviewer_page(
                request, self.own_assignment(request, pk), answer_forms={answer: form}
            )
        messages.success(request, done)
        return redirect(self.page_url(assignment))

    def review_view(self, request, pk) -> HttpResponse:
        """Save the review as a draft; with "Submit", then ask to confirm."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        assignment = self.own_assignment(request, pk)
        if not can_score(request.user, assignment):
            messages.error(request, _("This review cannot be changed now."))
            return redirect(self.page_url(assignment))
        review = assignment.review
        criteria = assignment.proposal.opportunity.criteria.all()
        form = ReviewForm.for_review(review, criteria=criteria, data=request.POST)
        refused = self._save_draft(request, assignment, form)
        if refused is not None:
            return refused
        if "_submit" not in request.POST:
            messages.success(request, _("Your draft is saved."))
            return redirect(self.page_url(assignment, "review"))
        problems = services.submission_problems(review)
        if problems:
            return self.reviewer_page(
                request, assignment, review_form=form, problems=problems
            )
        return redirect(f"{self.admin_site.name}:{INFO}_submit", pk=assignment.pk)

    def _save_draft(self, request, assignment, form) -> HttpResponse | None:
        """Save the form through the service; the response when refused (the
        form as posted, with the reason)."""
        if not form.is_valid():
            return self.reviewer_page(request, assignment, review_form=form)
        try:
            services.save_review_draft(
                review=assignment.review, actor=request.user, **form.review_values()
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.reviewer_page(request, assignment, review_form=form)
        except REFUSALS as refusal:
            show_refusal(request, refusal)
            return self.reviewer_page(request, assignment, review_form=form)
        return None

    def submit_view(self, request, pk) -> HttpResponse:
        """Confirm, then submit: the review is locked after."""
        assignment = self.own_assignment(request, pk)
        if not can_score(request.user, assignment):
            messages.error(request, _("This review cannot be submitted now."))
            return redirect(self.page_url(assignment))
        review = assignment.review
        if request.method == "POST":
            try:
                services.submit_review(review=review, actor=request.user)
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
                messages.success(
                    request, _("Your review is submitted and locked. Thank you.")
                )
            return redirect(self.page_url(assignment, "review"))
        criteria = assignment.proposal.opportunity.criteria.all()
        return self._render(
            request,
            "submit_confirm.html",
            {
                "title": _("Submit your review of %(reference)s")
                % {"reference": assignment.proposal.reference},
                "assignment": assignment,
                "review": review,
                "scores": scored_rows(review, criteria),
                "weighted": saved_weighted_score(review, criteria),
                "problems": services.submission_problems(review),
            },
        )

    # --- downloads ---

    def pdf_view(self, request, pk) -> HttpResponse:
        """The frozen version as a PDF, anonymised for a dual-anonymous call."""
        assignment = self.own_assignment(request, pk)
        view = selectors.reviewer_view(user=request.user, assignment=assignment)
        return reviewer_files.version_pdf_response(view)

    def document_view(self, request, pk, document_pk) -> HttpResponse:
        """One document of the frozen version, named by the call's name for it,
        without its metadata in a dual-anonymous call."""
        assignment = self.own_assignment(request, pk)
        return reviewer_files.assignment_document_response(
            user=request.user,
            assignment=assignment,
            document_pk=document_pk,
            anonymous=assignment.proposal.opportunity.dual_anonymous,
        )
