"""The payloads' admin: the changelist with its flags counted in SQL, and the
read-only change page with its parts and history."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payloads import selectors
from payloads.admin.access import ReadOnly, action_url, flagged, links
from payloads.admin.inlines import (
    AgreementInline,
    ConditionInline,
    DeliveryInline,
    EventInline,
    HandoverInline,
    MilestoneInline,
)
from payloads.enums import (
    PayloadStatus,
)
from payloads.models import (
    Payload,
)
from payloads.permissions import can_manage_payloads


@admin.register(Payload)
class PayloadAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "name",
        "opportunity",
        "mission",
        "status",
        "carrier",
        "conditions_open",
        "conditions_overdue",
        "milestones_late",
        "deliveries_overrun",
    ]
    list_filter = [
        ("opportunity", admin.RelatedOnlyFieldListFilter),
        "opportunity__mission",
        "status",
    ]
    list_select_related = ["opportunity__mission", "carrier__opportunity__mission"]
    search_fields = [
        "name",
        "proposal__reference",
        "proposal__title",
        "proposal__principal_investigator__full_name",
        "proposal__principal_investigator__institution",
    ]
    ordering = ["opportunity", "name", "pk"]
    inlines = [
        ConditionInline,
        AgreementInline,
        MilestoneInline,
        DeliveryInline,
        HandoverInline,
        EventInline,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "proposal_link",
                    "opportunity",
                    "carrier",
                    "status",
                    "created_at",
                    "deselected_at",
                    "pages",
                ]
            },
        ),
        (
            gettext_lazy("Resources allocated"),
            {
                "fields": [
                    "allocated_mass_kg",
                    "allocated_power_w",
                    "allocated_data_mb_per_day",
                    "allocated_size_mm",
                ]
            },
        ),
        (gettext_lazy("De-selection"), {"fields": ["deselection_letter"]}),
    ]
    readonly_fields = [
        "name",
        "proposal_link",
        "opportunity",
        "carrier",
        "status",
        "created_at",
        "deselected_at",
        "pages",
        "allocated_mass_kg",
        "allocated_power_w",
        "allocated_data_mb_per_day",
        "allocated_size_mm",
        "deselection_letter",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        if not can_manage_payloads(request.user):
            return Payload.objects.none()
        # Django applies list_select_related only to a queryset without any.
        return selectors.with_flags(
            Payload.objects.all(), today=timezone.localdate()
        ).select_related("proposal", *self.list_select_related)

    # --- columns ---------------------------------------------------------------

    @admin.display(
        description=gettext_lazy("mission"), ordering="opportunity__mission__name"
    )
    def mission(self, payload: Payload) -> str:
        return payload.opportunity.mission.name

    @admin.display(
        description=gettext_lazy("open conditions"), ordering="conditions_open"
    )
    def conditions_open(self, payload: Payload) -> int:
        return payload.conditions_open

    @admin.display(
        description=gettext_lazy("overdue conditions"), ordering="conditions_overdue"
    )
    def conditions_overdue(self, payload: Payload) -> str:
        return flagged(payload.conditions_overdue)

    @admin.display(
        description=gettext_lazy("late milestones"), ordering="milestones_late"
    )
    def milestones_late(self, payload: Payload) -> str:
        return flagged(payload.milestones_late)

    @admin.display(
        description=gettext_lazy("overrun deliveries"), ordering="deliveries_overrun"
    )
    def deliveries_overrun(self, payload: Payload) -> str:
        return flagged(payload.deliveries_overrun)

    # --- the change page -------------------------------------------------------

    @admin.display(description=gettext_lazy("proposal"))
    def proposal_link(self, payload: Payload) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:proposals_proposal_change", args=[payload.proposal_id]),
            payload.proposal.reference or payload.proposal.title,
        )

    @admin.display(description=gettext_lazy("administrators' pages"))
    def pages(self, payload: Payload) -> str:
        pairs = [
            (
                f"{reverse('admin:payloads_overview')}?opportunity="
                f"{payload.opportunity_id}",
                _("Overview of the call"),
            )
        ]
        if payload.status != PayloadStatus.DESELECTED:
            pairs += [
                (action_url("allocation", payload.pk), _("Change the allocation")),
                (action_url("delivery", payload.pk), _("Record a delivery")),
                (action_url("handover", payload.pk), _("Record a data handover")),
                (action_url("deselect", payload.pk), _("De-select")),
            ]
        return links(*pairs)
