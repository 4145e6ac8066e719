"""Every admin URL of the review and proposal models, for every role.

The URLs are read from the admin site's registry (each registered model of the
`reviews` and `proposals` apps: its changelist, add, change, delete, history and
custom views, the panel's pages included), plus the apps' indexes and the
autocomplete answers for each of their foreign keys. Roles: the reviewer who
holds the assignment, another reviewer, an administrator, and a researcher, who
gets no admin at all. Each is asked every URL by GET; reviewers and the
researcher also by POST wherever their GET is refused.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import ReviewAssignment, ReviewerProfile
from tests.mfa import login_with_mfa
from tests.reviews import reviewer_admin as build

pytestmark = pytest.mark.django_db

APPS = ("reviews", "proposals")
OK, FOUND, FORBIDDEN, MISSING, NOT_ALLOWED = 200, 302, 403, 404, 405


@dataclass(frozen=True)
class Entry:
    """One admin URL: `name` is its URL name (or "autocomplete:<app.model.field>",
    "app_list:<app>"), `model` the label of the admin's model."""

    name: str
    model: str
    kwargs: tuple[str, ...] = ()
    query: str = ""


def registry_entries() -> list[Entry]:
    entries = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        for pattern in model_admin.get_urls():
            if pattern.name is None:  # <object_id>/ only redirects to change/
                continue
            converters = getattr(pattern.pattern, "converters", {})
            entries.append(
                Entry(
                    name=pattern.name,
                    model=model._meta.label,
                    kwargs=tuple(converters),
                )
            )
        entries += [
            Entry(
                name=f"autocomplete:{model._meta.label}.{field.name}",
                model=field.remote_field.model._meta.label,
                query=(
                    f"app_label={model._meta.app_label}"
                    f"&model_name={model._meta.model_name}"
                    f"&field_name={field.name}&term="
                ),
            )
            for field in model._meta.get_fields()
            if (field.many_to_one or field.one_to_one) and field.concrete
        ]
    entries += [Entry(name=f"app_list:{app}", model=app) for app in APPS]
    return sorted(entries, key=lambda entry: entry.name)


ENTRIES = registry_entries()


@pytest.fixture
def world():
    """An accepted assignment with a draft review, a decision, a letter template
    and a reviewer profile: one object for every model's pages."""
    opportunity = build.call()
    version = build.frozen_proposal(opportunity=opportunity)
    administrator = build.administrator()
    holder = build.reviewer(expertise="radon, dust")
    other = build.reviewer()
    assignment = services.assign_reviewer(
        proposal=version.proposal,
        reviewer=holder,
        due=timezone.now() + timedelta(days=14),
        actor=administrator,
    )
    services.accept_assignment(assignment=assignment, actor=holder)
    decision = services.record_decision(
        proposal=version.proposal, outcome="selected", actor=administrator
    )
    template = services.set_letter_template(
        opportunity=opportunity,
        outcome="not_selected",
        body="Dear {pi_name}, thank you.",
        actor=administrator,
    )
    assignment = ReviewAssignment.objects.select_related("review").get(pk=assignment.pk)
    objects = {
        "reviews.ReviewAssignment": assignment.pk,
        "reviews.Review": assignment.review.pk,
        "reviews.ReviewerProfile": ReviewerProfile.objects.get(user=holder).pk,
        "reviews.Decision": decision.pk,
        "reviews.DecisionLetterTemplate": template.pk,
        "proposals.Proposal": version.proposal_id,
        "proposals.ProposalVersion": version.pk,
    }
    values = {
        "opportunity_pk": opportunity.pk,
        "proposal_pk": version.proposal_id,
        "document_pk": version.snapshot["documents"][0]["id"],
        "file_format": "csv",
    }
    return {
        "users": {
            "holder": holder,
            "other reviewer": other,
            "administrator": administrator,
            "researcher": build.researcher(),
        },
        "assignment": assignment,
        "objects": objects,
        "values": values,
    }


def url_of(entry: Entry, world) -> str:
    if entry.name.startswith("autocomplete:"):
        return f"{reverse('admin:autocomplete')}?{entry.query}"
    if entry.name.startswith("app_list:"):
        return reverse("admin:app_list", kwargs={"app_label": entry.model})
    kwargs = {}
    for name in entry.kwargs:
        if name in {"object_id", "pk"}:
            kwargs[name] = world["objects"][entry.model]
        else:
            assert name in world["values"], f"no value for <{name}> of {entry.name}"
            kwargs[name] = world["values"][name]
    return reverse(f"admin:{entry.name}", kwargs=kwargs)


# --- what each role should get ---

ASSIGNMENT = "reviews_reviewassignment_"
HOLDER_PAGES = {
    f"{ASSIGNMENT}changelist": OK,
    f"{ASSIGNMENT}change": OK,
    f"{ASSIGNMENT}history": OK,
    f"{ASSIGNMENT}pdf": OK,
    f"{ASSIGNMENT}document": OK,
    f"{ASSIGNMENT}submit": OK,
    f"{ASSIGNMENT}answer": NOT_ALLOWED,  # POST only
    f"{ASSIGNMENT}review": NOT_ALLOWED,  # POST only
    "app_list:reviews": OK,
    "app_list:proposals": MISSING,  # no model of the app is theirs
}
OTHER_REVIEWER_PAGES = HOLDER_PAGES | {
    f"{ASSIGNMENT}change": MISSING,
    f"{ASSIGNMENT}history": MISSING,
    f"{ASSIGNMENT}pdf": MISSING,
    f"{ASSIGNMENT}document": MISSING,
    f"{ASSIGNMENT}submit": MISSING,
}
# Read only for administrators: nothing is added or deleted from the model
# forms; the reviewer's own answers and review are not theirs to post.
PANEL_MODELS = {
    "reviews.ReviewerProfile",
    "reviews.Decision",
    "reviews.DecisionLetterTemplate",
}
ADMINISTRATOR_REFUSED = {
    f"{ASSIGNMENT}add": FORBIDDEN,
    f"{ASSIGNMENT}delete": FORBIDDEN,
    f"{ASSIGNMENT}submit": FORBIDDEN,
    f"{ASSIGNMENT}answer": NOT_ALLOWED,
    f"{ASSIGNMENT}review": NOT_ALLOWED,
    "reviews_review_add": FORBIDDEN,
    "reviews_review_delete": FORBIDDEN,
    "proposals_proposal_add": FORBIDDEN,
    "proposals_proposal_delete": FORBIDDEN,
    "proposals_proposalversion_add": FORBIDDEN,
    "proposals_proposalversion_delete": FORBIDDEN,
}


# The proposals' admins hand reviewers an empty queryset, and Django's history
# view looks the object up before it asks for permission: "does not exist", back
# to the index, nothing shown.
EMPTY_FOR_REVIEWERS = {
    "proposals_proposal_history": FOUND,
    "proposals_proposalversion_history": FOUND,
}


def expected_for_reviewer(entry: Entry, pages: dict, method: str = "get") -> int:
    if entry.name.startswith("autocomplete:"):
        if method == "post":
            return NOT_ALLOWED
        # Only their own assignments answer (see the content test below).
        return OK if entry.model == "reviews.ReviewAssignment" else FORBIDDEN
    return pages.get(entry.name) or EMPTY_FOR_REVIEWERS.get(entry.name, FORBIDDEN)


def expected_for_administrator(entry: Entry, request) -> set[int]:
    """`request` is the administrator's, for the admins' search fields."""
    if entry.name in ADMINISTRATOR_REFUSED:
        return {ADMINISTRATOR_REFUSED[entry.name]}
    if entry.name.startswith("autocomplete:"):
        target = next(
            (
                model_admin
                for model, model_admin in admin.site._registry.items()
                if model._meta.label == entry.model
            ),
            None,
        )
        if target is None or entry.model.split(".")[0] not in APPS:
            # No admin for the target, or one this administrator (who holds no
            # accounts or catalogue permission) may not read.
            return {FORBIDDEN}
        return {OK} if target.get_search_fields(request) else {MISSING}
    if entry.name.startswith("reviews_panel_"):
        # The panel's pages: some only post, the letters of intent's only for a
        # call with a letter stage (this one has none).
        return {OK, NOT_ALLOWED, MISSING}
    if entry.model in PANEL_MODELS and entry.name.endswith(("_add", "_delete")):
        return {OK, FORBIDDEN}  # the panel keeps some of its forms read only
    return {OK}


def statuses(client, world, method: str = "get") -> dict[str, int]:
    return {
        entry.name: getattr(client, method)(url_of(entry, world)).status_code
        for entry in ENTRIES
    }


# --- the matrix ---


def test_the_registry_lists_the_review_and_proposal_pages():
    names = {entry.name for entry in ENTRIES}

    assert {
        f"{ASSIGNMENT}changelist",
        f"{ASSIGNMENT}document",
        f"{ASSIGNMENT}pdf",
        "reviews_review_history",
        "proposals_proposal_change",
        "proposals_proposal_export",
        "autocomplete:reviews.Review.assignment",
        "autocomplete:reviews.ReviewAssignment.proposal",
    } <= names


def test_the_researcher_gets_no_admin_page(client, world):
    researcher = world["users"]["researcher"]
    client.force_login(researcher)

    responses = {entry.name: client.get(url_of(entry, world)) for entry in ENTRIES}
    posted = {entry.name: client.post(url_of(entry, world)) for entry in ENTRIES}

    for response in [*responses.values(), *posted.values()]:
        assert response.status_code == FOUND
        assert response["Location"].startswith("/admin/login/?next=")


def test_the_reviewer_with_the_assignment(client, world):
    login_with_mfa(client, world["users"]["holder"])
    expected = {
        entry.name: expected_for_reviewer(entry, HOLDER_PAGES) for entry in ENTRIES
    }

    got = statuses(client, world)

    assert got == expected


def test_another_reviewer(client, world):
    login_with_mfa(client, world["users"]["other reviewer"])
    expected = {
        entry.name: expected_for_reviewer(entry, OTHER_REVIEWER_PAGES)
        for entry in ENTRIES
    }

    got = statuses(client, world)
    changelist = client.get(reverse(f"admin:{ASSIGNMENT}changelist"))

    assert got == expected
    assert list(changelist.context["cl"].result_list) == []


@pytest.mark.parametrize("who", ["holder", "other reviewer"])
def test_reviewers_cannot_post_where_they_cannot_read(client, world, who):
    login_with_mfa(client, world["users"][who])
    refused = [
        entry
        for entry in ENTRIES
        if expected_for_reviewer(entry, HOLDER_PAGES) != OK
        and entry.name not in HOLDER_PAGES
    ]
    expected = {
        entry.name: expected_for_reviewer(entry, HOLDER_PAGES, "post")
        for entry in refused
    }

    posted = {
        entry.name: client.post(url_of(entry, world)).status_code for entry in refused
    }

    assert posted == expected
    assert ReviewAssignment.objects.count() == 1
    assert ReviewerProfile.objects.count() == 1


def test_reviewers_asking_a_proposals_history_are_sent_to_the_index(client, world):
    login_with_mfa(client, world["users"]["holder"])
    proposal = world["objects"]["proposals.Proposal"]

    response = client.get(reverse("admin:proposals_proposal_history", args=[proposal]))

    assert response["Location"] == reverse("admin:index")


def test_an_administrator(client, world, rf):
    administrator = world["users"]["administrator"]
    login_with_mfa(client, administrator)
    request = rf.get("/admin/")
    request.user = administrator

    got = statuses(client, world)

    unexpected = {
        name: status
        for entry in ENTRIES
        if (status := got[(name := entry.name)])
        not in expected_for_administrator(entry, request)
    }
    assert unexpected == {}, sorted(unexpected.items())


def test_autocomplete_answers_a_reviewer_with_their_own_assignments_only(client, world):
    other_assignment = build.assignment_for(
        world["users"]["other reviewer"],
        version=build.frozen_proposal(opportunity=build.call()),
    )
    login_with_mfa(client, world["users"]["holder"])

    answer = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "reviews",
            "model_name": "review",
            "field_name": "assignment",
            "term": "",
        },
    ).json()

    ids = [result["id"] for result in answer["results"]]
    assert ids == [str(world["assignment"].pk)]
    assert str(other_assignment.pk) not in ids
