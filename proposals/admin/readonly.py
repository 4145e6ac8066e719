"""Proposals in the admin are for administrators only, and read only."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.models import (
    ProposalDocument,
    ProposalEvent,
    ProposalVersion,
    TeamMember,
)
from proposals.permissions import is_administrator


class AdministratorsOnly:
    """Read-only access for administrators, nothing for anyone else."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset if is_administrator(request.user) else queryset.none()


class ReadOnlyInline(AdministratorsOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class TeamMemberInline(ReadOnlyInline):
    model = TeamMember
    fields = ["name", "email", "role", "institution", "country", "confirmed_at"]


class DocumentInline(ReadOnlyInline):
    model = ProposalDocument
    fields = [
        "required_document",
        "download",
        "page_count",
        "size",
        "sha256",
        "uploaded_at",
        "replaced_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("required_document")

    @admin.display(description=gettext_lazy("file"))
    def download(self, document: ProposalDocument) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("proposals:document", kwargs={"pk": document.pk}),
            document.original_name,
        )


class VersionInline(ReadOnlyInline):
    model = ProposalVersion
    fields = ["number", "reference", "stage", "submitted_at", "submitted_by", "pdf"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("submitted_by")

    @admin.display(description=gettext_lazy("PDF"))
    def pdf(self, version: ProposalVersion) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse(
                "proposals:version-pdf",
                kwargs={"pk": version.proposal_id, "number": version.number},
            ),
            _("Download"),
        )


class EventInline(ReadOnlyInline):
    model = ProposalEvent
    # `text`: the note in the administrator's language (ProposalEvent.text).
    fields = ["at", "from_status", "to_status", "to_stage", "actor", "text"]
    verbose_name_plural = gettext_lazy("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")
