"""The administrators' review models: reviewer profiles, decisions and the
calls' decision letter templates, on the administrators' site.

The review panel itself — the chair's pages per call — lives in reviews.panel
and is routed by the administrators' site (config.admin_site) at
`/admin/panel/…`. The panel's two changelist actions (reviews.panel.actions)
are declared on the assignments' and reviews' admins (reviews.admin.reviewing).

Administrators only: every page checks reviews.permissions; writes go through
reviews.services.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from catalogue.admin.reference import ReadOnlyHistoryMixin
from config.admin_lists import LeanChangeListMixin
from proposals.admin.lists import opportunity_filter
from proposals.admin.proposals import OPPORTUNITY_TEXTS, PROPOSAL_TEXTS
from reviews import selectors, services
from reviews.models import Decision, DecisionLetterTemplate, ReviewerProfile
from reviews.panel.base import panel_url
from reviews.permissions import (
    can_decide,
    can_manage_reviews,
    is_review_administrator,
)


class AdministratorsOnly:
    """The panel's models: administrators see them; nobody else does."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_review_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_review_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Expertise keywords (matched by the automatic assignment) and further
    affiliations (checked for conflicts of interest)."""

    list_display = ["user", "institution", "expertise", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name", "expertise"]
    fields = ["user", "expertise", "other_institutions"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_reviews(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_reviews(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = selectors.eligible_reviewers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("institution"))
    def institution(self, profile: ReviewerProfile) -> str:
        return profile.user.institution

    def save_model(self, request, obj, form, change):
        profile = services.update_reviewer_profile(
            reviewer=obj.user,
            actor=request.user,
            expertise=form.cleaned_data["expertise"],
            other_institutions=form.cleaned_data["other_institutions"],
        )
        obj.pk = profile.pk


@admin.register(DecisionLetterTemplate)
class DecisionLetterTemplateAdmin(
    AdministratorsOnly, ReadOnlyHistoryMixin, SimpleHistoryAdmin
):
    list_display = ["opportunity", "outcome", "updated_by", "updated_at"]
    history_list_display = ["outcome"]
    list_filter = ["outcome", ("opportunity", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["opportunity", "updated_by"]
    fields = ["opportunity", "outcome", "body"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_reviews(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_reviews(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["opportunity", "outcome"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        template = services.set_letter_template(
            opportunity=obj.opportunity,
            outcome=obj.outcome,
            body=form.cleaned_data["body"],
            actor=request.user,
        )
        obj.pk = template.pk


@admin.register(Decision)
class DecisionAdmin(
    AdministratorsOnly, ReadOnlyHistoryMixin, LeanChangeListMixin, SimpleHistoryAdmin
):
    """Decisions, read here and changed through record_decision until they are
    released."""

    list_display = [
        "reference",
        "title",
        "opportunity",
        "outcome",
        "decided_by",
        "decided_at",
        "released_at",
    ]
    list_filter = [
        "outcome",
        ("released_at", admin.EmptyFieldListFilter),
        opportunity_filter("proposal__opportunity"),
    ]
    list_select_related = ["proposal__opportunity", "decided_by"]
    list_per_page = 50  # seven columns, as the assignments' list
    list_defer = [
        "conditions",
        "letter",
        *(f"proposal__{name}" for name in PROPOSAL_TEXTS),
        *(f"proposal__opportunity__{name}" for name in OPPORTUNITY_TEXTS),
    ]
    search_fields = ["proposal__reference", "proposal__title"]
    fields = [
        "proposal",
        "outcome",
        "conditions",
        "letter",
        "decided_by",
        "decided_at",
        "released_by",
        "released_at",
    ]
    change_list_template = "admin/reviews/panel/decision_change_list.html"
    history_list_display = ["outcome", "released_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_decide(request.user) and (obj is None or not obj.is_released)

    def get_readonly_fields(self, request, obj=None):
        fixed = ["proposal", "decided_by", "decided_at", "released_by", "released_at"]
        if obj is not None and obj.is_released:
            return self.fields
        return fixed

    @admin.display(
        description=gettext_lazy("reference"), ordering="proposal__reference"
    )
    def reference(self, decision: Decision) -> str:
        return decision.proposal.reference

    @admin.display(description=gettext_lazy("title"))
    def title(self, decision: Decision) -> str:
        return decision.proposal.title

    @admin.display(description=gettext_lazy("opportunity"))
    def opportunity(self, decision: Decision) -> str:
        return decision.proposal.opportunity.title

    def save_model(self, request, obj, form, change):
        services.record_decision(
            proposal=obj.proposal,
            outcome=form.cleaned_data["outcome"],
            conditions=form.cleaned_data["conditions"],
            letter=form.cleaned_data["letter"],
            actor=request.user,
        )

    def changelist_view(self, request, extra_context=None):
        extra = {"panel_index_url": panel_url("index")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})
