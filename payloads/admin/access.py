"""Who sees the payloads' models in the admin: administrators only
(payloads.permissions.can_manage_payloads), read only except a call's
templates; and the links to the administrators' payload pages."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from payloads.permissions import can_manage_payloads


def action_url(name: str, payload_pk: int, *args) -> str:
    return reverse(f"admin:payloads_payload_{name}", args=[payload_pk, *args])


def links(*pairs: tuple[str, object]) -> str:
    """Links to the administrators' pages, "—" when there are none."""
    return format_html_join(" · ", '<a href="{}">{}</a>', pairs) or "—"


class ManagersOnly:
    """Administrators see these models; nobody else does."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_payloads(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_payloads(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset if can_manage_payloads(request.user) else queryset.none()


class ReadOnly(ManagersOnly):
    """Every change goes through payloads.services, from payloads.admin_views."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class Editable(ManagersOnly):
    """A call's templates: administrators add, change and delete them."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_payloads(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_payloads(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_payloads(request.user)


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


def flagged(count: int) -> str:
    if not count:
        return "0"
    return format_html('<span class="payload-flag">{}</span>', count)
