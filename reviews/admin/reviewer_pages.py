"""A reviewer's pages in the admin, mixed into ReviewAssignmentAdmin.

The assignment's page (its change view, for a reviewer), the three answers
(accept declaring no conflict, decline, declare a conflict), the review form
(save a draft; submit after a confirmation, locked after), the history with
every other actor unnamed, and the downloads of the version's PDF and documents
(reviewer_files). Every view reads the assignment through
reviews.selectors.assignment_for_reviewer, so another reviewer's assignment is a
404, and writes through reviews.services.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from catalogue.templatetags.catalogue_tags import beijing, iso_utc, utc_text
from reviews import selectors, services
from reviews.admin import reviewer_files
from reviews.enums import (
    SCORE_DESCRIPTIONS,
    AssignmentStatus,
    Recommendation,
    ReviewStatus,
    Score,
)
from reviews.forms import ANSWER_ACCEPT, ANSWER_DECLINE, ANSWER_FORMS, ReviewForm
from reviews.models import ReviewAssignment
from reviews.permissions import (
    can_declare_conflict,
    can_read_proposal_as_reviewer,
    can_respond_to_assignment,
    can_score,
    is_review_administrator,
    is_reviewer,
)
from reviews.workflow import TransitionNotAllowed

ADMINISTRATOR = "administrator"
REVIEWER = "reviewer"
INFO = "reviews_reviewassignment"


def role(request: HttpRequest) -> str:
    """ "administrator", "reviewer" or "" — worked out once per request."""
    cached = getattr(request, "_review_admin_role", None)
    if cached is None:
        user = request.user
        if is_review_administrator(user):
            cached = ADMINISTRATOR
        elif is_reviewer(user):
            cached = REVIEWER
        else:
            cached = ""
        request._review_admin_role = cached
    return cached


def due_html(moment: datetime | None) -> str:
    """Beijing time, and the reader's own zone (static/js/portal.js)."""
    if moment is None:
        return "—"
    return format_html(
        '{}<br><small>{} <time datetime="{}" data-local-time>{}</time></small>',
        beijing(moment),
        _("In your time zone:"),
        iso_utc(moment),
        utc_text(moment),
    )


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    change: str
    by: str
    note: str


def _status_label(choices, value: str) -> str:
    return str(choices(value).label) if value else ""


def _change(choices, event, *, of_review: bool) -> str:
    before = _status_label(choices, event.from_status)
    after = _status_label(choices, event.to_status)
    if of_review:
        return _("Review: %(before)s → %(after)s") % {"before": before, "after": after}
    if before and before != after:
        return f"{before} → {after}"
    return after


def history_lines(*, user, assignment, anonymous_actors: bool) -> list[HistoryLine]:
    """The assignment's and its review's events, oldest first. For a reviewer
    (`anonymous_actors`) every other actor is "the administrators", and only
    their own notes and the reasons for reopening their review (emailed to
    them) are shown."""
    review = getattr(assignment, "review", None)
    events = [
        (event, AssignmentStatus, False)
        for event in selectors.assignment_history(assignment=assignment)
    ]
    if review is not None:
        events += [
            (event, ReviewStatus, True)
            for event in selectors.review_history(review=review)
        ]
    lines = []
    for event, choices, of_review in sorted(events, key=lambda row: row[0].at):
        if anonymous_actors:
            own = event.actor_id == user.pk
            reopened = of_review and event.to_status == ReviewStatus.REOPENED
            by = _("You") if own else _("The administrators")
            note = event.note if own or reopened else ""
        else:
            by = event.actor.get_full_name() if event.actor else "—"
            note = event.note
        lines.append(
            HistoryLine(
                at=event.at,
                change=_change(choices, event, of_review=of_review),
                by=by,
                note=note,
            )
        )
    return lines


def recommendation_label(value: str) -> str:
    return str(Recommendation(value).label) if value else "—"


def scored_rows(review, criteria) -> list[tuple[object, str, str]]:
    """(criterion, "4 — Very good", meaning) for a review shown read only."""
    given = {score.criterion_id: score.score for score in review.scores.all()}
    rows = []
    for criterion in criteria:
        value = given.get(criterion.pk)
        if value is None:
            rows.append((criterion, "—", ""))
        else:
            rows.append((criterion, Score(value).label, SCORE_DESCRIPTIONS[value]))
    return rows


def reopening_reason(review) -> str:
    """Why an administrator reopened the review, while it is reopened."""
    if review.status != ReviewStatus.REOPENED:
        return ""
    notes = [
        event.note
        for event in selectors.review_history(review=review)
        if event.to_status == ReviewStatus.REOPENED
    ]
    return notes[-1] if notes else ""


class ReviewerPages:
    """The reviewer's views; the host ModelAdmin is ReviewAssignmentAdmin."""

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
        """The reviewer's own assignment (Http404 otherwise); 403 for others."""
        if role(request) != REVIEWER:
            raise PermissionDenied
        return selectors.assignment_for_reviewer(reviewer=request.user, pk=pk)

    def readable_assignment(self, request, pk) -> ReviewAssignment:
        """An assignment for its reviewer or an administrator."""
        if role(request) == ADMINISTRATOR:
            return selectors.assignment_for_user(user=request.user, pk=pk)
        return self.own_assignment(request, pk)

    @staticmethod
    def page_url(assignment, anchor: str = "") -> str:
        url = reverse(f"admin:{INFO}_change", args=[assignment.pk])
        return f"{url}#{anchor}" if anchor else url

    def _render(self, request, template: str, context: dict) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/reviews/reviewing/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, **context},
        )

    # --- pages ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if role(request) == REVIEWER:
            return self.reviewer_page(request, self.own_assignment(request, object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        """A reviewer's history: the workflow's events, nobody else named."""
        if role(request) != REVIEWER:
            return super().history_view(request, object_id, extra_context)
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
        """Nothing of the proposal but its reference, call and title (and the
        team, in a call that is not dual-anonymous) before the reviewer declares
        no conflict; then the frozen version and the review."""
        user = request.user
        opportunity = assignment.proposal.opportunity
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
            context.update(
                view=view,
                snapshot=view.snapshot,
                review=review,
                reopened_because=reopening_reason(review),
                other_reviews=[
                    (other, recommendation_label(other.recommendation))
                    for other in others
                ],
            )
            if can_score(user, assignment):
                context["review_form"] = review_form or ReviewForm.for_review(
                    review, criteria=view.criteria
                )
            else:
                context["scores"] = scored_rows(review, view.criteria)
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
        except (PermissionDenied, TransitionNotAllowed) as refusal:
            messages.error(request, str(refusal))
        else:
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
        return redirect(f"admin:{INFO}_submit", pk=assignment.pk)

    def _save_draft(self, request, assignment, form) -> HttpResponse | None:
        """Save the form through the service; the response when refused."""
        if not form.is_valid():
            return self.reviewer_page(request, assignment, review_form=form)
        try:
            services.save_review_draft(
                review=assignment.review, actor=request.user, **form.review_values()
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.reviewer_page(request, assignment, review_form=form)
        except services.ReviewLocked as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect(self.page_url(assignment))
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
            except (services.ReviewIncomplete, services.ReviewLocked) as refusal:
                messages.error(request, " ".join(refusal.messages))
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
                "problems": services.submission_problems(review),
            },
        )

    # --- downloads ---

    def pdf_view(self, request, pk) -> HttpResponse:
        """The frozen version as a PDF, anonymised for a dual-anonymous call."""
        assignment = self.readable_assignment(request, pk)
        view = selectors.reviewer_view(user=request.user, assignment=assignment)
        return reviewer_files.version_pdf_response(view)

    def document_view(self, request, pk, document_pk) -> HttpResponse:
        """One document of the frozen version, named by the call's name for it."""
        assignment = self.readable_assignment(request, pk)
        documents = selectors.reviewer_documents(
            user=request.user, assignment=assignment
        )
        document = next((d for d in documents if d.pk == document_pk), None)
        if document is None:
            raise Http404
        anonymous = (
            assignment.proposal.opportunity.dual_anonymous
            and role(request) != ADMINISTRATOR
        )
        return reviewer_files.document_response(
            document, reference=assignment.proposal.reference, anonymous=anonymous
        )
