"""The calls' admin: editing with language tabs and history, status moves,
amendments and a preview of the public page.

The status is read only in the form. It moves only through
catalogue.workflow.transition, from the buttons of the change page (each with a
confirmation page) and from the changelist's bulk actions. Amendments are posted
through catalogue.services.post_amendment.
"""

from decimal import Decimal

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TabbedTranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from catalogue.admin.inlines import (
    AmendmentInline,
    CarrierInline,
    EvaluationCriterionInline,
    OpportunityDocumentInline,
    RequiredDocumentInline,
    StatementInline,
)
from catalogue.admin.reference import ReadOnlyHistoryMixin
from catalogue.admin.status import StatusMovesMixin
from catalogue.enums import OpportunityStatus as S
from catalogue.models import Opportunity
from catalogue.templatetags.catalogue_tags import BEIJING, beijing
from catalogue.workflow import FULL_WEIGHT


@admin.register(Opportunity)
class OpportunityAdmin(
    StatusMovesMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, TabbedTranslationAdmin
):
    list_display = [
        "title",
        "mission",
        "kind",
        "status",
        "deadline_beijing",
        "is_demo",
    ]
    list_filter = [
        "status",
        "mission",
        "kind",
        "cooperation_level",
        "is_demo",
        "dual_anonymous",
    ]
    list_select_related = ["mission"]
    search_fields = [
        "title_en",
        "title_zh_hans",
        "mission__name_en",
        "mission__name_zh_hans",
        "slug",
    ]
    date_hierarchy = "proposal_deadline"
    ordering = ["-proposal_deadline", "pk"]
    autocomplete_fields = ["mission", "contacts"]
    readonly_fields = ["status", "published_at", "criteria_weight_total"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "mission",
                    "title",
                    "slug",
                    "status",
                    "is_demo",
                    ("kind", "cooperation_level"),
                    "summary",
                    "description",
                    "eligibility",
                    "science_areas",
                ]
            },
        ),
        (
            gettext_lazy("Team rules"),
            {"fields": ["max_entities", "lead_country"]},
        ),
        (
            gettext_lazy("Timeline (Beijing time, UTC+8)"),
            {
                "fields": [
                    "opens_at",
                    "loi_deadline",
                    "shortlist_date",
                    "proposal_deadline",
                    "expected_selection",
                    "published_at",
                ]
            },
        ),
        (
            gettext_lazy("Review and contacts"),
            {
                "fields": [
                    "dual_anonymous",
                    "reviewers_per_proposal",
                    "resource_policy",
                    "criteria_weight_total",
                    "contacts",
                ]
            },
        ),
        (
            gettext_lazy("Outcome of a past call"),
            {
                "classes": ["collapse"],
                "fields": [
                    "proposals_received",
                    "proposals_shortlisted",
                    "proposals_selected",
                    "outcome",
                ],
            },
        ),
    ]
    inlines = [
        CarrierInline,
        EvaluationCriterionInline,
        RequiredDocumentInline,
        StatementInline,
        OpportunityDocumentInline,
        AmendmentInline,
    ]
    history_list_display = ["status"]

    # Columns

    @admin.display(
        description=gettext_lazy("proposal deadline (Beijing time)"),
        ordering="proposal_deadline",
    )
    def deadline_beijing(self, opportunity: Opportunity) -> str:
        return beijing(opportunity.proposal_deadline)

    @admin.display(description=gettext_lazy("weights of the criteria"))
    def criteria_weight_total(self, opportunity: Opportunity) -> str:
        if opportunity.pk is None:
            return _("Add criteria below; their weights must add up to 100 %.")
        weights = [criterion.weight for criterion in opportunity.criteria.all()]
        if not weights:
            return _("No criteria yet; their weights must add up to 100 %.")
        total = sum(weights, Decimal(0))
        shown = f"{total.normalize():f}"
        if total == FULL_WEIGHT:
            return _("%(total)s %% in all.") % {"total": shown}
        return format_html(
            '<strong class="errornote">{}</strong>',
            _("%(total)s %% in all: the weights must add up to 100 %%.")
            % {"total": shown},
        )

    def view_on_site(self, opportunity: Opportunity) -> str | None:
        """The public page, once there is one; drafts have the preview."""
        return opportunity.get_absolute_url() if opportunity.is_public else None

    # Saving: the form never writes the status

    def save_model(self, request, obj, form, change) -> None:
        """Save the form's fields, leaving the status and first publication
        to the workflow, so a form opened before a move cannot undo it."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        obj._history_user = request.user
        obj.save(
            update_fields=[
                field.name
                for field in obj._meta.concrete_fields
                if not field.primary_key
                and field.name not in {"status", "published_at", "created_at"}
            ]
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Dates are entered and shown in Beijing time, whoever asks."""
        with timezone.override(BEIJING):
            extra_context = {
                **(extra_context or {}),
                **self._object_tools(request, object_id),
            }
            response = super().changeform_view(
                request, object_id, form_url, extra_context
            )
            if isinstance(response, TemplateResponse):
                response.render()
        return response

    def get_actions(self, request):
        """A call is cancelled, not deleted in bulk; a draft can be deleted from
        its own page."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status != S.DRAFT:
            return False
        return super().has_delete_permission(request, obj)
