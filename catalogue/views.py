"""The public catalogue: missions, Announcements of Opportunity, feeds.

Every read goes through catalogue.selectors (drafts are never public); the one
write, following a mission, goes through catalogue.services.

`render_opportunity()` renders the opportunity page for any call; the public
view passes a published one, and `opportunity_preview()` (staff only, for the
admin) passes a draft with `preview=True`.

The home page, the catalogue and a call page are rendered once per language
for every visitor who is not signed in and kept in the shared cache until an
administrator changes what they show or a moment they show passes
(catalogue.page_cache); a signed-in visitor's page is rendered for them.
"""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalogue import page_cache, selectors, services
from catalogue.enums import OpportunityStatus
from catalogue.feeds import build_deadlines_calendar
from catalogue.filters import OpportunityFilter
from catalogue.models import Mission, Opportunity, OpportunityDocument
from catalogue.timeline import layout_timeline
from config.filenames import download_name
from config.private_files import private_file_response

PAGE_SIZE = 20
HOME_OPEN_LIMIT = 6
HOME_DEADLINE_LIMIT = 8
MISSION_CALLS_LIMIT = 20
# The calendar holds every upcoming deadline up to this many, soonest first: far
# more than CNSA ever has open, and a bound on the work of one download.
ICS_LIMIT = 500
PAST_STATUSES = {
    OpportunityStatus.CLOSED,
    OpportunityStatus.DECIDED,
    OpportunityStatus.CANCELLED,
}


# The query strings the catalogue keeps a copy for: its filters and the page.
LIST_QUERY = frozenset({*OpportunityFilter.base_filters, "page"})
NO_QUERY: frozenset[str] = frozenset()


def _shared_copy(
    request: HttpRequest, *parts: str, query: frozenset[str]
) -> page_cache.SharedCopy | None:
    """The cache slot of this page for an anonymous visitor, or None when the
    page is to be rendered for this visitor alone (signed in, a message
    waiting, a query string no copy is kept for)."""
    if not page_cache.html_page_for(request):
        return None
    query_part = page_cache.query_key(request, query)
    if query_part is None:
        return None
    return page_cache.lookup(*parts, query_part)


def _kept_copy(
    request: HttpRequest, shared: page_cache.SharedCopy | None
) -> HttpResponse | None:
    if shared is None:
        return None
    found = shared.hit(now=page_cache.seconds_now())
    return None if found is None else page_cache.serve(request, *found)


def _shared_context(shared: page_cache.SharedCopy | None) -> dict:
    """A kept page carries a placeholder for the CSRF token of each visitor."""
    return {} if shared is None else {"csrf_token": page_cache.CSRF_PLACEHOLDER}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    shared = _shared_copy(request, "home", query=NO_QUERY)
    if (kept := _kept_copy(request, shared)) is not None:
        return kept
    now = timezone.now()
    response = render(
        request,
        "catalogue/home.html",
        {
            "open_opportunities": selectors.open_opportunities(now=now)[
                :HOME_OPEN_LIMIT
            ],
            "deadlines": selectors.upcoming_deadlines(HOME_DEADLINE_LIMIT, now=now),
            "missions": selectors.missions_with_call_counts(now=now),
            **_shared_context(shared),
        },
    )
    if shared is None:
        return response
    valid_until = shared.valid_until(now=now, next_moment=selectors.next_public_moment)
    return page_cache.keep_and_serve(request, shared, response, valid_until)


@require_safe
def opportunity_list(request: HttpRequest) -> HttpResponse:
    shared = _shared_copy(request, "list", query=LIST_QUERY)
    if (kept := _kept_copy(request, shared)) is not None:
        return kept
    now = timezone.now()
    filterset = OpportunityFilter(
        request.GET or None, queryset=selectors.public_opportunities()
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "catalogue/opportunity_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "opportunities": page.object_list,
            **_shared_context(shared),
        },
    )
    # Kept only for what the filters accept and a page that exists: an
    # invalid filter or page shows what its valid neighbour shows.
    as_asked = (not request.GET or filterset.is_valid()) and request.GET.get(
        "page", str(page.number)
    ) == str(page.number)
    if shared is None:
        return response
    if not as_asked:
        # Rendered with the placeholder all the same: this visitor's own token
        # goes in (the language switch posts it), and nothing is kept.
        return page_cache.serve(request, response["Content-Type"], response.content)
    valid_until = shared.valid_until(now=now, next_moment=selectors.next_public_moment)
    return page_cache.keep_and_serve(request, shared, response, valid_until)


def opportunity_context(opportunity: Opportunity, *, preview: bool = False) -> dict:
    """What the opportunity page shows, from a call fetched by a selector."""
    criteria = list(opportunity.criteria.all())
    return {
        "opportunity": opportunity,
        "mission": opportunity.mission,
        "carriers": opportunity.carriers.all(),
        "criteria": criteria,
        "criteria_total": sum(criterion.weight for criterion in criteria),
        "required_documents": opportunity.required_documents.all(),
        "statements": opportunity.statements.all(),
        "amendments": opportunity.amendments.all(),
        "documents": opportunity.documents.all(),
        "contacts": opportunity.contacts.all(),
        "next_deadline": selectors.next_deadline(opportunity),
        "is_past": opportunity.status in PAST_STATUSES,
        "has_outcome": any(
            value not in (None, "")
            for value in (
                opportunity.proposals_received,
                opportunity.proposals_shortlisted,
                opportunity.proposals_selected,
                opportunity.outcome,
            )
        ),
        "preview": preview,
    }


def render_opportunity(
    request: HttpRequest,
    opportunity: Opportunity,
    *,
    preview: bool = False,
    extra_context: dict | None = None,
) -> HttpResponse:
    """The opportunity page; with preview=True it says it is not published."""
    return render(
        request,
        "catalogue/opportunity_detail.html",
        opportunity_context(opportunity, preview=preview) | (extra_context or {}),
    )


@require_safe
def opportunity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    shared = _shared_copy(request, "call", slug, query=NO_QUERY)
    if (kept := _kept_copy(request, shared)) is not None:
        return kept
    now = timezone.now()
    try:
        opportunity = selectors.opportunity_for_public(slug)
    except Opportunity.DoesNotExist as missing:
        raise Http404(_("No such opportunity.")) from missing
    response = render_opportunity(
        request, opportunity, extra_context=_shared_context(shared)
    )
    if shared is None:
        return response
    # The page shows this call alone: its own moments, and its countdown's.
    next_deadline = selectors.next_deadline(opportunity, now=now)
    countdown = next_deadline.at if next_deadline is not None else None
    valid_until = shared.valid_until(
        now=now,
        sooner=[
            *selectors.moments_of(opportunity),
            page_cache.countdown_changes(countdown, now=now),
        ],
    )
    return page_cache.keep_and_serve(request, shared, response, valid_until)


@require_safe
def opportunity_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff only: any call, drafts included, as the public will see it.

    Meant to be wired in the admin (inside `admin_site.admin_view`, so the
    admin's sign-in and two-factor checks apply first).
    """
    user = request.user
    allowed = user.is_active and user.is_staff
    if not (allowed and user.has_perm("catalogue.view_opportunity")):
        raise PermissionDenied
    try:
        opportunity = selectors.opportunity_for_preview(pk)
    except Opportunity.DoesNotExist as missing:
        raise Http404(_("No such opportunity.")) from missing
    return render_opportunity(request, opportunity, preview=True)


def _download_name(document: OpportunityDocument) -> str:
    """A safe file name from the document's title, keeping the file's extension:
    "Announcement (full text)" and ao-documents/7/ao_x1y2.pdf give
    announcement-full-text.pdf; never a Windows device name (config.filenames)."""
    stored = Path(document.file.name)
    stem = slugify(document.title, allow_unicode=True) or get_valid_filename(
        stored.stem
    )
    return download_name(f"{stem}{stored.suffix.lower()}")


@require_safe
def opportunity_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    try:
        document = selectors.document_for_public(opportunity_slug=slug, pk=pk)
        return private_file_response(document.file, filename=_download_name(document))
    except (OpportunityDocument.DoesNotExist, FileNotFoundError) as missing:
        raise Http404(_("No such document.")) from missing


@require_safe
def deadlines_ics(request: HttpRequest) -> HttpResponse:
    calendar = build_deadlines_calendar(
        selectors.upcoming_deadlines(ICS_LIMIT),
        site_url=request.build_absolute_uri("/"),
    )
    return HttpResponse(calendar, content_type="text/calendar; charset=utf-8")


@require_safe
def mission_list(request: HttpRequest) -> HttpResponse:
    missions = list(selectors.missions_with_call_counts())
    return render(
        request,
        "catalogue/mission_list.html",
        {"missions": missions, "timeline": layout_timeline(missions)},
    )


def _mission_or_404(slug: str) -> Mission:
    try:
        return selectors.mission_for_public(slug)
    except Mission.DoesNotExist as missing:
        raise Http404(_("No such mission.")) from missing


@require_safe
def mission_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mission = _mission_or_404(slug)
    return render(
        request,
        "catalogue/mission_detail.html",
        {
            "mission": mission,
            "opportunities": selectors.public_opportunities_of(
                mission=mission, limit=MISSION_CALLS_LIMIT
            ),
            "following": selectors.is_following(user=request.user, mission=mission),
        },
    )


@require_POST
def mission_subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    """Follow or stop following a mission: action=follow or action=unfollow;
    without an action, the current state flips."""
    mission = _mission_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(mission.get_absolute_url())
    action = request.POST.get("action")
    if action not in {"follow", "unfollow"}:
        following = selectors.is_following(user=request.user, mission=mission)
        action = "unfollow" if following else "follow"
    if action == "follow":
        services.subscribe(user=request.user, mission=mission)
        messages.success(
            request,
            _(
                "You now follow %(mission)s. We will email you when one of its "
                "calls is published or amended."
            )
            % {"mission": mission.name},
        )
    else:
        services.unsubscribe(user=request.user, mission=mission)
        messages.success(
            request,
            _("You no longer follow %(mission)s.") % {"mission": mission.name},
        )
    return redirect(mission)


@require_safe
def cooperation(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/cooperation.html",
        {"tables": selectors.cooperation_tables()},
    )
