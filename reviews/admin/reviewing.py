"""Review assignments and reviews for administrators, on the administrators'
site (/admin/), read only.

This module registers ReviewAssignment (ReviewAssignmentAdmin) and Review
(ReviewAdmin), each with the panel's action on it (reviews.panel.actions:
"Cancel the selected assignments", "Reopen the selected reviews"), declared with
`permissions=["manage"]`: `has_manage_permission` is defined on both and asks
reviews.permissions.can_manage_reviews.

Only administrators (reviews.permissions.is_review_administrator) see them:
every assignment and review, identities included, read only; every change goes
through the panel's actions and views, which call reviews.services. Reviewers
work on their own site (reviewer_site, reviewer_assignments) and never reach
this one; any other staff account gets a 403.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from catalogue.templatetags.catalogue_tags import beijing
from config.admin_lists import LeanChangeListMixin
from proposals.admin.lists import opportunity_filter
from proposals.admin.proposals import call_title
from reviews import selectors
from reviews.admin import reviewer_files
from reviews.admin.review_display import (
    AssignmentColumns,
    history_lines,
    scored_rows,
)
from reviews.models import Review, ReviewAssignment, ReviewScore
from reviews.panel.actions import cancel_assignments, reopen_reviews
from reviews.permissions import can_manage_reviews, is_review_administrator

INFO = "reviews_reviewassignment"


class AdministratorsOnly:
    """Shared by both admins: administrators read; nothing is added, changed
    or deleted through a model form; the administrators' actions may ask for
    `permissions=["manage"]`."""

    def has_module_permission(self, request) -> bool:
        return is_review_administrator(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_review_administrator(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_manage_permission(self, request) -> bool:
        return can_manage_reviews(request.user)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(
    AssignmentColumns, AdministratorsOnly, LeanChangeListMixin, admin.ModelAdmin
):
    actions = [cancel_assignments]
    ordering = ["due_at", "pk"]  # the index assignment_due
    list_display = [
        "reference",
        "title",
        "call",
        "reviewer_name",
        "stage",
        "due",
        "status",
        "review_status",
        "fit",
    ]
    list_display_links = ["reference"]
    list_filter = ["status", "stage", opportunity_filter("proposal__opportunity")]
    search_fields = [
        "proposal__reference",
        "proposal__title",
        "reviewer__email",
        "reviewer__full_name",
    ]
    list_per_page = 50
    # The columns' relations only (the selector also joins the mission, the
    # principal investigator and who assigned, for the change form), and of
    # them what the columns and the checkbox's label (str()) show.
    list_select_related = ["proposal__opportunity", "reviewer", "review"]
    list_only = [
        "stage",
        "status",
        "due_at",
        "fit",
        "proposal__reference",
        "proposal__title",
        *call_title("proposal__opportunity"),
        "reviewer__full_name",
        "reviewer__email",
        "review__status",
    ]
    fields = [
        "proposal",
        "reviewer",
        "stage",
        "version",
        "status",
        "due",
        "fit",
        "assigned_by",
        "assigned_at",
        "responded_at",
        "conflict_reason",
        "decline_reason",
    ]
    readonly_fields = fields
    change_form_template = "admin/reviews/reviewing/administrator_assignment.html"
    object_history_template = "admin/reviews/reviewing/administrator_history.html"

    class Media:
        js = ["js/portal.js"]

    def get_queryset(self, request):
        if not is_review_administrator(request.user):
            return ReviewAssignment.objects.none()
        return selectors.assignments_for_administrator(user=request.user)

    @admin.display(description=gettext_lazy("reviewer"), ordering="reviewer__email")
    def reviewer_name(self, assignment: ReviewAssignment) -> str:
        reviewer = assignment.reviewer
        return format_html(
            "{}<br><small>{}</small>", reviewer.get_full_name(), reviewer.email
        )

    # --- the version's files ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", wrap(self.pdf_view), name=f"{INFO}_pdf"),
            path(
                "<int:pk>/documents/<int:document_pk>/",
                wrap(self.document_view),
                name=f"{INFO}_document",
            ),
            *super().get_urls(),
        ]

    def _assignment(self, request, pk) -> ReviewAssignment:
        if not is_review_administrator(request.user):
            raise PermissionDenied
        return selectors.assignment_for_user(user=request.user, pk=pk)

    def pdf_view(self, request, pk) -> HttpResponse:
        """The frozen version as a PDF, with the team."""
        assignment = self._assignment(request, pk)
        view = selectors.reviewer_view(user=request.user, assignment=assignment)
        return reviewer_files.version_pdf_response(view)

    def document_view(self, request, pk, document_pk) -> HttpResponse:
        assignment = self._assignment(request, pk)
        return reviewer_files.assignment_document_response(
            user=request.user,
            assignment=assignment,
            document_pk=document_pk,
            anonymous=False,
        )

    # --- the page ---

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        """The read-only page, with the review, the version's files and the
        history."""
        if obj is not None:
            review = getattr(obj, "review", None)
            criteria = obj.proposal.opportunity.criteria.all()
            context.update(
                review=review,
                scores=scored_rows(review, criteria) if review else [],
                history=history_lines(
                    user=request.user, assignment=obj, anonymous_actors=False
                ),
                documents=selectors.reviewer_documents(
                    user=request.user, assignment=obj
                ),
                pdf_url=reverse(f"{self.admin_site.name}:{INFO}_pdf", args=[obj.pk]),
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        """The admin's log, then the workflow's events with names."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        assignment = selectors.assignment_for_user(user=request.user, pk=object_id)
        extra_context = {
            "history": history_lines(
                user=request.user, assignment=assignment, anonymous_actors=False
            ),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context)


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    can_delete = False
    fields = ["criterion", "score"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return is_review_administrator(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")


@admin.register(Review)
class ReviewAdmin(AdministratorsOnly, LeanChangeListMixin, admin.ModelAdmin):
    """Every review, for administrators only, read only; a reviewer writes
    theirs on their assignment's page on the reviewers' site."""

    actions = [reopen_reviews]
    list_display = [
        "reference",
        "reviewer_name",
        "status",
        "recommendation",
        "submitted",
        "updated_at",
    ]
    list_display_links = ["reference"]
    list_filter = ["status", "recommendation"]
    search_fields = [
        "assignment__proposal__reference",
        "assignment__proposal__title",
        "assignment__reviewer__email",
        "assignment__reviewer__full_name",
    ]
    ordering = ["-updated_at", "pk"]  # the index review_recent
    list_per_page = 50  # as the assignments: six columns
    # The columns' relations (not the call, which get_queryset joins for the
    # change form), and of them what the columns and str() show.
    list_select_related = ["assignment__proposal", "assignment__reviewer"]
    list_only = [
        "status",
        "recommendation",
        "submitted_at",
        "updated_at",
        "assignment__proposal__reference",
        "assignment__reviewer__full_name",
        "assignment__reviewer__email",
    ]
    fields = [
        "assignment",
        "status",
        "submitted",
        "recommendation",
        "comments_for_proposer",
        "confidential_comments",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [ReviewScoreInline]
    change_form_template = "admin/reviews/reviewing/review_change_form.html"
    object_history_template = "admin/reviews/reviewing/administrator_history.html"

    def get_queryset(self, request):
        # An administrator reads every assignment
        # (selectors.assignments_for_administrator), so every review: no
        # `assignment IN (every assignment)`, which PostgreSQL evaluated in full
        # for each page's count.
        if not is_review_administrator(request.user):
            return Review.objects.none()
        return Review.objects.select_related(
            "assignment__proposal__opportunity", "assignment__reviewer"
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["history"] = history_lines(
                user=request.user, assignment=obj.assignment, anonymous_actors=False
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        # Refused before the look-up: Django's would send a reviewer to the
        # index with "does not exist" rather than a 403.
        if not self.has_view_permission(request):
            raise PermissionDenied
        review = self.get_object(request, object_id)
        if review is not None:
            extra_context = {
                "history": history_lines(
                    user=request.user,
                    assignment=review.assignment,
                    anonymous_actors=False,
                ),
                **(extra_context or {}),
            }
        return super().history_view(request, object_id, extra_context)

    @admin.display(
        description=gettext_lazy("reference"),
        ordering="assignment__proposal__reference",
    )
    def reference(self, review: Review) -> str:
        return review.assignment.proposal.reference

    @admin.display(
        description=gettext_lazy("reviewer"), ordering="assignment__reviewer__email"
    )
    def reviewer_name(self, review: Review) -> str:
        return review.assignment.reviewer.get_full_name()

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_at")
    def submitted(self, review: Review) -> str:
        return beijing(review.submitted_at) or "—"
