"""The panel's URLs on the administrators' site (config.admin_site), under
`/admin/panel/`, each named `reviews_panel_<name>` in the `admin` namespace."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _

from reviews import selectors
from reviews.panel import assigning, deciding, manifest, phases, ranking
from reviews.panel.base import render, tabs
from reviews.permissions import is_review_administrator


def index_view(request: HttpRequest) -> HttpResponse:
    """Every call past its draft, with what the panel has to do for it."""
    if not is_review_administrator(request.user):
        raise PermissionDenied
    return render(
        request,
        "index.html",
        opportunity=None,
        title=_("Review panel"),
        rows=[
            {"opportunity": opportunity, "tabs": tabs(request, opportunity, "")}
            for opportunity in selectors.panel_calls()
        ],
    )


PAGES = [
    ("", index_view, "index"),
    ("<int:opportunity_pk>/bidding/", phases.bidding_view, "bidding"),
    ("<int:opportunity_pk>/assign/", assigning.assign_view, "assign"),
    ("<int:opportunity_pk>/assign/auto/", assigning.auto_view, "auto"),
    ("<int:opportunity_pk>/ranking/", ranking.ranking_view, "ranking"),
    (
        "<int:opportunity_pk>/ranking.<str:file_format>",
        ranking.export_view,
        "export",
    ),
    (
        "<int:opportunity_pk>/proposal/<int:proposal_pk>/",
        ranking.proposal_view,
        "proposal",
    ),
    ("<int:opportunity_pk>/discussion/", phases.discussion_view, "discussion"),
    (
        "<int:opportunity_pk>/discussion/<int:proposal_pk>/",
        phases.thread_view,
        "thread",
    ),
    ("<int:opportunity_pk>/manifest/", manifest.manifest_view, "manifest"),
    ("<int:opportunity_pk>/letters/", deciding.letters_view, "letters"),
    ("<int:opportunity_pk>/decisions/", deciding.decisions_view, "decisions"),
    (
        "<int:opportunity_pk>/decisions/<int:proposal_pk>/",
        deciding.letter_view,
        "letter",
    ),
    (
        "<int:opportunity_pk>/decisions/templates/",
        deciding.templates_view,
        "templates",
    ),
    ("<int:opportunity_pk>/release/", deciding.release_view, "release"),
    ("<int:opportunity_pk>/settings/", phases.settings_view, "settings"),
]


def panel_urls(site) -> list:
    """The panel's pages, each behind `site.admin_view` (signed-in staff; the
    views check their own predicate)."""
    return [
        path(f"panel/{route}", site.admin_view(view), name=f"reviews_panel_{name}")
        for route, view, name in PAGES
    ]
