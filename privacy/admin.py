"""The record of exports, deletions and retention runs, read-only for the
administrators."""

from django.contrib import admin

from privacy.models import PrivacyEvent


@admin.register(PrivacyEvent)
class PrivacyEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "user", "actor")
    list_filter = ("kind",)
    list_select_related = ("user", "actor")
    readonly_fields = ("kind", "user", "actor", "at", "details")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
