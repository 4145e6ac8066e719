"""A payload's parts on its change page, read only, each row with the links to
the administrators' pages that act on it."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.templatetags.catalogue_tags import beijing, day
from payloads.admin.access import ReadOnlyInline, action_url, links
from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    PayloadStatus,
)
from payloads.models import (
    Agreement,
    Condition,
    DataHandover,
    Delivery,
    Milestone,
    PayloadEvent,
)


def _payload_live(obj) -> bool:
    return obj.payload.status != PayloadStatus.DESELECTED


class ConditionInline(ReadOnlyInline):
    model = Condition
    fields = ["text", "due", "status", "answer", "documents_list", "review", "act"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("payload")
            .prefetch_related("documents")
        )

    @admin.display(description=gettext_lazy("due"))
    def due(self, condition: Condition) -> str:
        if condition.due_date is None:
            return "—"
        if condition.is_overdue:
            return format_html(
                '{} <span class="payload-flag">{}</span>',
                day(condition.due_date),
                _("overdue"),
            )
        return day(condition.due_date)

    @admin.display(description=gettext_lazy("documents"))
    def documents_list(self, condition: Condition) -> str:
        return format_html_join(
            "<br>",
            '<a href="{}">{}</a>',
            (
                (
                    reverse("payloads:condition-document", kwargs={"pk": doc.pk}),
                    doc.original_name,
                )
                for doc in condition.documents.all()
            ),
        )

    @admin.display(description=gettext_lazy("administrator's note"))
    def review(self, condition: Condition) -> str:
        return condition.review_note or "—"

    @admin.display(description=gettext_lazy("actions"))
    def act(self, condition: Condition) -> str:
        if condition.status != ConditionStatus.ANSWERED or not _payload_live(condition):
            return "—"
        return links(
            (
                action_url("condition", condition.payload_id, condition.pk),
                _("Accept or return"),
            )
        )


class AgreementInline(ReadOnlyInline):
    model = Agreement
    fields = ["name", "status", "signed", "act"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payload")

    @admin.display(description=gettext_lazy("signed"))
    def signed(self, agreement: Agreement) -> str:
        if not agreement.is_signed:
            return "—"
        return format_html(
            '{}, {} · <a href="{}">{}</a>',
            agreement.signed_by_name,
            day(agreement.signed_on),
            reverse("payloads:agreement-document", kwargs={"pk": agreement.pk}),
            agreement.signed_file_name or _("signed PDF"),
        )

    @admin.display(description=gettext_lazy("actions"))
    def act(self, agreement: Agreement) -> str:
        if agreement.is_signed or not _payload_live(agreement):
            return "—"
        pairs = [
            (
                action_url("agreement", agreement.payload_id, agreement.pk),
                _("Change status"),
            )
        ]
        if agreement.status == AgreementStatus.NEGOTIATION:
            pairs.append(
                (
                    action_url("sign", agreement.payload_id, agreement.pk),
                    _("Record the signature"),
                )
            )
        return links(*pairs)


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["name", "responsible", "planned", "actual", "slipped", "act"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("payload")
            .prefetch_related("slips")
        )

    @admin.display(description=gettext_lazy("planned date"))
    def planned(self, milestone: Milestone) -> str:
        if milestone.is_overdue(timezone.localdate()):
            return format_html(
                '{} <span class="payload-flag">{}</span>',
                day(milestone.planned_date),
                _("late"),
            )
        return day(milestone.planned_date)

    @admin.display(description=gettext_lazy("actual date"))
    def actual(self, milestone: Milestone) -> str:
        return day(milestone.actual_date) or "—"

    @admin.display(description=gettext_lazy("slips"))
    def slipped(self, milestone: Milestone) -> str:
        return format_html_join(
            "<br>",
            "{} → {}: {}",
            (
                (day(slip.from_date), day(slip.to_date), slip.reason)
                for slip in milestone.slips.all()
            ),
        )

    @admin.display(description=gettext_lazy("actions"))
    def act(self, milestone: Milestone) -> str:
        if milestone.is_done or not _payload_live(milestone):
            return "—"
        return links(
            (
                action_url("slip", milestone.payload_id, milestone.pk),
                _("Record a slip"),
            ),
            (
                action_url("complete", milestone.payload_id, milestone.pk),
                _("Mark done"),
            ),
        )


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = [
        "unit",
        "delivered_on_day",
        "mass_kg",
        "power_w",
        "size_mm",
        "flag",
        "status",
        "act",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payload")

    @admin.display(description=gettext_lazy("delivered on"))
    def delivered_on_day(self, delivery: Delivery) -> str:
        return day(delivery.delivered_on)

    @admin.display(description=gettext_lazy("overrun"))
    def flag(self, delivery: Delivery) -> str:
        if not delivery.overrun:
            return "—"
        return format_html('<span class="payload-flag">{}</span>', _("Overrun"))

    @admin.display(description=gettext_lazy("actions"))
    def act(self, delivery: Delivery) -> str:
        if delivery.status != DeliveryStatus.RECORDED:
            return delivery.decision_note or "—"
        return links(
            (
                action_url("decide_delivery", delivery.payload_id, delivery.pk),
                _("Accept or reject"),
            )
        )


class HandoverInline(ReadOnlyInline):
    model = DataHandover
    fields = ["delivered_on_day", "dataset", "volume_gb", "address", "notes"]

    @admin.display(description=gettext_lazy("delivered on"))
    def delivered_on_day(self, handover: DataHandover) -> str:
        return day(handover.delivered_on)

    @admin.display(description=gettext_lazy("link or DOI"))
    def address(self, handover: DataHandover) -> str:
        if not handover.link:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            handover.link_url,
            handover.link,
        )


class EventInline(ReadOnlyInline):
    model = PayloadEvent
    fields = ["when", "kind", "actor", "note"]
    verbose_name_plural = gettext_lazy("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=gettext_lazy("when"))
    def when(self, event: PayloadEvent) -> str:
        return beijing(event.at)
