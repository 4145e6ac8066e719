"""Every administrators' URL of the payloads app, for every role.

The URLs are read from the administrators' site itself: every named pattern
whose name starts with `admin:payloads_` (the payload pages of
payloads.admin_views and every registered payloads model's pages). Each must
have a row in MATRIX — a URL without one fails the test, so a new page cannot
ship unexamined.

Roles: a member of the payload's team (its principal investigator), another
researcher, a reviewer, an administrator (staff in the Administrators group,
reading proposals), an anonymous visitor. On /admin/ everyone but the
administrator is sent to the administrators' sign-in page: none is staff.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from payloads.enums import ConditionStatus, DeliveryStatus
from tests.factories import ReviewerFactory, UserFactory
from tests.mfa import enable_totp, login_with_mfa
from tests.payloads.admin_builders import ROLES, administrator, full_payload
from tests.payloads.factories import (
    CallAgreementFactory,
    CallMilestoneFactory,
    SelectionEntryFactory,
    SelectionListFactory,
)
from tests.reviews.test_admin_permission_matrix import site_urls

pytestmark = pytest.mark.django_db

OK, FOUND, FORBIDDEN, NOT_ALLOWED = 200, 302, 403, 405


def admin_row(administrator_gets: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, FOUND) | {"administrator": administrator_gets}


def model_rows(model: str, *, add=OK, delete=OK) -> dict[str, dict]:
    prefix = f"admin:payloads_{model}_"
    return {
        f"{prefix}changelist": admin_row(OK),
        f"{prefix}add": admin_row(add),
        f"{prefix}change": admin_row(OK),
        f"{prefix}delete": admin_row(delete),
        f"{prefix}history": admin_row(OK),
    }


MATRIX: dict[str, dict[str, int]] = {
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
    **model_rows("payload", add=FORBIDDEN, delete=FORBIDDEN),
    **model_rows("callagreement"),
    **model_rows("callmilestone"),
    **model_rows("selectionlist", add=FORBIDDEN, delete=FORBIDDEN),
}


def payloads_urls():
    return [
        url for url in site_urls(admin.site) if url.name.startswith("admin:payloads_")
    ]


@pytest.fixture
def world():
    payload = full_payload()
    opportunity = payload.opportunity
    selection = SelectionListFactory(opportunity=opportunity)
    SelectionEntryFactory(selection_list=selection)
    reviewer = ReviewerFactory()
    enable_totp(reviewer)
    objects = {
        "payloads.Payload": payload.pk,
        "payloads.CallAgreement": CallAgreementFactory(opportunity=opportunity).pk,
        "payloads.CallMilestone": CallMilestoneFactory(opportunity=opportunity).pk,
        "payloads.SelectionList": selection.pk,
    }
    values = {
        "payload_pk": payload.pk,
        "condition_pk": payload.conditions.get().pk,
        "agreement_pk": payload.agreements.get().pk,
        "milestone_pk": payload.milestones.get().pk,
        "delivery_pk": payload.deliveries.get().pk,
        "file_format": "csv",
    }
    return {
        "payload": payload,
        "users": {
            "team member": payload.proposal.principal_investigator,
            "other researcher": UserFactory(),
            "reviewer": reviewer,
            "administrator": administrator(),
            "anonymous": None,
        },
        "objects": objects,
        "values": values,
    }


def address(url, world) -> str:
    kwargs = {
        name: world["objects"][url.model]
        if name == "object_id"
        else world["values"][name]
        for name in url.params
    }
    return reverse(url.name, kwargs=kwargs)


def sign_in(client, world, role: str) -> None:
    user = world["users"][role]
    if user is None:
        return
    if role in {"reviewer", "administrator"}:
        login_with_mfa(client, user)
    else:
        client.force_login(user)


def test_every_payloads_url_of_the_administrators_site_has_a_row():
    names = {url.name for url in payloads_urls()}

    assert sorted(names - MATRIX.keys()) == []
    assert sorted(MATRIX.keys() - names) == []


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(client, world, role):
    client.raise_request_exception = False  # a server error is a wrong cell
    sign_in(client, world, role)
    expected = {url.name: MATRIX[url.name][role] for url in payloads_urls()}

    got = {
        url.name: client.get(address(url, world)).status_code for url in payloads_urls()
    }

    assert {name: got[name] for name in got if got[name] != expected[name]} == {}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "administrator"])
def test_everyone_else_is_sent_to_the_administrators_sign_in(client, world, role):
    sign_in(client, world, role)

    locations = {
        url.name: client.get(address(url, world)).get("Location", "")
        for url in payloads_urls()
    }

    assert {
        name: location
        for name, location in locations.items()
        if not location.startswith("/admin/login/?next=")
    } == {}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "administrator"])
def test_nobody_else_changes_anything_by_posting(client, world, role):
    sign_in(client, world, role)
    payload = world["payload"]
    posts = {
        "admin:payloads_payload_condition": {"decision": "accept"},
        "admin:payloads_payload_deselect": {"letter": "Goodbye."},
        "admin:payloads_payload_decide_delivery": {
            "decision": "accept",
            "overrun_confirmed": "on",
        },
    }

    statuses = {
        url.name: client.post(address(url, world), posts.get(url.name, {})).status_code
        for url in payloads_urls()
    }

    payload.refresh_from_db()
    assert set(statuses.values()) == {FOUND}
    assert payload.status == "conditional"
    assert payload.conditions.get().status == ConditionStatus.ANSWERED
    assert payload.deliveries.get().status == DeliveryStatus.RECORDED
    assert payload.opportunity.selection_list.published_at is None
