"""Opportunity published and amended: who is told, in which language, and when."""

import pytest
from django.db import transaction

from catalogue.enums import OpportunityStatus
from catalogue.services import post_amendment
from catalogue.workflow import transition
from notifications.models import EmailStatus, OutboundEmail
from tests.catalogue.calls import publishable_call
from tests.factories import (
    ContactFactory,
    MissionSubscriptionFactory,
    UserFactory,
)


class EventFailedError(Exception):
    pass


def publish_then_fail(opportunity, actor):
    with transaction.atomic():
        transition(opportunity, to=OpportunityStatus.PUBLISHED, actor=actor)
        raise EventFailedError


@pytest.fixture
def draft_call(db):
    opportunity = publishable_call(draft=True)
    contact = ContactFactory(email="gan.yong@cnsa.example.org")
    opportunity.contacts.add(contact)
    english = MissionSubscriptionFactory(mission=opportunity.mission).user
    chinese = MissionSubscriptionFactory(
        mission=opportunity.mission, user=UserFactory(chinese=True)
    ).user
    MissionSubscriptionFactory()  # subscribed to another mission
    return opportunity, contact, english, chinese


def test_opportunity_published_emails_contacts_and_subscribers(
    draft_call, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity, contact, english, chinese = draft_call

    with django_capture_on_commit_callbacks(execute=True):
        transition(opportunity, to=OpportunityStatus.PUBLISHED, actor=admin_user)

    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == sorted([contact.email, english.email, chinese.email])
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {
        EmailStatus.SENT
    }
    by_address = {message.to[0]: message for message in mailoutbox}
    assert by_address[english.email].subject == (
        f"New Announcement of Opportunity: {opportunity.title_en}"
    )
    assert opportunity.title_zh_hans in by_address[chinese.email].subject
    assert by_address[english.email].reply_to == [contact.email]
    assert opportunity.get_absolute_url() in by_address[english.email].body


def test_opportunity_published_contact_with_account_gets_their_language(
    draft_call, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity, contact, _english, _chinese = draft_call
    UserFactory(email=contact.email, chinese=True)

    with django_capture_on_commit_callbacks(execute=True):
        transition(opportunity, to=OpportunityStatus.PUBLISHED, actor=admin_user)

    row = OutboundEmail.objects.get(to_email=contact.email)
    assert row.language == "zh-hans"
    assert opportunity.title_zh_hans in row.subject


def test_opportunity_published_rolled_back_sends_nothing(
    draft_call, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = draft_call[0]

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(EventFailedError),
    ):
        publish_then_fail(opportunity, admin_user)

    assert callbacks == []
    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []


def test_opportunity_published_twice_emails_once(
    draft_call, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = draft_call[0]
    with django_capture_on_commit_callbacks(execute=True):
        transition(opportunity, to=OpportunityStatus.PUBLISHED, actor=admin_user)
        transition(opportunity, to=OpportunityStatus.CLOSED, actor=admin_user)
        transition(opportunity, to=OpportunityStatus.PUBLISHED, actor=admin_user)

    assert len(mailoutbox) == 3
    assert OutboundEmail.objects.count() == 3


def test_opportunity_amended_emails_the_audience_with_the_amendment(
    draft_call, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity, contact, english, chinese = draft_call
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.save()

    with django_capture_on_commit_callbacks(execute=True):
        post_amendment(
            opportunity=opportunity,
            title_en="Deadline extended",
            body_en="The deadline moves by two weeks.",
            title_zh_hans="截止日期延长",
            body_zh_hans="截止日期推迟两周。",
            actor=admin_user,
        )

    by_address = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_address) == sorted([contact.email, english.email, chinese.email])
    assert by_address[english.email].subject == f"Amendment to {opportunity.title_en}"
    assert "The deadline moves by two weeks." in by_address[english.email].body
    assert "截止日期推迟两周。" in by_address[chinese.email].body
