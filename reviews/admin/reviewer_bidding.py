"""Bidding on the reviewers' site: the calls open for bidding, and one call's
bid sheet, where a reviewer says eager / willing / not willing / conflict for
each proposal, 25 to a page, one POST saving the page.

Mixed into reviewer_site.ReviewerSite. Reads through reviews.selectors
(`calls_open_for_bidding`, `bid_sheet`: the frozen versions' title, abstract and
keywords, anonymised in a dual-anonymous call), writes through
reviews.services.place_bids; a refusal is shown as an error message above the
sheet as the reviewer filled it in.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.admin_site import REFUSALS, show_refusal
from reviews import selectors, services
from reviews.forms import BidSheetForm

BIDS_PER_PAGE = 25


class BiddingPages:
    """The bidding views; the host is the reviewers' AdminSite."""

    def bidding_urls(self) -> list:
        wrap = self.admin_view
        return [
            path("bidding/", wrap(self.bidding_view), name="bidding"),
            path(
                "bidding/<int:opportunity_pk>/",
                wrap(self.bid_sheet_view),
                name="bid_sheet",
            ),
        ]

    def render_page(
        self, request: HttpRequest, template: str, context: dict, *, status=200
    ) -> TemplateResponse:
        request.current_app = self.name
        return TemplateResponse(
            request,
            f"admin/reviews/reviewing/{template}",
            {**self.each_context(request), **context},
            status=status,
        )

    def bidding_view(self, request: HttpRequest) -> HttpResponse:
        calls = selectors.calls_open_for_bidding(reviewer=request.user)
        return self.render_page(
            request, "bidding.html", {"title": _("Bidding"), "calls": calls}
        )

    def bid_sheet_view(self, request: HttpRequest, opportunity_pk: int) -> HttpResponse:
        reviewer = request.user
        opportunity = selectors.call_open_for_bidding(
            reviewer=reviewer, pk=opportunity_pk
        )
        rows = selectors.bid_sheet(reviewer=reviewer, opportunity=opportunity)
        page = Paginator(rows, BIDS_PER_PAGE).get_page(
            request.POST.get("page") or request.GET.get("page")
        )
        data = request.POST if request.method == "POST" else None
        form = BidSheetForm(rows=list(page.object_list), data=data)
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.place_bids(
                    opportunity=opportunity,
                    reviewer=reviewer,
                    preferences=form.preferences(),
                    actor=reviewer,
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Your bids on this page are saved: %(count)s bid changed.",
                        "Your bids on this page are saved: %(count)s bids changed.",
                        saved,
                    )
                    % {"count": saved},
                )
                url = reverse(f"{self.name}:bid_sheet", args=[opportunity.pk])
                return redirect(f"{url}?page={page.number}")
        return self.render_page(
            request,
            "bid_sheet.html",
            {
                "title": _("Bids on %(call)s") % {"call": opportunity.title},
                "opportunity": opportunity,
                "page_obj": page,
                "form": form,
                "anonymous": opportunity.dual_anonymous,
            },
        )
