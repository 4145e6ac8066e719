import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from notifications.models import OutboundEmail
from proposals.models import Proposal, TeamMember
from proposals.services import (
    MembershipRefused,
    ProposalLocked,
    add_team_member,
    confirm_membership,
    confirm_membership_for_user,
    link_memberships,
    remove_team_member,
    resend_invitation,
    update_team_member,
)
from proposals.services.team import hash_token
from tests.factories import ProposalFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/proposals/team/confirm/([\w-]+)/")


def _add(proposal, **overrides):
    values = {
        "name": "Luca Bianchi",
        "email": "Luca.Bianchi@INAF.example.org",
        "institution": "INAF  Istituto di Astrofisica",
        "country": "IT",
        "role": "co_investigator",
        **overrides,
    }
    return add_team_member(
        proposal=proposal, actor=proposal.principal_investigator, **values
    )


def _token(member) -> str:
    """The confirmation token, read from the last invitation email to the member."""
    email = OutboundEmail.objects.filter(
        template="proposal_team_invitation", to_email=member.email
    ).latest("pk")
    return LINK.search(email.body_text).group(1)


def test_add_team_member_stores_a_tidy_unconfirmed_member():
    proposal = ProposalFactory()

    member = _add(proposal)

    assert (member.email, member.institution, member.confirmed_at, member.user) == (
        "luca.bianchi@inaf.example.org",
        "INAF Istituto di Astrofisica",
        None,
        None,
    )
    assert member.invited_at is not None


def test_add_team_member_keeps_only_the_hash_of_the_token():
    member = _add(ProposalFactory())

    token = _token(member)

    assert member.token_hash == hash_token(token)
    assert token not in member.token_hash
    assert len(token) >= 40


def test_add_team_member_links_an_existing_account():
    account = UserFactory(email="luca.bianchi@inaf.example.org")

    member = _add(ProposalFactory())

    assert member.user == account


def test_add_team_member_refuses_the_principal_investigator():
    proposal = ProposalFactory()

    with pytest.raises(ValidationError) as refusal:
        _add(proposal, email=proposal.principal_investigator.email.upper())

    assert refusal.value.message_dict == {
        "email": ["The principal investigator is on the team already."]
    }


def test_add_team_member_refuses_the_same_person_twice():
    proposal = ProposalFactory()
    _add(proposal)

    with pytest.raises(ValidationError) as refusal:
        _add(proposal, email="LUCA.BIANCHI@inaf.example.org")

    assert refusal.value.message_dict == {
        "email": ["This person is on the team already."]
    }
    assert TeamMember.objects.count() == 1


def test_add_team_member_refuses_an_unknown_country():
    with pytest.raises(ValidationError) as refusal:
        _add(ProposalFactory(), country="XX")

    assert set(refusal.value.message_dict) == {"country"}
    assert TeamMember.objects.count() == 0


def test_add_team_member_by_a_co_investigator_is_refused():
    member = TeamMemberFactory(confirmed=True, user=UserFactory())

    with pytest.raises(PermissionDenied):
        add_team_member(
            proposal=member.proposal,
            name="Someone",
            email="someone@example.org",
            institution="Elsewhere",
            country="DE",
            actor=member.user,
        )


def test_add_team_member_to_a_withdrawn_proposal_is_refused():
    with pytest.raises(ProposalLocked):
        _add(ProposalFactory(status="withdrawn"))


def test_confirm_membership_with_the_emailed_token():
    member = _add(ProposalFactory())

    confirmed = confirm_membership(token=_token(member))

    assert confirmed.pk == member.pk
    assert TeamMember.objects.get(pk=member.pk).confirmed_at is not None


def test_confirm_membership_signed_in_with_the_invited_address_links_the_account():
    member = _add(ProposalFactory())
    account = UserFactory(email="luca.bianchi@inaf.example.org")

    confirm_membership(token=_token(member), user=account)

    assert TeamMember.objects.get(pk=member.pk).user == account


def test_confirm_membership_signed_in_with_another_address_does_not_link():
    member = _add(ProposalFactory())

    confirm_membership(token=_token(member), user=UserFactory())

    stored = TeamMember.objects.get(pk=member.pk)
    assert (stored.user, stored.is_confirmed) == (None, True)


def test_confirm_membership_twice_keeps_the_first_confirmation():
    member = _add(ProposalFactory())
    token = _token(member)
    first = confirm_membership(token=token).confirmed_at

    again = confirm_membership(token=token)

    assert again.confirmed_at == first


@pytest.mark.parametrize("token", ["", "not-a-real-token"])
def test_confirm_membership_with_an_unknown_token_is_refused(token):
    _add(ProposalFactory())

    with pytest.raises(MembershipRefused) as refusal:
        confirm_membership(token=token)

    assert str(refusal.value) == (
        "This confirmation link is not valid. A newer invitation may have replaced "
        "it: ask the principal investigator to send it again."
    )
    assert TeamMember.objects.get().confirmed_at is None


def test_confirm_membership_with_a_replaced_link_is_refused():
    member = _add(ProposalFactory())
    old_token = _token(member)
    resend_invitation(member=member, actor=member.proposal.principal_investigator)

    with pytest.raises(MembershipRefused):
        confirm_membership(token=old_token)

    assert confirm_membership(token=_token(member)).is_confirmed


def test_confirm_membership_of_a_withdrawn_proposal_is_refused():
    proposal = ProposalFactory()
    member = _add(proposal)
    Proposal.objects.filter(pk=proposal.pk).update(status="withdrawn")

    with pytest.raises(MembershipRefused) as refusal:
        confirm_membership(token=_token(member))

    assert str(refusal.value) == (
        "This proposal is withdrawn; participation can no longer be confirmed."
    )


def test_confirm_membership_for_user_from_the_account():
    account = UserFactory()
    member = TeamMemberFactory(user=account)

    confirm_membership_for_user(member=member, user=account)

    assert TeamMember.objects.get(pk=member.pk).is_confirmed


def test_confirm_membership_for_user_by_someone_else_is_refused():
    member = TeamMemberFactory(user=UserFactory())

    with pytest.raises(PermissionDenied):
        confirm_membership_for_user(member=member, user=UserFactory())

    assert not TeamMember.objects.get(pk=member.pk).is_confirmed


def test_resend_invitation_to_a_confirmed_member_is_refused():
    member = TeamMemberFactory(confirmed=True, name="Luca Bianchi")

    with pytest.raises(MembershipRefused) as refusal:
        resend_invitation(member=member, actor=member.proposal.principal_investigator)

    assert str(refusal.value) == "Luca Bianchi has confirmed already."


def test_update_team_member_new_institution_asks_to_confirm_again():
    member = TeamMemberFactory(confirmed=True, token_hash="0" * 64)
    pi = member.proposal.principal_investigator

    updated = update_team_member(
        member=member, data={"institution": "Politecnico di Milano"}, actor=pi
    )

    assert (updated.institution, updated.confirmed_at) == (
        "Politecnico di Milano",
        None,
    )
    assert updated.token_hash not in {"", "0" * 64}
    assert (
        OutboundEmail.objects.filter(template="proposal_team_invitation").count() == 1
    )


def test_update_team_member_new_name_keeps_the_confirmation():
    member = TeamMemberFactory(confirmed=True)

    updated = update_team_member(
        member=member,
        data={"name": "Prof. Luca Bianchi"},
        actor=member.proposal.principal_investigator,
    )

    assert (updated.name, updated.is_confirmed) == ("Prof. Luca Bianchi", True)
    assert OutboundEmail.objects.count() == 0


def test_update_team_member_new_email_relinks_the_account():
    account = UserFactory(email="new.address@inaf.example.org")
    member = TeamMemberFactory(confirmed=True, user=UserFactory())

    updated = update_team_member(
        member=member,
        data={"email": "New.Address@inaf.example.org"},
        actor=member.proposal.principal_investigator,
    )

    assert (updated.email, updated.user, updated.is_confirmed) == (
        "new.address@inaf.example.org",
        account,
        False,
    )


def test_remove_team_member():
    member = TeamMemberFactory()

    remove_team_member(member=member, actor=member.proposal.principal_investigator)

    assert TeamMember.objects.count() == 0


def test_link_memberships_links_every_place_under_the_address():
    first = TeamMemberFactory(email="ana@uni.example.org")
    second = TeamMemberFactory(email="ana@uni.example.org")
    TeamMemberFactory(email="someone.else@uni.example.org")
    account = UserFactory(email="Ana@uni.example.org")

    linked = link_memberships(user=account)

    assert linked == 2
    assert set(TeamMember.objects.filter(user=account)) == {first, second}
