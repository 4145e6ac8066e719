"""A call's required agreements and milestone template, edited by
administrators, and its public list of selected payloads, published or
withdrawn through payloads.services."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalogue.templatetags.catalogue_tags import beijing, day
from config.admin_site import REFUSALS, show_refusal
from payloads import selectors, services
from payloads.admin.access import Editable, ReadOnly, ReadOnlyInline
from payloads.models import (
    CallAgreement,
    CallMilestone,
    SelectionEntry,
    SelectionList,
)
from payloads.permissions import can_manage_payloads

# --- a call's templates ---------------------------------------------------------


@admin.register(CallAgreement)
class CallAgreementAdmin(Editable, admin.ModelAdmin):
    """The agreements every payload of a call must sign; copied onto each
    payload when its decision is released."""

    list_display = ["name", "opportunity", "order"]
    list_filter = [("opportunity", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["opportunity"]
    search_fields = ["name", "opportunity__title"]
    fields = ["opportunity", "name", "description", "order"]
    ordering = ["opportunity", "order", "pk"]


@admin.register(CallMilestone)
class CallMilestoneAdmin(Editable, admin.ModelAdmin):
    """A call's milestone template with planned dates; copied onto each
    payload when its decision is released."""

    list_display = ["name", "opportunity", "kind", "planned_day", "responsible"]
    list_filter = [("opportunity", admin.RelatedOnlyFieldListFilter), "kind"]
    list_select_related = ["opportunity"]
    search_fields = ["name", "opportunity__title"]
    fields = ["opportunity", "kind", "name", "planned_date", "responsible", "order"]
    ordering = ["opportunity", "order", "planned_date", "pk"]

    @admin.display(description=gettext_lazy("planned date"), ordering="planned_date")
    def planned_day(self, milestone: CallMilestone) -> str:
        return day(milestone.planned_date)


# --- the public list ------------------------------------------------------------


class EntryInline(ReadOnlyInline):
    model = SelectionEntry
    fields = ["order", "title", "lead_institution", "country"]


@admin.register(SelectionList)
class SelectionListAdmin(ReadOnly, admin.ModelAdmin):
    """A call's public list of selected payloads: shown on the call page once
    published, never before."""

    list_display = ["opportunity", "published", "published_by", "entry_count"]
    list_filter = [("opportunity__mission", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["opportunity", "published_by"]
    search_fields = ["opportunity__title"]
    fields = ["opportunity", "published", "published_by"]
    readonly_fields = fields
    inlines = [EntryInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return selectors.with_entry_counts(super().get_queryset(request))

    @admin.display(description=gettext_lazy("published"), ordering="published_at")
    def published(self, selection: SelectionList) -> str:
        return beijing(selection.published_at) or _("Not published")

    @admin.display(description=gettext_lazy("payloads listed"))
    def entry_count(self, selection: SelectionList) -> int:
        return selection.entry_count

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return can_manage_payloads(request.user)

    def _each(self, request, queryset, *, publish: bool) -> int:
        done = 0
        for selection in queryset.select_related("opportunity"):
            try:
                if publish:
                    services.publish_selection_list(
                        opportunity=selection.opportunity, actor=request.user
                    )
                else:
                    services.unpublish_selection_list(
                        opportunity=selection.opportunity, actor=request.user
                    )
            except REFUSALS as refusal:
                show_refusal(request, refusal, about=str(selection.opportunity))
            else:
                done += 1
        return done

    @admin.action(
        description=gettext_lazy("Publish the selected lists on the call pages"),
        permissions=["manage"],
    )
    def publish(self, request, queryset):
        done = self._each(request, queryset, publish=True)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)s list published: its call page now shows the "
                    "selected payloads.",
                    "%(count)s lists published: their call pages now show the "
                    "selected payloads.",
                    done,
                )
                % {"count": done},
                level=messages.SUCCESS,
            )

    @admin.action(
        description=gettext_lazy("Withdraw the selected lists from the call pages"),
        permissions=["manage"],
    )
    def unpublish(self, request, queryset):
        done = self._each(request, queryset, publish=False)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)s list withdrawn from its call page.",
                    "%(count)s lists withdrawn from their call pages.",
                    done,
                )
                % {"count": done},
                level=messages.SUCCESS,
            )
