"""The administrators' review panel.

Registers ReviewerProfile, Decision and DecisionLetterTemplate, and hangs the
panel's pages off the Decision admin, per opportunity, under
`/admin/reviews/decision/panel/`:

- the index: every call with its proposals in review, reviews and decisions;
- assign (by hand, one proposal or several at once; panel_assign) and
  automatic assignment with the plan shown before it is saved;
- the ranking with statistics, charts and CSV/XLSX exports, one proposal's
  reviews with reopening, and the manifest recommendation (panel_ranking);
- letters of intent, decisions and their letters, the call's letter templates
  and the release of all decisions (panel_decide).

It also adds two actions to the reviewer side's admins (reviews.admin.reviewing
keeps their `actions` lists open for this): "Reopen the selected reviews" on
reviews, "Cancel the selected assignments" on assignments, both with a page
asking for the reason.

Administrators only: every page and action checks reviews.permissions; writes
go through reviews.services.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from proposals.enums import ProposalStatus
from reviews import selectors, services
from reviews.admin.panel_assign import AssignPages
from reviews.admin.panel_decide import DecisionPages, refusal_text
from reviews.admin.panel_pages import TEMPLATES, PanelPages
from reviews.admin.panel_ranking import RankingPages
from reviews.admin.reviewing import ReviewAdmin, ReviewAssignmentAdmin
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, ReviewStatus
from reviews.models import Decision, DecisionLetterTemplate, ReviewerProfile
from reviews.panel_forms import ReopenForm
from reviews.permissions import (
    can_decide,
    can_manage_reviews,
    is_review_administrator,
)
from reviews.workflow import TransitionNotAllowed


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
class DecisionLetterTemplateAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["opportunity", "outcome", "updated_by", "updated_at"]
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
    AssignPages,
    RankingPages,
    DecisionPages,
    PanelPages,
    AdministratorsOnly,
    admin.ModelAdmin,
):
    """Decisions, read here and changed through record_decision until they are
    released; the review panel's pages hang off this admin."""

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
        ("proposal__opportunity", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["proposal__opportunity", "decided_by"]
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
    change_list_template = TEMPLATES + "decision_change_list.html"

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
        extra = {"panel_index_url": self.panel_url("index")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    # --- the panel's pages ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        pages = [
            ("", self.index_view, "index"),
            ("<int:opportunity_pk>/assign/", self.assign_view, "assign"),
            ("<int:opportunity_pk>/assign/auto/", self.auto_view, "auto"),
            ("<int:opportunity_pk>/ranking/", self.ranking_view, "ranking"),
            (
                "<int:opportunity_pk>/ranking.<str:file_format>",
                self.export_view,
                "export",
            ),
            (
                "<int:opportunity_pk>/proposal/<int:proposal_pk>/",
                self.proposal_view,
                "proposal",
            ),
            ("<int:opportunity_pk>/manifest/", self.manifest_view, "manifest"),
            ("<int:opportunity_pk>/letters/", self.letters_view, "letters"),
            ("<int:opportunity_pk>/decisions/", self.decisions_view, "decisions"),
            (
                "<int:opportunity_pk>/decisions/<int:proposal_pk>/",
                self.letter_view,
                "letter",
            ),
            (
                "<int:opportunity_pk>/decisions/templates/",
                self.templates_view,
                "templates",
            ),
            ("<int:opportunity_pk>/release/", self.release_view, "release"),
        ]
        return [
            *[
                path(f"panel/{route}", wrap(view), name=f"reviews_panel_{name}")
                for route, view, name in pages
            ],
            *super().get_urls(),
        ]

    def index_view(self, request: HttpRequest) -> HttpResponse:
        """Every call past its draft, with what the panel has to do for it."""
        if not is_review_administrator(request.user):
            raise PermissionDenied
        in_review = Q(
            proposals__status__in=[
                ProposalStatus.SUBMITTED,
                ProposalStatus.UNDER_REVIEW,
            ]
        )
        opportunities = (
            Opportunity.objects.exclude(
                status__in=[OpportunityStatus.DRAFT, OpportunityStatus.CANCELLED]
            )
            .select_related("mission")
            .annotate(
                in_review=Count("proposals", filter=in_review, distinct=True),
                decided=Count("proposals__decision", distinct=True),
                assignments=Count(
                    "proposals__review_assignments",
                    filter=Q(
                        proposals__review_assignments__status__in=list(
                            ACTIVE_ASSIGNMENT_STATUSES
                        )
                    ),
                    distinct=True,
                ),
                reviews=Count(
                    "proposals__review_assignments__review",
                    filter=Q(
                        proposals__review_assignments__review__status=(
                            ReviewStatus.SUBMITTED
                        )
                    ),
                    distinct=True,
                ),
            )
            .order_by("-proposal_deadline", "pk")
        )
        return self.panel_page(
            request,
            "index.html",
            opportunity=None,
            title=_("Review panel"),
            rows=[
                {
                    "opportunity": opportunity,
                    "tabs": self.panel_tabs(request, opportunity, ""),
                }
                for opportunity in opportunities
            ],
        )


# --- actions on the reviewer side's admins (reviews.admin.reviewing) -------------


def _reason_page(modeladmin, request, queryset, *, action, title, question, form):
    return TemplateResponse(
        request,
        TEMPLATES + "action_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": title,
            "question": question,
            "objects": list(queryset),
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.action(
    description=gettext_lazy("Reopen the selected reviews"), permissions=["manage"]
)
def reopen_reviews(modeladmin, request, queryset):
    """Reopen submitted reviews for their reviewers, with one reason for all;
    each reopening is kept in the review's history and emailed."""
    reviews = queryset.select_related("assignment__reviewer", "assignment__proposal")
    form = ReopenForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for review in reviews:
            if review.status != ReviewStatus.SUBMITTED:
                messages.warning(
                    request,
                    _("%(review)s is not submitted: nothing to reopen.")
                    % {"review": review},
                )
                continue
            try:
                services.reopen_review(
                    review=review,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (PermissionDenied, ValidationError, TransitionNotAllowed) as refusal:
                messages.error(request, refusal_text(refusal))
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)s review reopened; its reviewer is emailed the reason.",
                    "%(count)s reviews reopened; their reviewers are emailed the "
                    "reason.",
                    done,
                )
                % {"count": done},
            )
        return None
    return _reason_page(
        modeladmin,
        request,
        reviews,
        action="reopen_reviews",
        title=_("Reopen reviews"),
        question=_(
            "Reopen these reviews? Each reviewer can change and submit theirs "
            "again; the reason is kept in the review's history and emailed."
        ),
        form=form,
    )


@admin.action(
    description=gettext_lazy("Cancel the selected assignments"),
    permissions=["manage"],
)
def cancel_assignments(modeladmin, request, queryset):
    """Withdraw invited or accepted assignments, with one reason for all."""
    assignments = queryset.select_related("reviewer", "proposal")
    form = ReopenForm(request.POST if "apply" in request.POST else None)
    form.fields["reason"].label = _("Why the assignments are cancelled")
    form.fields["reason"].help_text = _("Kept in each assignment's history.")
    if "apply" in request.POST and form.is_valid():
        done = 0
        for assignment in assignments:
            try:
                services.cancel_assignment(
                    assignment=assignment,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (PermissionDenied, TransitionNotAllowed) as refusal:
                messages.error(
                    request,
                    _("%(assignment)s: %(why)s")
                    % {"assignment": assignment, "why": refusal_text(refusal)},
                )
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)s assignment cancelled.",
                    "%(count)s assignments cancelled.",
                    done,
                )
                % {"count": done},
            )
        return None
    return _reason_page(
        modeladmin,
        request,
        assignments,
        action="cancel_assignments",
        title=_("Cancel assignments"),
        question=_("Cancel these assignments? Their reviewers stop being reminded."),
        form=form,
    )


for model_admin, action in (
    (ReviewAdmin, reopen_reviews),
    (ReviewAssignmentAdmin, cancel_assignments),
):
    if action not in model_admin.actions:
        model_admin.actions.append(action)
