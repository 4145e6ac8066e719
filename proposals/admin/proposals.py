"""The proposals' admin: search and filters, letters of intent, exports."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalogue.models import Opportunity
from catalogue.templatetags.catalogue_tags import beijing
from config.admin_lists import LeanChangeListMixin
from config.admin_site import REFUSALS, show_refusal
from proposals import exports
from proposals.admin.lists import mission_filter, opportunity_filter
from proposals.admin.readonly import (
    AdministratorsOnly,
    DocumentInline,
    EventInline,
    TeamMemberInline,
    VersionInline,
)
from proposals.enums import ProposalStage
from proposals.forms import DeclineLettersForm
from proposals.models import Proposal
from reviews import services as review_services
from reviews.permissions import can_decide

PROPOSAL_TEXTS = [
    "abstract",
    "keywords",
    "objectives",
    "relevance",
    "payload_description",
    "heritage",
    "operations_needs",
    "funding_statement",
]
# A translated field's original column and one per language (modeltranslation):
# deferring, or reading, only the original leaves the others read one by one.
TRANSLATED = ("", "_en", "_zh_hans")
# A call's long texts.
OPPORTUNITY_TEXTS = [
    f"{name}{suffix}"
    for name in ("summary", "description", "eligibility", "science_areas", "outcome")
    for suffix in TRANSLATED
]


def call_title(path: str) -> list[str]:
    """A call's title, at `path` from the listed model, for `list_only`."""
    return [f"{path}__title{suffix}" for suffix in TRANSLATED]


@admin.register(Proposal)
class ProposalAdmin(AdministratorsOnly, LeanChangeListMixin, admin.ModelAdmin):
    list_display = [
        "reference_or_draft",
        "title",
        "opportunity",
        "stage",
        "status",
        "principal_investigator_name",
        "institution",
        "submitted_beijing",
    ]
    list_display_links = ["reference_or_draft", "title"]
    # Calls and missions from their own tables: RelatedOnlyFieldListFilter read
    # DISTINCT opportunity_id out of every proposal on each page.
    list_filter = [opportunity_filter(), "status", "stage", mission_filter()]
    list_select_related = ["opportunity", "principal_investigator"]
    # Eight columns: 50 rows a page cost what the stock changelist's 100 rows
    # of four do (as the assignments and the outbox already had).
    list_per_page = 50
    # Ordered by the index proposal_recent (-updated_at, id); the rows read
    # what the columns (and the checkbox's label, str()) show.
    list_only = [
        "reference",
        "title",
        "stage",
        "status",
        "submitted_at",
        *call_title("opportunity"),
        "principal_investigator__full_name",
        "principal_investigator__email",
        "principal_investigator__institution",
    ]
    search_fields = [
        "reference",
        "title",
        "principal_investigator__email",
        "principal_investigator__full_name",
        "principal_investigator__institution",
    ]
    ordering = ["-updated_at", "pk"]
    actions = ["shortlist_letters", "decline_letters", "export_csv", "export_xlsx"]
    inlines = [TeamMemberInline, DocumentInline, VersionInline, EventInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "opportunity",
                    "stage",
                    "status",
                    "principal_investigator",
                    "submitted_at",
                    "updated_at",
                ]
            },
        ),
        (gettext_lazy("Summary"), {"fields": ["title", "abstract", "keywords"]}),
        (
            gettext_lazy("Science and technology objectives"),
            {"fields": ["objectives", "relevance"]},
        ),
        (
            gettext_lazy("Payload description and maturity"),
            {"fields": ["payload_description", "trl", "heritage"]},
        ),
        (
            gettext_lazy("Resources requested"),
            {
                "fields": [
                    "carrier",
                    "mass_kg",
                    ("power_avg_w", "power_peak_w"),
                    "data_mb_per_day",
                    ("length_mm", "width_mm", "height_mm"),
                    "operations_needs",
                ]
            },
        ),
        (gettext_lazy("Funding"), {"fields": ["funding_statement"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Proposal._meta.fields]

    # --- columns -------------------------------------------------------------

    @admin.display(description=gettext_lazy("reference"), ordering="reference")
    def reference_or_draft(self, proposal: Proposal) -> str:
        return proposal.reference or "—"

    @admin.display(
        description=gettext_lazy("principal investigator"),
        ordering="principal_investigator__full_name",
    )
    def principal_investigator_name(self, proposal: Proposal) -> str:
        pi = proposal.principal_investigator
        return format_html("{}<br><small>{}</small>", pi.get_full_name(), pi.email)

    @admin.display(
        description=gettext_lazy("institution"),
        ordering="principal_investigator__institution",
    )
    def institution(self, proposal: Proposal) -> str:
        return proposal.principal_investigator.institution

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_at")
    def submitted_beijing(self, proposal: Proposal) -> str:
        return beijing(proposal.submitted_at) or "—"

    # --- letters of intent -----------------------------------------------------

    # A letter is decided through one door, reviews.services.decide_letter,
    # with one permission (reviews.permissions.can_decide), as on the panel's
    # letters page: its open review assignments are cancelled the same way.

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return can_decide(request.user)

    def _decide_letters(self, request, queryset, *, action: str, label):
        letters = list(queryset.filter(stage=ProposalStage.LETTER_OF_INTENT))
        others = queryset.exclude(stage=ProposalStage.LETTER_OF_INTENT)
        form = DeclineLettersForm(request.POST if "post" in request.POST else None)
        if "post" in request.POST and form.is_valid():
            done = 0
            for proposal in letters:
                try:
                    review_services.decide_letter(
                        proposal=proposal,
                        shortlist=action == "shortlist_letters",
                        actor=request.user,
                        note=form.cleaned_data["note"],
                    )
                except REFUSALS as refusal:
                    show_refusal(request, refusal, about=str(proposal))
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    label(done) % {"count": done},
                    level=messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/proposals/proposal/decide_letters.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Shortlist letters of intent")
                if action == "shortlist_letters"
                else _("Decline letters of intent"),
                "action": action,
                "letters": letters,
                "others": others,
                "queryset": queryset,
                "form": form,
                "with_note": action == "decline_letters",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=gettext_lazy("Shortlist the selected letters of intent"),
        permissions=["decide"],
    )
    def shortlist_letters(self, request, queryset):
        return self._decide_letters(
            request,
            queryset,
            action="shortlist_letters",
            label=lambda count: ngettext(
                "%(count)s letter shortlisted; the team now writes the full proposal.",
                "%(count)s letters shortlisted; the teams now write the full "
                "proposals.",
                count,
            ),
        )

    @admin.action(
        description=gettext_lazy("Decline the selected letters of intent"),
        permissions=["decide"],
    )
    def decline_letters(self, request, queryset):
        return self._decide_letters(
            request,
            queryset,
            action="decline_letters",
            label=lambda count: ngettext(
                "%(count)s letter declined; the team has been told.",
                "%(count)s letters declined; the teams have been told.",
                count,
            ),
        )

    # --- exports -----------------------------------------------------------------

    @admin.action(
        description=gettext_lazy("Export the selected proposals to CSV"),
        permissions=["view"],
    )
    def export_csv(self, request, queryset):
        return exports.csv_response(queryset, filename="proposals")

    @admin.action(
        description=gettext_lazy("Export the selected proposals to Excel (XLSX)"),
        permissions=["view"],
    )
    def export_xlsx(self, request, queryset):
        return exports.xlsx_response(queryset, filename="proposals")

    def get_urls(self):
        return [
            path(
                "export/<int:opportunity_pk>/<str:file_format>/",
                self.admin_site.admin_view(self.export_opportunity),
                name="proposals_proposal_export",
            ),
            *super().get_urls(),
        ]

    def export_opportunity(
        self, request: HttpRequest, opportunity_pk: int, file_format: str
    ) -> HttpResponse:
        """Every proposal of one opportunity, whatever its status."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        opportunity = Opportunity.objects.filter(pk=opportunity_pk).first()
        if opportunity is None or file_format not in {"csv", "xlsx"}:
            raise Http404
        queryset = self.get_queryset(request).filter(opportunity=opportunity)
        filename = f"proposals-{slugify(opportunity.slug)}"
        if file_format == "csv":
            return exports.csv_response(queryset, filename=filename)
        return exports.xlsx_response(queryset, filename=filename)

    def changelist_view(self, request, extra_context=None):
        """Offer the export of the opportunity the list is filtered by."""
        opportunity_pk = request.GET.get("opportunity__id__exact", "")
        extra = {}
        if opportunity_pk.isdigit():
            extra["export_links"] = format_html_join(
                "",
                '<li><a class="export-link" href="{}">{}</a></li>',
                (
                    (
                        reverse(
                            "admin:proposals_proposal_export",
                            args=[int(opportunity_pk), file_format],
                        ),
                        label,
                    )
                    for file_format, label in (
                        ("csv", _("Export this opportunity (CSV)")),
                        ("xlsx", _("Export this opportunity (XLSX)")),
                    )
                ),
            )
        return super().changelist_view(request, {**extra, **(extra_context or {})})
