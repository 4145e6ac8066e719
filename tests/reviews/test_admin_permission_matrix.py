"""Every URL of both admin sites, for every role.

The URLs are read from the sites themselves: every named pattern of the
administrators' site (`admin.site`, /admin/: its own views, the panel's, and
every registered model's) and of the reviewers' site (`reviewer_site`,
/review/). Each must have a row in MATRIX saying what each role gets by GET —
a URL without a row fails the test, so a new page cannot ship unexamined.

Roles: an administrator (staff, reviews.manage_reviews, not a reviewer); the
reviewer assigned the proposal (accepted, review submitted, the primary
reviewer, during the discussion phase); a reviewer not assigned it; a
reviewer who declared a conflict with it (their own assignment, ended as a
conflict, and a "conflict" bid); a researcher (the proposal's investigator);
and an anonymous visitor. A reviewer's URLs with an assignment take the
holder's assignment, except for the conflicted reviewer, who is asked about
their own.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from messaging import services as messaging
from proposals.models import Proposal
from reviews import services
from reviews.admin.reviewer_site import reviewer_site
from reviews.models import ReviewAssignment, ReviewerProfile
from tests.messaging.builders import message
from tests.mfa import login_with_mfa
from tests.payloads.admin_builders import full_payload
from tests.payloads.factories import (
    CallAgreementFactory,
    CallMilestoneFactory,
    SelectionListFactory,
)
from tests.questions.factories import QuestionFactory
from tests.reviews import reviewer_admin as build

pytestmark = pytest.mark.django_db

OK, FOUND, FORBIDDEN, MISSING, NOT_ALLOWED = 200, 302, 403, 404, 405
ROLES = (
    "administrator",
    "assigned reviewer",
    "unassigned reviewer",
    "conflicted reviewer",
    "researcher",
    "anonymous",
)
REVIEWERS = ("assigned reviewer", "unassigned reviewer", "conflicted reviewer")


@dataclass(frozen=True)
class Url:
    """One named URL of a site: `name` is namespaced ("admin:…", "review:…");
    `model` the label of the ModelAdmin's model that serves it ("" for the
    site's own views); `params` its arguments, by name or (a regular
    expression's groups) by position."""

    name: str
    model: str
    params: tuple[str, ...]
    positional: bool = False


def _patterns(patterns) -> Iterator[URLPattern]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        else:
            yield pattern


def _url(site, pattern: URLPattern, model: str) -> Url:
    if isinstance(pattern.pattern, RoutePattern):
        converters = pattern.pattern.converters
        return Url(f"{site.name}:{pattern.name}", model, tuple(converters))
    regex = pattern.pattern.regex
    if regex.groupindex:
        return Url(f"{site.name}:{pattern.name}", model, tuple(regex.groupindex))
    if regex.groups:
        return Url(
            f"{site.name}:{pattern.name}",
            model,
            tuple(f"#{index}" for index in range(regex.groups)),
            positional=True,
        )
    return Url(f"{site.name}:{pattern.name}", model, ())


def site_urls(site) -> list[Url]:
    """Every named URL of `site`, each once."""
    found: dict[str, Url] = {}
    by_model = {
        pattern.name: model._meta.label
        for model, model_admin in site._registry.items()
        for pattern in _patterns(model_admin.get_urls())
    }
    for pattern in _patterns(site.get_urls()):
        if pattern.name is None:  # <object_id>/ redirects, the catch-all
            continue
        url = _url(site, pattern, by_model.get(pattern.name, ""))
        found.setdefault(url.name, url)
    return sorted(found.values(), key=lambda url: url.name)


def every_url() -> list[Url]:
    return [*site_urls(admin.site), *site_urls(reviewer_site)]


# --- the world every URL is asked about --------------------------------------------


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """A call in its discussion phase with bidding open; its proposal assigned
    to a reviewer who submitted and is the primary reviewer, and to one who
    declared a conflict (and bid "conflict"); a decision, a letter template; one
    object for every model's pages."""
    opportunity = build.call()
    version = build.frozen_proposal(opportunity=opportunity)
    proposal = version.proposal
    administrator = build.administrator()
    holder = build.reviewer(expertise="radon, dust")
    conflicted = build.reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        services.open_bidding(opportunity=opportunity, actor=administrator)
        assignment = services.assign_reviewer(
            proposal=proposal,
            reviewer=holder,
            due=timezone.now() + timedelta(days=14),
            actor=administrator,
        )
        conflict = services.assign_reviewer(
            proposal=proposal,
            reviewer=conflicted,
            due=timezone.now() + timedelta(days=14),
            actor=administrator,
        )
        services.declare_conflict(
            assignment=conflict, actor=conflicted, reason="I co-authored with them."
        )
        services.place_bid(
            proposal=proposal,
            reviewer=conflicted,
            preference="conflict",
            actor=conflicted,
        )
        services.accept_assignment(assignment=assignment, actor=holder)
    review = ReviewAssignment.objects.get(pk=assignment.pk).review
    services.save_review_draft(
        review=review,
        actor=holder,
        scores={criterion.pk: 4 for criterion in opportunity.criteria.all()},
        recommendation="select",
        comments_for_proposer="Sound.",
        confidential_comments="",
    )
    services.submit_review(review=review, actor=holder)
    services.open_discussion(opportunity=opportunity, actor=administrator)
    services.designate_primary_reviewer(
        proposal=proposal, reviewer=holder, actor=administrator
    )
    decision = services.record_decision(
        proposal=proposal, outcome="selected", actor=administrator
    )
    template = services.set_letter_template(
        opportunity=opportunity,
        outcome="not_selected",
        body="Dear {pi_name}, thank you.",
        actor=administrator,
    )
    mission = opportunity.mission
    payload = full_payload()
    # A draft message (its pages as for one still editable), and one sent to
    # the proposal's team, for a recipient.
    status = Proposal.objects.get(pk=proposal.pk).status
    draft = message(opportunity, author=administrator, statuses=[status])
    sent = messaging.send_message(
        message=message(opportunity, author=administrator, statuses=[status]),
        actor=administrator,
    )
    objects = {
        "reviews.ReviewAssignment": assignment.pk,
        "reviews.Review": review.pk,
        "reviews.ReviewerProfile": ReviewerProfile.objects.get(user=holder).pk,
        "reviews.Decision": decision.pk,
        "reviews.DecisionLetterTemplate": template.pk,
        "proposals.Proposal": proposal.pk,
        "proposals.ProposalVersion": version.pk,
        "catalogue.Opportunity": opportunity.pk,
        "catalogue.Mission": mission.pk,
        "catalogue.Contact": opportunity.contacts.create(
            name="GAN Yong", email="gany@cnsa.example.org"
        ).pk,
        "accounts.User": holder.pk,
        "auth.Group": holder.groups.get().pk,
        "payloads.Payload": payload.pk,
        "payloads.CallAgreement": CallAgreementFactory(
            opportunity=payload.opportunity
        ).pk,
        "payloads.CallMilestone": CallMilestoneFactory(
            opportunity=payload.opportunity
        ).pk,
        "payloads.SelectionList": SelectionListFactory(
            opportunity=payload.opportunity
        ).pk,
        "messaging.Message": draft.pk,
        "messaging.MessageRecipient": sent.recipients.first().pk,
        "questions.Question": QuestionFactory(opportunity=opportunity).pk,
    }
    values = {
        "opportunity_pk": opportunity.pk,
        "proposal_pk": proposal.pk,
        "document_pk": version.snapshot["documents"][0]["id"],
        "file_format": "csv",
        "move": "close",
        "app_label": "reviews",
        "content_type_id": ContentType.objects.get_for_model(ReviewAssignment).pk,
        "id": holder.pk,
        "payload_pk": payload.pk,
        "condition_pk": payload.conditions.get().pk,
        "agreement_pk": payload.agreements.get().pk,
        "milestone_pk": payload.milestones.get().pk,
        "delivery_pk": payload.deliveries.get().pk,
        "name": "opportunity_published",  # an email template's preview
        "language": "zh-hans",
    }
    return {
        "users": {
            "administrator": administrator,
            "assigned reviewer": holder,
            "unassigned reviewer": build.reviewer(),
            "conflicted reviewer": conflicted,
            "researcher": proposal.principal_investigator,
            "anonymous": None,
        },
        "assignments": {"conflicted reviewer": conflict.pk},
        "objects": objects,
        "values": values,
    }


def address(url: Url, world, role: str) -> str:
    """The URL with this world's objects: the role's own assignment for the
    conflicted reviewer, the holder's otherwise."""
    objects = world["objects"]
    if url.model == "reviews.ReviewAssignment" and role in world["assignments"]:
        objects = {**objects, url.model: world["assignments"][role]}
    if url.positional:
        # django-simple-history's "<object_id>/history/<history_id>/".
        pk = objects[url.model]
        record = apps.get_model(url.model).history.filter(id=pk).first()
        return reverse(url.name, args=[pk, record.history_id])
    kwargs = {}
    for name in url.params:
        if name in {"object_id", "pk"}:
            model = url.model or "reviews.ReviewAssignment"  # view_on_site
            kwargs[name] = objects.get(model) or any_object(model)
        else:
            assert name in world["values"], f"no value for <{name}> of {url.name}"
            kwargs[name] = world["values"][name]
    return reverse(url.name, kwargs=kwargs)


def any_object(label: str) -> int:
    """The first row of a model the world did not name (0 when it has none: the
    admin then says it does not exist)."""
    row = apps.get_model(label).objects.order_by("pk").first()
    return row.pk if row is not None else 0


def sign_in(client, world, role: str) -> None:
    client.logout()
    user = world["users"][role]
    if user is None:
        return
    if role == "researcher":
        client.force_login(user)
    else:
        login_with_mfa(client, user)


# --- what each role gets -----------------------------------------------------------
#
# A row gives each role's status. On /admin/, everyone but the administrator is
# sent to the administrators' sign-in page (302): reviewers are not staff. On
# /review/, the anonymous visitor is sent to sign in (302), the administrator
# and the researcher are refused (403): they are not reviewers.


def admin_row(administrator: int, **others: int) -> dict[str, int]:
    """A URL of the administrators' site."""
    return {
        "administrator": administrator,
        **dict.fromkeys(REVIEWERS, FOUND),
        "researcher": FOUND,
        "anonymous": FOUND,
        **{key.replace("_", " "): value for key, value in others.items()},
    }


def review_row(
    assigned: int, unassigned: int | None = None, conflicted: int | None = None
) -> dict[str, int]:
    """A URL of the reviewers' site: the holder, a reviewer not assigned (the
    holder's assignment: 404), the conflicted reviewer (their own)."""
    return {
        "administrator": FORBIDDEN,
        "assigned reviewer": assigned,
        "unassigned reviewer": assigned if unassigned is None else unassigned,
        "conflicted reviewer": assigned if conflicted is None else conflicted,
        "researcher": FORBIDDEN,
        "anonymous": FOUND,
    }


def model_rows(
    label: str,
    *,
    view=OK,
    add=OK,
    delete=OK,
    change=None,
    history=None,
    extra=None,
) -> dict[str, dict]:
    """The standard pages of a model registered on the administrators' site,
    as the administrator gets them (change and history as `view` unless
    given)."""
    prefix = f"admin:{label.replace('.', '_').lower()}_"
    rows = {
        f"{prefix}changelist": admin_row(view),
        f"{prefix}add": admin_row(add),
        f"{prefix}change": admin_row(view if change is None else change),
        f"{prefix}delete": admin_row(delete),
        f"{prefix}history": admin_row(view if history is None else history),
    }
    return rows | {
        f"{prefix}{name}": admin_row(status) for name, status in (extra or {}).items()
    }


def not_the_administrators(label: str, *, exists=True, extra=()) -> dict[str, dict]:
    """A model the review administrator holds no permission on (accounts,
    catalogue, notifications: other staff's work): 403, except the history
    of a row that does not exist, which Django looks up first (302)."""
    return model_rows(
        label,
        view=FORBIDDEN,
        add=FORBIDDEN,
        delete=FORBIDDEN,
        history=FORBIDDEN if exists else FOUND,
        extra=dict.fromkeys(extra, FORBIDDEN),
    )


ASSIGNMENT = "review:reviews_reviewassignment_"

MATRIX: dict[str, dict[str, int]] = {
    # --- the administrators' site: its own views ---
    "admin:index": admin_row(OK),
    "admin:login": admin_row(
        FOUND,  # signed in already: on to the index
        assigned_reviewer=FORBIDDEN,  # allauth's secure_admin_login: not staff
        unassigned_reviewer=FORBIDDEN,
        conflicted_reviewer=FORBIDDEN,
        researcher=FORBIDDEN,
    ),
    "admin:logout": admin_row(NOT_ALLOWED),  # POST only; others: to the index
    "admin:password_change": admin_row(OK),
    "admin:password_change_done": admin_row(OK),
    "admin:autocomplete": admin_row(FORBIDDEN),  # no field asked
    "admin:jsi18n": admin_row(OK),
    "admin:view_on_site": admin_row(MISSING),  # assignments have no public page
    "admin:app_list": admin_row(OK),
    "admin:audit_log": admin_row(OK),  # config.audit: the Administrators group
    # --- the panel ---
    **{
        f"admin:reviews_panel_{name}": admin_row(status)
        for name, status in {
            "index": OK,
            "bidding": OK,
            "assign": OK,
            "auto": OK,
            "ranking": OK,
            "export": OK,
            "proposal": OK,
            "discussion": OK,
            "thread": OK,
            "manifest": OK,
            "letters": MISSING,  # this call has no letter-of-intent stage
            "decisions": OK,
            "letter": OK,
            "templates": OK,
            "release": OK,
            "settings": OK,
        }.items()
    },
    # --- the administrators' models ---
    **not_the_administrators("auth.Group", extra=["simple_history"]),
    **not_the_administrators("account.EmailAddress"),
    **not_the_administrators("mfa.Authenticator"),
    **not_the_administrators("authtoken.TokenProxy", exists=False),
    **not_the_administrators("accounts.User", extra=["simple_history"]),
    "admin:auth_user_password_change": admin_row(FORBIDDEN),
    **not_the_administrators("catalogue.Mission", extra=["simple_history"]),
    **not_the_administrators("catalogue.Contact"),
    **not_the_administrators("catalogue.CooperationTable", exists=False),
    **not_the_administrators("catalogue.MissionSubscription", exists=False),
    **not_the_administrators(
        "catalogue.Opportunity",
        extra=["transition", "amend", "preview", "simple_history"],
    ),
    **not_the_administrators(
        "notifications.OutboundEmail", extra=["preview", "preview_html", "html"]
    ),
    **not_the_administrators("notifications.FlaggedAddress", exists=False),
    **not_the_administrators("privacy.PrivacyEvent", exists=False),
    # Read only: every change goes through the panel's services.
    **model_rows(
        "proposals.Proposal", add=FORBIDDEN, delete=FORBIDDEN, extra={"export": OK}
    ),
    **model_rows("proposals.ProposalVersion", add=FORBIDDEN, delete=FORBIDDEN),
    **model_rows(
        "reviews.ReviewAssignment",
        add=FORBIDDEN,
        delete=FORBIDDEN,
        extra={"pdf": OK, "document": OK},
    ),
    **model_rows("reviews.Review", add=FORBIDDEN, delete=FORBIDDEN),
    **model_rows("reviews.ReviewerProfile", delete=FORBIDDEN),
    **model_rows(
        "reviews.DecisionLetterTemplate",
        delete=FORBIDDEN,
        extra={"simple_history": OK},  # read only: never reverts
    ),
    **model_rows(
        "reviews.Decision",
        add=FORBIDDEN,
        delete=FORBIDDEN,
        extra={"simple_history": OK},  # read only: never reverts
    ),
    # --- payloads: the administrators' pages (payloads.admin_views) ---
    "admin:payloads_overview": admin_row(OK),
    "admin:payloads_export": admin_row(OK),
    "admin:payloads_publish": admin_row(NOT_ALLOWED),  # POST only
    **{
        f"admin:payloads_payload_{action}": admin_row(OK)
        for action in (
            "allocation",
            "condition",
            "deselect",
            "agreement",
            "sign",
            "slip",
            "complete",
            "delivery",
            "decide_delivery",
            "handover",
        )
    },
    # Read only: every change goes through the pages above.
    **model_rows("payloads.Payload", add=FORBIDDEN, delete=FORBIDDEN),
    **model_rows("payloads.CallAgreement"),
    **model_rows("payloads.CallMilestone"),
    **model_rows("payloads.SelectionList", add=FORBIDDEN, delete=FORBIDDEN),
    # --- messaging: administrators only; the message is a draft ---
    **model_rows(
        "messaging.Message",
        extra={"preview": OK, "send": NOT_ALLOWED},  # send: POST only
    ),
    # Read only: recorded by send_message.
    **model_rows("messaging.MessageRecipient", add=FORBIDDEN, delete=FORBIDDEN),
    # --- questions: asked on the call's page, never added or deleted here ---
    **model_rows(
        "questions.Question",
        add=FORBIDDEN,
        delete=FORBIDDEN,
        # The world's question is asked, not published: it can be declined,
        # and the amendment page sends the administrator back with the reason.
        extra={"decline": OK, "amend": FOUND},
    ),
    # --- the reviewers' site: its own views ---
    "review:index": review_row(OK),
    "review:login": {
        **review_row(FOUND),  # signed in: on to the index
        "anonymous": FOUND,  # to allauth's sign-in
    },
    "review:logout": review_row(NOT_ALLOWED),  # POST only
    "review:password_change": review_row(FOUND),  # the account's own page
    "review:password_change_done": review_row(FOUND),
    "review:autocomplete": review_row(FORBIDDEN),  # no field asked
    "review:jsi18n": review_row(OK),
    "review:view_on_site": review_row(MISSING),
    "review:app_list": review_row(OK),
    "review:bidding": review_row(OK),
    "review:bid_sheet": review_row(OK),
    # --- the reviewer's assignments ---
    f"{ASSIGNMENT}changelist": review_row(OK),
    f"{ASSIGNMENT}add": review_row(FORBIDDEN),
    f"{ASSIGNMENT}change": review_row(OK, MISSING, OK),
    f"{ASSIGNMENT}delete": review_row(FORBIDDEN, FORBIDDEN, FORBIDDEN),
    f"{ASSIGNMENT}history": review_row(OK, MISSING, OK),
    f"{ASSIGNMENT}answer": review_row(NOT_ALLOWED),  # POST only
    f"{ASSIGNMENT}review": review_row(NOT_ALLOWED),  # POST only
    # Submitted (holder) or ended (conflict): back to the page with a message.
    f"{ASSIGNMENT}submit": review_row(FOUND, MISSING, FOUND),
    f"{ASSIGNMENT}pdf": review_row(OK, MISSING, MISSING),
    f"{ASSIGNMENT}document": review_row(OK, MISSING, MISSING),
    "review:thread": review_row(OK, MISSING, FORBIDDEN),
    "review:revise": review_row(OK, MISSING, FORBIDDEN),
    "review:consensus": review_row(OK, MISSING, FORBIDDEN),
}


# --- the tests ----------------------------------------------------------------------


def test_every_url_of_both_sites_has_a_row():
    names = {url.name for url in every_url()}

    assert sorted(names - MATRIX.keys()) == []
    assert sorted(MATRIX.keys() - names) == []


def test_the_reviewers_site_serves_the_reviewers_pages():
    names = {url.name for url in site_urls(reviewer_site)}

    assert {
        "review:index",
        "review:bidding",
        "review:bid_sheet",
        "review:thread",
        "review:revise",
        "review:consensus",
        f"{ASSIGNMENT}change",
        f"{ASSIGNMENT}pdf",
    } <= names
    assert not any(name.startswith("review:reviews_panel_") for name in names)


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(client, world, role):
    client.raise_request_exception = False  # a server error is a wrong cell
    sign_in(client, world, role)
    urls = [url for url in every_url() if url.name in MATRIX]
    expected = {url.name: MATRIX[url.name][role] for url in urls}

    got = {url.name: client.get(address(url, world, role)).status_code for url in urls}

    assert {name: got[name] for name in got if got[name] != expected[name]} == {}


@pytest.mark.parametrize("role", ["researcher", *REVIEWERS])
def test_everyone_but_administrators_is_sent_to_sign_in_on_every_admin_url(
    client, world, role
):
    sign_in(client, world, role)
    urls = [
        url
        for url in site_urls(admin.site)
        if url.name not in {"admin:login", "admin:logout"}
    ]

    locations = {
        url.name: client.get(address(url, world, role)).get("Location", "")
        for url in urls
    }

    assert {
        name: location
        for name, location in locations.items()
        if not location.startswith("/admin/login/?next=")
    } == {}


@pytest.mark.parametrize("role", REVIEWERS)
def test_reviewers_cannot_post_on_the_administrators_site(client, world, role):
    sign_in(client, world, role)

    statuses = {
        url.name: client.post(address(url, world, role)).status_code
        for url in site_urls(admin.site)
        if url.name != "admin:login"
    }

    assert set(statuses.values()) == {FOUND}
    assert ReviewAssignment.objects.count() == 2
