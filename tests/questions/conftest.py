import pytest

from tests.factories import (
    ContactFactory,
    MissionSubscriptionFactory,
    OpportunityFactory,
    ProposalFactory,
    ReviewerFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.mfa import login_with_mfa


@pytest.fixture
def call(db):
    """An open call (deadline in 30 days, questions until 16 days from now) with
    two CNSA contacts: one with an account (Chinese), one without (English)."""
    opportunity = OpportunityFactory(title_en="Chang'E-8 payloads")
    opportunity.contacts.add(
        ContactFactory(email="li.na@cnsa.example.org", preferred_language="en"),
        ContactFactory(email="Zhang.Wei@cnsa.example.org", preferred_language="en"),
    )
    return opportunity


@pytest.fixture
def contact_user(call):
    """The account of the call's second contact (same address, other case)."""
    return UserFactory(email="zhang.wei@cnsa.example.org", chinese=True)


@pytest.fixture
def roles(call, contact_user, admin_user):
    """One person of each role, by name."""
    return {
        "anonymous": None,
        "asker": UserFactory(email="camille.laurent@u-paris.example.org"),
        "other researcher": UserFactory(),
        "reviewer": ReviewerFactory(),
        "contact": contact_user,
        "administrator": admin_user,
    }


def sign_in(client, user) -> None:
    if user is None:
        return
    if user.is_staff:
        login_with_mfa(client, user)
    else:
        client.force_login(user)


@pytest.fixture
def audience(call):
    """Who is told of a publication: two teams at work (a draft with a confirmed
    member with an account, a confirmed one without, an unconfirmed one; a
    submission) and a follower; and who is not: a withdrawn proposal's PI."""
    draft_pi = UserFactory(email="draft.pi@institute.example.org", chinese=True)
    draft = ProposalFactory(opportunity=call, principal_investigator=draft_pi)
    member = UserFactory(email="member@partner.example.org")
    TeamMemberFactory(proposal=draft, user=member, email=member.email, confirmed=True)
    TeamMemberFactory(proposal=draft, email="guest@partner.example.org", confirmed=True)
    TeamMemberFactory(proposal=draft, email="unconfirmed@partner.example.org")
    submitted_pi = UserFactory(email="submitted.pi@institute.example.org")
    ProposalFactory(
        opportunity=call, principal_investigator=submitted_pi, submitted=True
    )
    ProposalFactory(
        opportunity=call,
        principal_investigator=UserFactory(email="withdrawn.pi@institute.example.org"),
        status="withdrawn",
    )
    follower = UserFactory(email="follower@observatory.example.org")
    MissionSubscriptionFactory(user=follower, mission=call.mission)
    return {
        "draft.pi@institute.example.org": "zh-hans",
        "member@partner.example.org": "en",
        "guest@partner.example.org": "zh-hans",
        "submitted.pi@institute.example.org": "en",
        "follower@observatory.example.org": "en",
    }
