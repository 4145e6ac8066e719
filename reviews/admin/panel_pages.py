"""What every page of the administrators' review panel shares.

The panel's pages hang off the Decision admin (reviews.admin.panel), one set
per opportunity under `…/reviews/decision/panel/<opportunity id>/`. Each page
checks its predicate from reviews.permissions before it reads anything: a
reviewer or any other staff account gets a 403; someone not signed in as staff
is sent to the login page by the admin site.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogue.models import Opportunity
from proposals.models import Proposal
from reviews.permissions import can_decide, can_manage_reviews, can_view_ranking

TEMPLATES = "admin/reviews/panel/"

# (url name, label, who may open it)
TABS: list[tuple[str, object, Callable]] = [
    ("assign", _("Assign"), can_manage_reviews),
    ("auto", _("Automatic assignment"), can_manage_reviews),
    ("ranking", _("Ranking"), can_view_ranking),
    ("manifest", _("Manifest"), can_view_ranking),
    ("letters", _("Letters of intent"), can_decide),
    ("decisions", _("Decisions"), can_decide),
]


class PanelPages:
    """Helpers for the panel's views, mixed into a ModelAdmin."""

    def panel_url(self, name: str, *args) -> str:
        return reverse(f"{self.admin_site.name}:reviews_panel_{name}", args=args)

    def panel_opportunity(
        self, request: HttpRequest, pk: int, *, allowed: Callable
    ) -> Opportunity:
        """The opportunity `pk` for someone `allowed(user)`; 403 or 404 else."""
        if not allowed(request.user):
            raise PermissionDenied
        opportunity = (
            Opportunity.objects.select_related("mission").filter(pk=pk).first()
        )
        if opportunity is None:
            raise Http404(_("No such opportunity."))
        return opportunity

    def panel_proposal(self, opportunity: Opportunity, pk: int) -> Proposal:
        proposal = (
            Proposal.objects.select_related("principal_investigator", "opportunity")
            .prefetch_related("team_members")
            .filter(opportunity=opportunity, pk=pk)
            .first()
        )
        if proposal is None:
            raise Http404(_("No such proposal in this opportunity."))
        return proposal

    def panel_tabs(self, request: HttpRequest, opportunity: Opportunity, current):
        return [
            {
                "name": name,
                "label": label,
                "url": self.panel_url(name, opportunity.pk),
                "current": name == current,
            }
            for name, label, allowed in TABS
            if allowed(request.user)
            and (name != "letters" or opportunity.has_loi_stage)
        ]

    def panel_page(
        self,
        request: HttpRequest,
        template: str,
        *,
        opportunity: Opportunity | None,
        title,
        tab: str = "",
        **context,
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            TEMPLATES + template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "opportunity": opportunity,
                "tab": tab,
                "tabs": self.panel_tabs(request, opportunity, tab)
                if opportunity is not None
                else [],
                "panel_index_url": self.panel_url("index"),
                "opportunity_change_url": reverse(
                    f"{self.admin_site.name}:catalogue_opportunity_change",
                    args=[opportunity.pk],
                )
                if opportunity is not None
                else "",
                **context,
            },
        )
