from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from proposals import permissions
from proposals.enums import ProposalStatus, TeamRole
from proposals.models import ProposalVersion
from proposals.services import submit_proposal
from tests.factories import (
    ProposalDocumentFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "another researcher",
    "unconfirmed co-investigator",
    "confirmed co-investigator",
    "confirmed collaborator",
    "principal investigator",
    "administrator",
    "staff without proposal permission",
]


def _administrators_group(*codenames):
    group = Group.objects.create(name="CNSA administrators")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["proposals", "reviews"],
            codename__in=codenames,
        )
    )
    return group


def _user_as(role: str, proposal):
    if role == "anonymous":
        return AnonymousUser()
    if role == "principal investigator":
        return proposal.principal_investigator
    if role == "administrator":
        user = UserFactory(staff=True)
        user.groups.add(
            _administrators_group("view_proposal", "change_proposal", "manage_reviews")
        )
        return user
    if role == "staff without proposal permission":
        return UserFactory(staff=True)
    user = UserFactory()
    if role != "another researcher":
        TeamMemberFactory(
            proposal=proposal,
            user=user,
            confirmed=role.startswith("confirmed"),
            role=TeamRole.COLLABORATOR
            if role.endswith("collaborator")
            else TeamRole.CO_INVESTIGATOR,
        )
    return user


def _matrix(*allowed: str) -> list[tuple[str, bool]]:
    return [(role, role in allowed) for role in ROLES]


TEAM = (
    "unconfirmed co-investigator",
    "confirmed co-investigator",
    "confirmed collaborator",
    "principal investigator",
)


@pytest.mark.parametrize(("role", "expected"), _matrix(*TEAM, "administrator"))
def test_can_view_proposal(role, expected):
    proposal = ProposalFactory()

    assert permissions.can_view_proposal(_user_as(role, proposal), proposal) is expected


@pytest.mark.parametrize(("role", "expected"), _matrix(*TEAM, "administrator"))
def test_can_view_document(role, expected):
    document = ProposalDocumentFactory()

    user = _user_as(role, document.proposal)

    assert permissions.can_view_document(user, document) is expected


@pytest.mark.parametrize(("role", "expected"), _matrix(*TEAM, "administrator"))
def test_can_view_version(role, expected, ready_proposal):
    proposal = ready_proposal()
    submit_proposal(proposal=proposal, actor=proposal.principal_investigator)
    user = _user_as(role, proposal)

    version = ProposalVersion.objects.select_related("proposal").get()

    assert permissions.can_view_version(user, version) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    _matrix("confirmed co-investigator", "principal investigator"),
)
def test_can_edit_proposal_draft(role, expected):
    proposal = ProposalFactory()

    assert permissions.can_edit_proposal(_user_as(role, proposal), proposal) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    _matrix("confirmed co-investigator", "principal investigator"),
)
def test_can_edit_proposal_submitted_before_the_deadline(role, expected):
    proposal = ProposalFactory(submitted=True)

    assert permissions.can_edit_proposal(_user_as(role, proposal), proposal) is expected


@pytest.mark.parametrize("role", ROLES)
def test_can_edit_proposal_submitted_after_the_deadline_is_nobody(role):
    proposal = ProposalFactory(submitted=True)
    late = proposal.opportunity.proposal_deadline + timedelta(seconds=1)

    user = _user_as(role, proposal)

    assert permissions.can_edit_proposal(user, proposal, now=late) is False


@pytest.mark.parametrize(
    "status",
    [
        ProposalStatus.UNDER_REVIEW,
        ProposalStatus.SELECTED,
        ProposalStatus.NOT_SELECTED,
        ProposalStatus.WITHDRAWN,
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_can_edit_proposal_past_submission_is_nobody(role, status):
    proposal = ProposalFactory(submitted=True, status=status)

    assert permissions.can_edit_proposal(_user_as(role, proposal), proposal) is False


@pytest.mark.parametrize(("role", "expected"), _matrix("principal investigator"))
def test_can_manage_team(role, expected):
    proposal = ProposalFactory()

    assert permissions.can_manage_team(_user_as(role, proposal), proposal) is expected


@pytest.mark.parametrize(("role", "expected"), _matrix("principal investigator"))
def test_can_submit_proposal(role, expected):
    proposal = ProposalFactory()

    assert (
        permissions.can_submit_proposal(_user_as(role, proposal), proposal) is expected
    )


@pytest.mark.parametrize(("role", "expected"), _matrix("principal investigator"))
def test_can_withdraw_proposal(role, expected):
    proposal = ProposalFactory(submitted=True)

    assert (
        permissions.can_withdraw_proposal(_user_as(role, proposal), proposal)
        is expected
    )


@pytest.mark.parametrize(
    "status",
    [ProposalStatus.UNDER_REVIEW, ProposalStatus.SELECTED, ProposalStatus.WITHDRAWN],
)
def test_can_withdraw_or_submit_proposal_past_submission_is_nobody(status):
    proposal = ProposalFactory(submitted=True, status=status)
    pi = proposal.principal_investigator

    assert (
        permissions.can_withdraw_proposal(pi, proposal),
        permissions.can_submit_proposal(pi, proposal),
    ) == (False, False)


@pytest.mark.parametrize(("role", "expected"), _matrix("administrator"))
def test_can_decide_letters(role, expected):
    proposal = ProposalFactory()

    assert permissions.can_decide_letters(_user_as(role, proposal)) is expected


def test_superuser_is_an_administrator():
    superuser = UserFactory(superuser=True)

    assert (
        permissions.is_administrator(superuser),
        permissions.can_decide_letters(superuser),
    ) == (True, True)


def test_administrator_with_view_permission_only_reads():
    proposal = ProposalFactory(letter=True)
    reader = UserFactory(staff=True)
    reader.groups.add(_administrators_group("view_proposal"))

    assert (
        permissions.can_view_proposal(reader, proposal),
        permissions.can_edit_proposal(reader, proposal),
        permissions.can_decide_letters(reader),
    ) == (True, False, False)


def test_inactive_principal_investigator_has_no_access():
    proposal = ProposalFactory()
    proposal.principal_investigator.is_active = False

    pi = proposal.principal_investigator

    assert (
        permissions.can_view_proposal(pi, proposal),
        permissions.can_edit_proposal(pi, proposal),
    ) == (False, False)
