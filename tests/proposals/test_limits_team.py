"""Invitations and resends per proposal and per address an hour: past the
limit a 429 says when to try again, the form keeps what was typed, and no
member is stored and no email queued."""

import pytest
from django.test import override_settings

from notifications.models import OutboundEmail
from proposals.models import TeamMember
from tests.factories import ProposalFactory, TeamMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_two_an_hour")]

HTMX = {"HTTP_HX_REQUEST": "true"}
INVITATION = "proposal_team_invitation"


@pytest.fixture
def _two_an_hour():
    with override_settings(AO_LIMITS={"invitation": "2/h", "upload": "30/h"}):
        yield


@pytest.fixture
def draft(client):
    proposal = ProposalFactory(title="Radon monitor")
    client.force_login(proposal.principal_investigator)
    return proposal


def _member(n: int, email: str = "") -> dict:
    return {
        "member-name": f"Colleague {n}",
        "member-email": email or f"colleague{n}@partner.example.org",
        "member-institution": "Partner Institute",
        "member-country": "IT",
        "member-role": "co_investigator",
    }


def _invitations(email: str | None = None) -> int:
    emails = OutboundEmail.objects.filter(template=INVITATION)
    if email is not None:
        emails = emails.filter(to_email=email)
    return emails.count()


def test_adding_members_past_the_limit_is_refused_with_the_form_kept(client, draft):
    url = f"/proposals/{draft.pk}/team/"
    for n in (1, 2):
        assert client.post(url, _member(n), **HTMX).status_code == 200

    response = client.post(url, _member(3), **HTMX)

    page = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Try again in" in page
    assert 'value="Colleague 3"' in page
    assert 'value="colleague3@partner.example.org"' in page
    assert list(draft.team_members.values_list("name", flat=True)) == [
        "Colleague 1",
        "Colleague 2",
    ]
    assert _invitations() == 2


def test_without_htmx_the_whole_editor_comes_back_with_429(client, draft):
    url = f"/proposals/{draft.pk}/team/"
    client.post(url, _member(1))
    client.post(url, _member(2))

    response = client.post(url, _member(3))

    assert response.status_code == 429
    assert "Try again in" in response.content.decode()
    assert TeamMember.objects.filter(name="Colleague 3").count() == 0


def test_resending_past_the_limit_sends_nothing(client, draft):
    client.post(f"/proposals/{draft.pk}/team/", _member(1), **HTMX)
    member = draft.team_members.get()
    url = f"/proposals/{draft.pk}/team/{member.pk}/resend/"
    assert client.post(url, **HTMX).status_code == 200
    token_hash = TeamMember.objects.get(pk=member.pk).token_hash

    responses = [client.post(url, **HTMX) for _ in range(19)]

    assert {r.status_code for r in responses} == {429}
    assert "Try again in" in responses[-1].content.decode()
    assert _invitations(member.email) == 2
    assert TeamMember.objects.get(pk=member.pk).token_hash == token_hash


def test_one_address_is_limited_across_proposals(client, draft):
    """The reported abuse: an address typed into draft after draft."""
    target = "someone@elsewhere.example.org"
    other = ProposalFactory(principal_investigator=draft.principal_investigator)
    third = ProposalFactory(principal_investigator=draft.principal_investigator)
    client.post(f"/proposals/{draft.pk}/team/", _member(1, target), **HTMX)
    client.post(f"/proposals/{other.pk}/team/", _member(1, target), **HTMX)

    response = client.post(f"/proposals/{third.pk}/team/", _member(1, target), **HTMX)

    assert response.status_code == 429
    assert third.team_members.count() == 0
    assert _invitations(target) == 2


def test_resending_to_a_confirmed_member_counts_nothing(client, draft):
    member = TeamMemberFactory(proposal=draft, confirmed=True)
    url = f"/proposals/{draft.pk}/team/{member.pk}/resend/"

    for _ in range(3):
        client.post(url)
    response = client.post(f"/proposals/{draft.pk}/team/", _member(1), **HTMX)

    assert response.status_code == 200
    assert _invitations() == 1
