"""An amendment reaches everyone at work on the call: its CNSA contacts, the
mission's followers, and the principal investigators and confirmed team members
of its drafts and proposals in review — each address once, in their language,
a proposer told which of their proposals it concerns."""

import pytest
from django.conf import settings

from catalogue.services import post_amendment
from notifications import previews
from notifications.events import opportunity_amended, proposers_at_work
from notifications.models import OutboundEmail
from proposals.enums import ProposalStatus
from tests.factories import (
    ContactFactory,
    MissionSubscriptionFactory,
    OpportunityFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call_at_work():
    """A published call with contacts, a follower and proposals in every state
    that matters; `told` maps each address that must be emailed to its
    language, `proposals` to the proposals its email names."""
    call = OpportunityFactory()
    english_contact = ContactFactory(
        email="dong.shuai@cnsa.example.org", preferred_language="en"
    )
    chinese_contact = ContactFactory(
        email="gan.yong@cnsa.example.org", preferred_language="zh-hans"
    )
    contact_with_account = ContactFactory(
        email="li.ming@cnsa.example.org", preferred_language="en"
    )
    account_of_contact = UserFactory(email="li.ming@cnsa.example.org", chinese=True)
    call.contacts.add(english_contact, chinese_contact, contact_with_account)
    follower = MissionSubscriptionFactory(mission=call.mission).user

    chinese_pi = UserFactory(chinese=True)
    draft = ProposalFactory(opportunity=call, principal_investigator=chinese_pi)
    on_two = UserFactory(chinese=True)  # a confirmed member of two proposals
    TeamMemberFactory(proposal=draft, user=on_two, email=on_two.email, confirmed=True)
    # Confirmed, no account: written to in the proposal's language (its PI's).
    no_account = TeamMemberFactory(proposal=draft, confirmed=True)
    TeamMemberFactory(proposal=draft)  # invited, not confirmed: not told
    # A confirmed member who is also a contact: one email.
    TeamMemberFactory(
        proposal=draft, email="DONG.Shuai@cnsa.example.org", confirmed=True
    )

    submitted = ProposalFactory(opportunity=call, submitted=True)
    TeamMemberFactory(
        proposal=submitted, user=on_two, email=on_two.email, confirmed=True
    )
    # The follower leads a proposal under review: one email.
    under_review = ProposalFactory(
        opportunity=call,
        submitted=True,
        status=ProposalStatus.UNDER_REVIEW,
        principal_investigator=follower,
    )

    for status in (
        ProposalStatus.WITHDRAWN,
        ProposalStatus.SELECTED,
        ProposalStatus.NOT_SELECTED,
        ProposalStatus.DECLINED,
    ):
        done = ProposalFactory(opportunity=call, submitted=True, status=status)
        TeamMemberFactory(proposal=done, confirmed=True)
    ProposalFactory()  # a draft on another call
    MissionSubscriptionFactory()  # following another mission

    told = {
        english_contact.email: "en",
        chinese_contact.email: "zh-hans",
        account_of_contact.email: "zh-hans",  # the account's language wins
        follower.email: "en",
        chinese_pi.email: "zh-hans",
        on_two.email: "zh-hans",
        no_account.email: "zh-hans",
        submitted.principal_investigator.email: "en",
    }
    proposals = {
        chinese_pi.email: [draft],
        on_two.email: [draft, submitted],
        no_account.email: [draft],
        english_contact.email: [draft],
        submitted.principal_investigator.email: [submitted],
        follower.email: [under_review],
    }
    return {"call": call, "told": told, "proposals": proposals}


def _amend(call, actor, capture):
    with capture(execute=True):
        return post_amendment(
            opportunity=call,
            title_en="Deadline extended",
            body_en="The proposal deadline moves by two weeks.",
            title_zh_hans="截止日期延长",
            body_zh_hans="建议书截止日期推迟两周。",
            actor=actor,
        )


def test_amendment_emails_everyone_at_work_once_each(
    call_at_work, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    _amend(call_at_work["call"], admin_user, django_capture_on_commit_callbacks)

    addresses = sorted(message.to[0].lower() for message in mailoutbox)
    assert addresses == sorted(call_at_work["told"])


def test_amendment_is_written_in_each_recipients_language(
    call_at_work, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = call_at_work["call"]

    _amend(call, admin_user, django_capture_on_commit_callbacks)

    languages = {
        email.to_email.lower(): email.language for email in OutboundEmail.objects.all()
    }
    assert languages == call_at_work["told"]
    subjects = {message.to[0].lower(): message.subject for message in mailoutbox}
    for address, language in call_at_work["told"].items():
        expected = (
            f"{call.title_zh_hans}的修订"
            if language == "zh-hans"
            else f"Amendment to {call.title_en}"
        )
        assert (address, subjects[address]) == (address, expected)


def test_amendment_tells_each_proposer_which_proposals_it_concerns(
    call_at_work, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = call_at_work["call"]

    _amend(call, admin_user, django_capture_on_commit_callbacks)

    bodies = {message.to[0].lower(): message.body for message in mailoutbox}
    for address, proposals in call_at_work["proposals"].items():
        for proposal in proposals:
            link = f"{settings.SITE_URL}{proposal.get_absolute_url()}"
            assert (address, link in bodies[address]) == (address, True)
    every_proposal = {
        proposal.pk
        for proposals in call_at_work["proposals"].values()
        for proposal in proposals
    }
    chinese_contact = "gan.yong@cnsa.example.org"
    assert [
        pk for pk in every_proposal if f"/proposals/{pk}/" in bodies[chinese_contact]
    ] == []
    assert "建议书截止日期推迟两周。" in bodies[chinese_contact]


def test_amendment_keys_are_per_amendment_and_address_and_sent_once(
    call_at_work, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    amendment = _amend(
        call_at_work["call"], admin_user, django_capture_on_commit_callbacks
    )

    with django_capture_on_commit_callbacks(execute=True):
        opportunity_amended(amendment=amendment)  # queued again: nothing new

    keys = set(OutboundEmail.objects.values_list("idempotency_key", flat=True))
    assert keys == {
        f"opportunity-amended:{amendment.pk}:{address}"
        for address in call_at_work["told"]
    }
    assert len(mailoutbox) == len(call_at_work["told"])


def test_a_second_amendment_is_a_second_email_to_each(
    call_at_work, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = call_at_work["call"]

    _amend(call, admin_user, django_capture_on_commit_callbacks)
    _amend(call, admin_user, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 2 * len(call_at_work["told"])


def test_amendment_skips_an_inactive_principal_investigator(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = OpportunityFactory()
    ProposalFactory(opportunity=call, principal_investigator__is_active=False)

    _amend(call, admin_user, django_capture_on_commit_callbacks)

    assert mailoutbox == []


@pytest.mark.parametrize("proposal_count", [1, 4])
def test_proposers_at_work_reads_in_three_queries(
    proposal_count, django_assert_num_queries
):
    call = OpportunityFactory()
    for _ in range(proposal_count):
        proposal = ProposalFactory(opportunity=call, submitted=True)
        TeamMemberFactory(proposal=proposal, confirmed=True)
        TeamMemberFactory(proposal=proposal, confirmed=True, user=UserFactory())

    with django_assert_num_queries(3):
        recipients, concerned = proposers_at_work(call)

    assert len(recipients) == 3 * proposal_count
    assert sorted(len(items) for items in concerned.values()) == [1] * (
        3 * proposal_count
    )


def test_amendment_sample_names_the_proposals():
    preview = previews.render_preview(name="opportunity_amended", language="en")

    assert "This amendment concerns your proposals:" in preview.text
    assert f"{settings.SITE_URL}/proposals/42/" in preview.text
