"""The reviewer's assignments on the reviewers' site ("My assignments").

Their own assignments only (reviews.selectors.assignments_for_reviewer), each
with its page (reviewer_pages: the answers, the frozen version, the review) and,
once their review is submitted, the discussion, revision and consensus pages
(reviewer_discussion). A reviewer cannot add, change through a model form,
delete, export or run an action; nothing they can search or filter by names
who proposed.
"""

from django.contrib import admin
from django.utils.translation import gettext as _

from reviews import selectors
from reviews.admin.review_display import AssignmentColumns
from reviews.admin.reviewer_discussion import DiscussionPages
from reviews.admin.reviewer_pages import ReviewerPages
from reviews.admin.reviewer_site import reviewer_site
from reviews.models import ReviewAssignment
from reviews.permissions import is_own_assignment, is_reviewer


@admin.register(ReviewAssignment, site=reviewer_site)
class ReviewerAssignmentAdmin(
    AssignmentColumns, DiscussionPages, ReviewerPages, admin.ModelAdmin
):
    actions = None
    list_display = [
        "reference",
        "title",
        "call",
        "stage",
        "due",
        "status",
        "review_status",
    ]
    list_display_links = ["reference"]
    list_filter = ["status"]
    # Never an investigator's or a team's field: what a search finds would tell
    # who proposed.
    search_fields = ["proposal__reference", "proposal__title"]
    list_per_page = 50

    class Media:
        js = ["js/portal.js"]

    def has_module_permission(self, request) -> bool:
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return is_reviewer(request.user)
        return is_own_assignment(request.user, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return selectors.assignments_for_reviewer(reviewer=request.user)

    def get_urls(self):
        return [*self.reviewer_urls(), *self.discussion_urls(), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"title": _("My assignments"), **(extra_context or {})}
        return super().changelist_view(request, extra)
