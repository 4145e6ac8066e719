"""Missions, CNSA contacts, cooperation tables and mission subscriptions."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from catalogue.models import Contact, CooperationTable, Mission, MissionSubscription


class ReadOnlyHistoryMixin:
    """History pages show who changed what and when, but never revert.

    Reverting would save an old version whole, status included, around the
    workflow; edits go through the change form.
    """

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )


@admin.register(Mission)
class MissionAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin, TabbedTranslationAdmin):
    list_display = [
        "name",
        "code",
        "programme",
        "launch_window",
        "launch_year",
        "order",
    ]
    list_filter = ["programme"]
    search_fields = ["name_en", "name_zh_hans", "slug", "code"]
    ordering = ["order", "launch_year", "pk"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "code", "programme", "order"]}),
        (_("Mission"), {"fields": ["target", "summary", "objectives"]}),
        (_("Launch"), {"fields": ["launch_window", "launch_year", "launch_date"]}),
    ]
    history_list_display = ["code"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "department", "preferred_language"]
    list_filter = ["preferred_language"]
    search_fields = ["name", "email", "department"]
    fields = ["name", "email", "preferred_language", "department", "phone"]


@admin.register(CooperationTable)
class CooperationTableAdmin(TabbedTranslationAdmin):
    list_display = ["title", "section", "slug", "order"]
    search_fields = [
        "title_en",
        "title_zh_hans",
        "section_en",
        "section_zh_hans",
        "slug",
    ]
    ordering = ["order", "pk"]


@admin.register(MissionSubscription)
class MissionSubscriptionAdmin(admin.ModelAdmin):
    """Who follows which mission: read only, the researchers manage their own."""

    list_display = ["user_email", "mission", "created_at"]
    list_filter = ["mission"]
    list_select_related = ["user", "mission"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, subscription: MissionSubscription) -> str:
        return subscription.user.email

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
