"""The payloads of a call or a mission, late items first, with the timeline
and the table of the same figures; their export; the call's public list."""

from typing import NamedTuple

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.models import Mission, Opportunity
from config.admin_site import REFUSALS, refusal_messages
from payloads import exports, selectors, services
from payloads.admin_views.base import FILE_FORMATS, PER_PAGE, allowed, render
from payloads.models import SelectionList
from payloads.timeline import layout_timeline

# --- the overview and its export -----------------------------------------------


class Scope(NamedTuple):
    opportunity: Opportunity | None = None
    mission: Mission | None = None


def _scope(request: HttpRequest) -> Scope:
    """The call (?opportunity=) or mission (?mission=) asked for; 404 for one
    that does not exist, every payload when neither is given."""
    for name, model in (("opportunity", Opportunity), ("mission", Mission)):
        value = request.GET.get(name, "")
        if value:
            if not value.isdigit():
                raise Http404
            return Scope(**{name: get_object_or_404(model, pk=int(value))})
    return Scope()


def overview_view(request: HttpRequest) -> HttpResponse:
    """Every payload of a call or mission, late items first, a page at a time:
    the timeline of each payload's next milestone and the table of the same
    figures."""
    allowed(request)
    scope = _scope(request)
    today = timezone.localdate()
    rows = selectors.overview(
        opportunity=scope.opportunity, mission=scope.mission, today=today
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    base = query.urlencode()
    return render(
        request,
        "overview.html",
        title=_("Payloads overview"),
        scope=scope,
        rows=page.object_list,
        page=page,
        previous_url=_page_url(base, page.previous_page_number())
        if page.has_previous()
        else "",
        next_url=_page_url(base, page.next_page_number()) if page.has_next() else "",
        timeline=layout_timeline(
            selectors.overview_timeline(page.object_list), today=today
        ),
        today=today,
        export_urls=[
            (
                file_format.upper(),
                reverse("admin:payloads_export", args=[file_format])
                + (f"?{base}" if base else ""),
            )
            for file_format in FILE_FORMATS
        ],
        selection=SelectionList.objects.filter(opportunity=scope.opportunity).first()
        if scope.opportunity is not None
        else None,
        publish_url=reverse("admin:payloads_publish")
        + f"?opportunity={scope.opportunity.pk}"
        if scope.opportunity is not None
        else "",
    )


def _page_url(base: str, number: int) -> str:
    return f"?{base}&page={number}" if base else f"?page={number}"


def export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    """The overview's rows, every page, as CSV (streamed) or XLSX (written row
    by row, openpyxl's write-only mode)."""
    allowed(request)
    if file_format not in FILE_FORMATS:
        raise Http404
    scope = _scope(request)
    rows = selectors.overview(
        opportunity=scope.opportunity,
        mission=scope.mission,
        today=timezone.localdate(),
    )
    name = "payloads"
    if scope.opportunity is not None:
        name = f"payloads-{slugify(scope.opportunity.slug)}"
    elif scope.mission is not None:
        name = f"payloads-{slugify(scope.mission.slug)}"
    if file_format == "csv":
        return exports.csv_response(rows, filename=name)
    return exports.xlsx_response(rows, filename=name)


@require_POST
def publish_view(request: HttpRequest) -> HttpResponse:
    """Publish (or, with `withdraw`, unpublish) the call's public list."""
    allowed(request)
    scope = _scope(request)
    opportunity = scope.opportunity
    if opportunity is None:
        raise Http404
    back = reverse("admin:payloads_overview") + f"?opportunity={opportunity.pk}"
    withdraw = "withdraw" in request.POST
    try:
        if withdraw:
            services.unpublish_selection_list(
                opportunity=opportunity, actor=request.user
            )
        else:
            services.publish_selection_list(opportunity=opportunity, actor=request.user)
    except REFUSALS as refusal:
        for message in refusal_messages(refusal):
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        _("The list of selected payloads is withdrawn from the call page.")
        if withdraw
        else _("The list of selected payloads is published on the call page."),
    )
    return redirect(back)
