"""What every page of the review panel shares.

Each page checks its predicate from reviews.permissions before it reads
anything: a reviewer, a researcher or staff without the review permission gets
a 403; someone not signed in is sent to the login page by the admin site.
"""

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from html import escape as _escape

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalogue.models import Opportunity
from config.admin_lists import nav_sidebar
from config.admin_site import REFUSALS, refusal_messages, show_refusal
from reviews import selectors
from reviews.permissions import (
    can_decide,
    can_manage_panel,
    can_manage_reviews,
    can_view_ranking,
)

__all__ = ["REFUSALS", "refusal_messages", "show_refusal"]

TEMPLATES = "admin/reviews/panel/"
PER_PAGE = 50

# (url name, label, who may open it)
TABS: list[tuple[str, object, Callable]] = [
    ("bidding", _("Bidding"), can_manage_panel),
    ("assign", _("Assign"), can_manage_reviews),
    ("auto", _("Automatic assignment"), can_manage_reviews),
    ("ranking", _("Ranking"), can_view_ranking),
    ("discussion", _("Discussion"), can_manage_panel),
    ("manifest", _("Manifest"), can_view_ranking),
    ("letters", _("Letters of intent"), can_decide),
    ("decisions", _("Decisions"), can_decide),
    ("settings", _("Settings"), can_manage_panel),
]


PROBLEMS_SHOWN = 10


def first_problems(problems: list) -> dict:
    """At most PROBLEMS_SHOWN of a long list of problems, and how many more:
    a page's size stays that of one page whatever the call."""
    return {
        "problems": problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(problems) - PROBLEMS_SHOWN),
    }


def panel_url(name: str, *args) -> str:
    return reverse(f"admin:reviews_panel_{name}", args=args)


def opportunity_for(request: HttpRequest, pk: int, *, allowed: Callable):
    """The call `pk` for someone `allowed(user)`; 403 or 404 else."""
    if not allowed(request.user):
        raise PermissionDenied
    return selectors.panel_opportunity(pk=pk)


def paginate(request: HttpRequest, items: Iterable, *, per_page: int = PER_PAGE):
    """The page `?page=` of `items` (the last one when out of range)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def ranked_page(
    request: HttpRequest, rows, *, order: list, per_page: int = PER_PAGE
) -> Page:
    """The page `?page=` of the ranking's queryset `rows` (sorted and
    filtered), whose ids `order` holds in its order (kept in the cache, see
    `kept`): only the page's rows are read, by id. Sorting every proposal of
    the call joined to its investigator before the cut was most of the
    page's SQL time (12 of 22 ms at 2,000 proposals)."""
    page = Paginator(order, per_page).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    by_pk = {row.pk: row for row in rows.filter(pk__in=ids)} if ids else {}
    page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
    return page


# What a page keeps in the cache lives under keys that name every input it is
# read from, so an entry is never stale: the day only bounds memory.
KEPT_S = 60 * 60 * 24


def kept(key: str, read: Callable):
    """`read()`, kept in the cache under `key` (which names what it is read
    from)."""
    return cache.get_or_set(key, read, KEPT_S)


CENT = Decimal("0.01")


def figure(value, separator: str = ".") -> str:
    """A figure kept to two places (0.01) as the panel's tables write it
    (floatformat's "4.93"; "—" for none), with the language's decimal
    `separator`."""
    if value is None:
        return "—"
    # Rounded half up, as floatformat does (a Decimal's format rounds half even).
    rounded = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{rounded or abs(rounded):.2f}".replace(".", separator)  # no "-0.00"


def html(value) -> str:
    """`value` escaped as Django's `escape` does (& < > " '), without its
    lazy-string wrapper: for the table rows a view writes in one pass."""
    return _escape(str(value))


def page_query(request: HttpRequest, page_number: int) -> str:
    """The query string of the current page with `page` replaced."""
    query = request.GET.copy()
    query["page"] = page_number
    return "?" + query.urlencode()


def pages(request: HttpRequest, page: Page) -> dict:
    """What templates/admin/reviews/panel/pages.html shows."""
    return {
        "page": page,
        "previous_url": page_query(request, page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": page_query(request, page.next_page_number())
        if page.has_next()
        else "",
    }


def tabs(request: HttpRequest, opportunity: Opportunity, current: str) -> list:
    return [
        {
            "name": name,
            "label": label,
            "url": panel_url(name, opportunity.pk),
            "current": name == current,
        }
        for name, label, allowed in TABS
        if allowed(request.user) and (name != "letters" or opportunity.has_loi_stage)
    ]


def render(
    request: HttpRequest,
    template: str,
    *,
    opportunity: Opportunity | None,
    title,
    tab: str = "",
    **context,
) -> TemplateResponse:
    site_context = admin.site.each_context(request)
    if site_context.get("is_nav_sidebar_enabled"):
        # The admin's navigation written in one pass, as the changelists do
        # (templates/admin/base_site.html shows it instead of its templates).
        site_context["nav_sidebar"] = nav_sidebar(
            request, site_context["available_apps"]
        )
    return TemplateResponse(
        request,
        TEMPLATES + template,
        {
            **site_context,
            "title": title,
            "opportunity": opportunity,
            "tab": tab,
            "tabs": tabs(request, opportunity, tab) if opportunity else [],
            "panel_index_url": panel_url("index"),
            "opportunity_change_url": reverse(
                "admin:catalogue_opportunity_change", args=[opportunity.pk]
            )
            if opportunity is not None
            else "",
            **context,
        },
    )


def confirm(
    request: HttpRequest,
    *,
    opportunity: Opportunity | None,
    title,
    question,
    objects: Iterable = (),
    form=None,
    button,
    back_url: str,
    hidden: Iterable[tuple[str, object]] = (),
    details: str = "",
    tab: str = "",
    **context,
) -> TemplateResponse:
    """The panel's one confirmation page: a question, what it is about (a list
    of `objects`, or the template `details` for more), an optional form (a
    reason, say), the button and the way back. `hidden` (name, value) pairs are
    posted along (an admin action's selection, say)."""
    return render(
        request,
        "confirm.html",
        opportunity=opportunity,
        title=title,
        tab=tab,
        question=question,
        objects=list(objects),
        form=form,
        button=button,
        back_url=back_url,
        hidden=list(hidden),
        details=TEMPLATES + details if details else "",
        **context,
    )
