"""Frozen versions in the admin: read only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.templatetags.catalogue_tags import beijing
from config.admin_lists import LeanChangeListMixin
from proposals.admin.lists import opportunity_filter
from proposals.admin.readonly import AdministratorsOnly
from proposals.models import ProposalVersion


@admin.register(ProposalVersion)
class ProposalVersionAdmin(AdministratorsOnly, LeanChangeListMixin, admin.ModelAdmin):
    """Frozen submissions: read only, documents through the checked view."""

    list_display = ["__str__", "proposal", "stage", "submitted_beijing"]
    list_filter = ["stage", opportunity_filter("proposal__opportunity")]
    list_select_related = ["proposal"]
    # In the order of the index version_number_once (proposal, number); the
    # rows read what the columns (and the checkbox's label, str()) show, never
    # the snapshot (the whole proposal as submitted).
    list_only = [
        "reference",
        "number",
        "stage",
        "submitted_at",
        "proposal__reference",
        "proposal__title",
    ]
    search_fields = ["reference", "proposal__title"]
    fields = [
        "proposal",
        "number",
        "reference",
        "stage",
        "submitted_at",
        "submitted_by",
        "files",
        "pdf",
        "snapshot",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_at")
    def submitted_beijing(self, version: ProposalVersion) -> str:
        return beijing(version.submitted_at)

    @admin.display(description=gettext_lazy("documents"))
    def files(self, version: ProposalVersion) -> str:
        return (
            format_html_join(
                "",
                '<a href="{}">{}</a> ({})<br>',
                (
                    (
                        reverse("proposals:document", kwargs={"pk": document.pk}),
                        document.original_name,
                        document.required_document.name,
                    )
                    for document in version.documents.select_related(
                        "required_document"
                    )
                ),
            )
            or "—"
        )

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
