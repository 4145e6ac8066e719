"""Review assignments and reviews in the admin, for reviewers and administrators.

For the administrators' panel (reviews/admin/panel.py): this module registers
ReviewAssignment (ReviewAssignmentAdmin) and Review (ReviewAdmin). Both keep
`actions` a plain list to append administrators' actions to; declare them with
`permissions=["manage"]`: `has_manage_permission` is defined on both and asks
reviews.permissions.can_manage_reviews. Reviewers never get an action.

Who sees what (reviews.permissions, reviews.selectors):
- a reviewer (staff in the Reviewers group; the admin asks for their
  authenticator code) sees "My assignments": their own assignments only, each
  with its page (reviewer_pages: the answers, the frozen version, the review).
  A reviewer cannot add, change through a model form, delete, export or run an
  action, nor open the reviews' list: their review lives on the assignment's
  page. Nothing they can search or filter by names who proposed.
- an administrator (reviews.manage_reviews) sees every assignment and review,
  identities included, read only: every change goes through the panel's actions
  and views, which call reviews.services.
- any other staff account gets a 403, anyone else the login page.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.templatetags.catalogue_tags import beijing
from reviews import selectors
from reviews.admin.reviewer_pages import (
    ADMINISTRATOR,
    REVIEWER,
    ReviewerPages,
    due_html,
    history_lines,
    role,
    scored_rows,
)
from reviews.models import Review, ReviewAssignment, ReviewScore
from reviews.permissions import can_manage_reviews, can_read_assignment


class ReviewAdminAccess:
    """Shared by both admins: nothing is added, changed or deleted through a
    model form; the administrators' actions may ask for `permissions=["manage"]`."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_manage_permission(self, request) -> bool:
        return can_manage_reviews(request.user)

    def get_actions(self, request):
        if role(request) != ADMINISTRATOR:
            return {}
        return super().get_actions(request)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReviewerPages, ReviewAdminAccess, admin.ModelAdmin):
    actions = []
    ordering = ["due_at", "pk"]
    list_display_links = ["reference"]
    list_per_page = 50
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

    # --- who ---

    def has_module_permission(self, request) -> bool:
        return bool(role(request))

    def has_view_permission(self, request, obj=None) -> bool:
        who = role(request)
        if obj is None or who == ADMINISTRATOR:
            return bool(who)
        return who == REVIEWER and can_read_assignment(request.user, obj)

    def get_queryset(self, request):
        who = role(request)
        if who == ADMINISTRATOR:
            return selectors.assignments_for_administrator(user=request.user)
        if who == REVIEWER:
            return selectors.assignments_for_reviewer(reviewer=request.user)
        return ReviewAssignment.objects.none()

    # --- the list ---

    def get_list_display(self, request):
        if role(request) == ADMINISTRATOR:
            return [
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
        return ["reference", "title", "call", "stage", "due", "status", "review_status"]

    def get_list_filter(self, request):
        if role(request) == ADMINISTRATOR:
            return [
                "status",
                "stage",
                ("proposal__opportunity", admin.RelatedOnlyFieldListFilter),
            ]
        return ["status"]

    def get_search_fields(self, request):
        # Never an investigator's or a team's field for a reviewer: what a search
        # finds would tell them who proposed.
        fields = ["proposal__reference", "proposal__title"]
        if role(request) == ADMINISTRATOR:
            fields += ["reviewer__email", "reviewer__full_name"]
        return fields

    def changelist_view(self, request, extra_context=None):
        extra = {} if role(request) == ADMINISTRATOR else {"title": _("My assignments")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @admin.display(
        description=gettext_lazy("reference"), ordering="proposal__reference"
    )
    def reference(self, assignment: ReviewAssignment) -> str:
        return assignment.proposal.reference

    @admin.display(description=gettext_lazy("title"), ordering="proposal__title")
    def title(self, assignment: ReviewAssignment) -> str:
        return assignment.proposal.title

    @admin.display(description=gettext_lazy("call"))
    def call(self, assignment: ReviewAssignment) -> str:
        return assignment.proposal.opportunity.title

    @admin.display(description=gettext_lazy("review due"), ordering="due_at")
    def due(self, assignment: ReviewAssignment) -> str:
        return due_html(assignment.due_at)

    @admin.display(description=gettext_lazy("review"))
    def review_status(self, assignment: ReviewAssignment) -> str:
        review = getattr(assignment, "review", None)
        return review.get_status_display() if review is not None else "—"

    @admin.display(description=gettext_lazy("reviewer"), ordering="reviewer__email")
    def reviewer_name(self, assignment: ReviewAssignment) -> str:
        reviewer = assignment.reviewer
        return format_html(
            "{}<br><small>{}</small>", reviewer.get_full_name(), reviewer.email
        )

    # --- the pages (a reviewer's: reviewer_pages) ---

    def get_urls(self):
        return [*self.reviewer_urls(), *super().get_urls()]

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        """The administrators' read-only page, with the review, the version's
        files and the history."""
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
                pdf_url=reverse("admin:reviews_reviewassignment_pdf", args=[obj.pk]),
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        """Administrators: the admin's log, then the workflow's events with
        names. Reviewers: reviewer_pages."""
        if role(request) == ADMINISTRATOR:
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
        return role(request) == ADMINISTRATOR

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")


@admin.register(Review)
class ReviewAdmin(ReviewAdminAccess, admin.ModelAdmin):
    """Every review, for administrators only, read only; a reviewer writes
    theirs on their assignment's page."""

    actions = []
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
    ordering = ["-updated_at", "pk"]
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

    def has_module_permission(self, request) -> bool:
        return role(request) == ADMINISTRATOR

    def has_view_permission(self, request, obj=None) -> bool:
        return role(request) == ADMINISTRATOR

    def get_queryset(self, request):
        if role(request) != ADMINISTRATOR:
            return Review.objects.none()
        assignments = selectors.assignments_for_administrator(user=request.user)
        return Review.objects.filter(
            assignment__in=assignments.values("pk")
        ).select_related("assignment__proposal__opportunity", "assignment__reviewer")

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
