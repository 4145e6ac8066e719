import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from proposals.checklist import completeness, completion_percentage
from proposals.permissions import can_edit_proposal
from proposals.selectors import (
    document_for_user,
    invitations_among,
    pending_invitations_for_user,
    proposal_for_user,
    proposals_for_dashboard,
    proposals_for_user,
    version_for_user,
)
from proposals.services import submit_proposal
from tests.factories import (
    ProposalDocumentFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_proposals_for_user_are_the_ones_led_and_the_team_places():
    user = UserFactory()
    led = ProposalFactory(principal_investigator=user)
    on_team = TeamMemberFactory(user=user).proposal
    ProposalFactory()

    assert set(proposals_for_user(user=user)) == {led, on_team}


def test_proposals_for_user_anonymous_is_empty():
    ProposalFactory()

    assert list(proposals_for_user(user=AnonymousUser())) == []


@pytest.mark.parametrize("item_count", [1, 3])
def test_proposals_for_user_costs_a_constant_number_of_queries(
    item_count, django_assert_num_queries, ready_proposal
):
    pi = UserFactory(institution="Space Research Institute", country="AT")
    for _ in range(item_count):
        ready_proposal(principal_investigator=pi)

    with django_assert_num_queries(6):
        rows = [
            (
                p.reference,
                completion_percentage(completeness(p)),
                can_edit_proposal(pi, p),
            )
            for p in proposals_for_user(user=pi)
        ]

    assert rows == [("", 100, True)] * item_count


def test_proposal_for_user_for_the_team_and_administrators():
    member = TeamMemberFactory(user=UserFactory())
    proposal = member.proposal

    readers = [
        proposal.principal_investigator,
        member.user,
        UserFactory(superuser=True),
    ]

    assert [proposal_for_user(user=u, pk=proposal.pk) for u in readers] == [
        proposal
    ] * 3


@pytest.mark.parametrize(
    "who", ["anonymous", "another researcher", "staff without proposal permission"]
)
def test_proposal_for_user_is_not_found_for_anyone_else(who):
    proposal = ProposalFactory()
    user = {
        "anonymous": AnonymousUser(),
        "another researcher": UserFactory(),
        "staff without proposal permission": UserFactory(staff=True),
    }[who]

    with pytest.raises(Http404):
        proposal_for_user(user=user, pk=proposal.pk)


@pytest.mark.parametrize("pk", [987654, "not-a-number"])
def test_proposal_for_user_unknown_is_not_found(pk):
    with pytest.raises(Http404):
        proposal_for_user(user=UserFactory(), pk=pk)


def test_document_for_user_is_not_found_for_another_researcher():
    document = ProposalDocumentFactory()

    with pytest.raises(Http404):
        document_for_user(user=UserFactory(), pk=document.pk)
    assert (
        document_for_user(user=document.proposal.principal_investigator, pk=document.pk)
        == document
    )


def test_version_for_user_is_not_found_for_another_researcher(ready_proposal):
    proposal = ready_proposal()
    version = submit_proposal(proposal=proposal, actor=proposal.principal_investigator)

    with pytest.raises(Http404):
        version_for_user(user=UserFactory(), proposal_pk=proposal.pk, number=1)
    assert (
        version_for_user(
            user=proposal.principal_investigator, proposal_pk=proposal.pk, number=1
        )
        == version
    )


def test_invitations_among_dashboard_rows_are_the_pending_ones():
    user = UserFactory()
    pending = TeamMemberFactory(user=user)
    submitted = TeamMemberFactory(user=user, proposal=ProposalFactory(submitted=True))
    TeamMemberFactory(user=user, confirmed=True)
    TeamMemberFactory(user=user, proposal=ProposalFactory(status="withdrawn"))
    TeamMemberFactory(
        user=user, proposal=ProposalFactory(submitted=True, status="under_review")
    )
    TeamMemberFactory(proposal=pending.proposal)  # someone else's place
    TeamMemberFactory()

    rows = proposals_for_dashboard(user=user)
    among = invitations_among(rows, user=user)

    assert among == list(pending_invitations_for_user(user=user))
    assert among == [pending, submitted]
    assert [
        (m.proposal.principal_investigator.get_full_name(), m.institution)
        for m in among
    ] == [
        (m.proposal.principal_investigator.get_full_name(), m.institution)
        for m in (pending, submitted)
    ]


def test_pending_invitations_for_user_are_the_unconfirmed_open_ones():
    user = UserFactory()
    pending = TeamMemberFactory(user=user)
    TeamMemberFactory(user=user, confirmed=True)
    TeamMemberFactory(user=user, proposal=ProposalFactory(status="withdrawn"))
    TeamMemberFactory()

    assert list(pending_invitations_for_user(user=user)) == [pending]
