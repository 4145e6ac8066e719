"""Every URL of the team's pages against every role.

MATRIX holds one row per URL name of payloads/urls.py: a URL added without a
row fails `test_every_url_has_a_row`. Each cell says what the role gets:
the page (or file), a 403, a 404 (a payload one may not see does not exist), or
the sign-in page.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.urls import reverse

from payloads import urls as payload_urls
from payloads.enums import ConditionStatus
from proposals.enums import TeamRole
from tests.factories import (
    ReviewAssignmentFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.payloads.factories import (
    AgreementFactory,
    ConditionDocumentFactory,
    ConditionFactory,
)

pytestmark = pytest.mark.django_db

PI = "principal investigator"
CO_I = "confirmed co-investigator"
OTHER = "other researcher"
REVIEWER = "reviewer of the proposal"
ADMIN = "administrator"
ANONYMOUS = "anonymous"
ROLES = [PI, CO_I, OTHER, REVIEWER, ADMIN, ANONYMOUS]

OK = "ok"  # the page, the file, or (for the answer) the answer saved
LISTED = "listed"  # the list, with this payload on it
NOT_LISTED = "not listed"  # the list, without it
FORBIDDEN = 403
NOT_FOUND = 404
SIGN_IN = "sign in"


def _row(**cells):
    return {role: cells[role] for role in ROLES}


MATRIX = {
    "list": _row(
        **{
            PI: LISTED,
            CO_I: LISTED,
            OTHER: NOT_LISTED,
            REVIEWER: NOT_LISTED,
            ADMIN: NOT_LISTED,  # "My payloads" is the team's; /admin/ has them all
            ANONYMOUS: SIGN_IN,
        }
    ),
    "detail": _row(
        **{
            PI: OK,
            CO_I: OK,
            OTHER: NOT_FOUND,
            REVIEWER: NOT_FOUND,
            ADMIN: OK,
            ANONYMOUS: SIGN_IN,
        }
    ),
    "answer": _row(
        **{
            PI: OK,
            CO_I: OK,
            OTHER: NOT_FOUND,
            REVIEWER: NOT_FOUND,
            ADMIN: FORBIDDEN,  # administrators accept or return, never answer
            ANONYMOUS: SIGN_IN,
        }
    ),
    "condition-document": _row(
        **{
            PI: OK,
            CO_I: OK,
            OTHER: NOT_FOUND,
            REVIEWER: NOT_FOUND,
            ADMIN: OK,
            ANONYMOUS: SIGN_IN,
        }
    ),
    "agreement-document": _row(
        **{
            PI: OK,
            CO_I: OK,
            OTHER: NOT_FOUND,
            REVIEWER: NOT_FOUND,
            ADMIN: OK,
            ANONYMOUS: SIGN_IN,
        }
    ),
}


@pytest.fixture
def world():
    """One conditional payload with an open condition, an answered one with a
    document, and a signed agreement."""
    condition = ConditionFactory()
    payload = condition.payload
    document = ConditionDocumentFactory(
        condition=ConditionFactory(payload=payload, status=ConditionStatus.ANSWERED)
    )
    agreement = AgreementFactory(payload=payload, signed=True)
    return {
        "payload": payload,
        "condition": condition,
        "document": document,
        "agreement": agreement,
    }


def _user_as(role: str, payload):
    if role == ANONYMOUS:
        return AnonymousUser()
    if role == PI:
        return payload.proposal.principal_investigator
    if role == ADMIN:
        user = UserFactory(staff=True)
        group, _created = Group.objects.get_or_create(name="Administrators")
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label="proposals", codename="view_proposal"
            )
        )
        user.groups.add(group)
        return user
    if role == REVIEWER:
        assignment = ReviewAssignmentFactory(version=payload.version, accepted=True)
        return assignment.reviewer
    user = UserFactory()
    if role == CO_I:
        TeamMemberFactory(
            proposal=payload.proposal,
            user=user,
            confirmed=True,
            role=TeamRole.CO_INVESTIGATOR,
        )
    return user


def _request(name: str, world: dict) -> tuple[str, str, dict]:
    """(method, url, data) for the URL `name`."""
    payload, condition = world["payload"], world["condition"]
    if name == "list":
        return "get", reverse("payloads:list"), {}
    if name == "detail":
        return "get", reverse("payloads:detail", kwargs={"pk": payload.pk}), {}
    if name == "answer":
        url = reverse(
            "payloads:answer", kwargs={"pk": payload.pk, "condition_pk": condition.pk}
        )
        return "post", url, {f"condition-{condition.pk}-answer": "Done as asked."}
    if name == "condition-document":
        url = reverse(
            "payloads:condition-document", kwargs={"pk": world["document"].pk}
        )
        return "get", url, {}
    if name == "agreement-document":
        url = reverse(
            "payloads:agreement-document", kwargs={"pk": world["agreement"].pk}
        )
        return "get", url, {}
    raise AssertionError(name)


def test_every_url_has_a_row():
    names = {pattern.name for pattern in payload_urls.urlpatterns}

    assert names == set(MATRIX)


def _cells():
    return [(name, role, MATRIX[name][role]) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role", "expected"), _cells())
def test_permission_matrix(client, world, name, role, expected):
    user = _user_as(role, world["payload"])
    if role != ANONYMOUS:
        client.force_login(user)
    method, url, data = _request(name, world)

    response = getattr(client, method)(url, data)

    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif expected in (FORBIDDEN, NOT_FOUND):
        assert response.status_code == expected
    elif expected in (LISTED, NOT_LISTED):
        listed = [payload.pk for payload in response.context["payloads"]]
        assert listed == ([world["payload"].pk] if expected == LISTED else [])
    elif name == "answer":
        assert response.status_code == 302
        world["condition"].refresh_from_db()
        assert world["condition"].status == ConditionStatus.ANSWERED
        assert world["condition"].answered_by == user
    elif name.endswith("-document"):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"
    else:
        assert response.status_code == 200
        assert response.context["payload"] == world["payload"]
    if expected in (FORBIDDEN, NOT_FOUND, SIGN_IN) and name == "answer":
        world["condition"].refresh_from_db()
        assert world["condition"].status == ConditionStatus.OPEN
