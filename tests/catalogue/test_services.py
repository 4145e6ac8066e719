"""Writes to the catalogue: amendments and mission subscriptions."""

import pytest

from catalogue.enums import OpportunityStatus as S
from catalogue.models import Amendment, MissionSubscription, Opportunity
from catalogue.services import (
    AmendmentRefused,
    post_amendment,
    subscribe,
    unsubscribe,
)
from catalogue.workflow import transition
from notifications.models import OutboundEmail
from tests.factories import (
    ContactFactory,
    MissionFactory,
    MissionSubscriptionFactory,
    OpportunityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _amend(opportunity, actor, **kwargs):
    return post_amendment(
        opportunity=opportunity,
        title_en=kwargs.pop("title_en", "Deadline extended"),
        body_en=kwargs.pop("body_en", "Proposals are due two weeks later."),
        actor=actor,
        **kwargs,
    )


@pytest.mark.parametrize("trait", [{}, {"closed": True}])
def test_post_amendment_records_both_languages_and_who(admin_user, trait):
    opportunity = OpportunityFactory(**trait)

    amendment = _amend(
        opportunity,
        admin_user,
        title_zh_hans="截止日期延长",
        body_zh_hans="提交截止日期推迟两周。",
    )

    stored = Amendment.objects.get(pk=amendment.pk)
    assert stored.opportunity == opportunity
    assert stored.posted_by == admin_user
    assert (stored.title_en, stored.title_zh_hans) == (
        "Deadline extended",
        "截止日期延长",
    )
    assert (stored.body_en, stored.body_zh_hans) == (
        "Proposals are due two weeks later.",
        "提交截止日期推迟两周。",
    )


def test_post_amendment_emails_contacts_and_followers_once_each_in_their_language(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = OpportunityFactory(
        title_en="Chang'E-7 payloads", title_zh_hans="嫦娥七号载荷"
    )
    opportunity.contacts.add(ContactFactory(email="gany@cnsa.example.org"))
    MissionSubscriptionFactory(
        mission=opportunity.mission,
        user=UserFactory(email="pi@uni.example.org"),
    )
    MissionSubscriptionFactory(
        mission=opportunity.mission,
        user=UserFactory(email="li@ucas.example.cn", chinese=True),
    )
    MissionSubscriptionFactory(
        mission=opportunity.mission, user=UserFactory(email="gany@cnsa.example.org")
    )
    MissionSubscriptionFactory(user=UserFactory(email="other@uni.example.org"))

    with django_capture_on_commit_callbacks(execute=True):
        _amend(opportunity, admin_user)

    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert sorted(subjects) == [
        "gany@cnsa.example.org",
        "li@ucas.example.cn",
        "pi@uni.example.org",
    ]
    assert len(mailoutbox) == 3
    assert subjects["pi@uni.example.org"] == "Amendment to Chang'E-7 payloads"
    # The Chinese reader gets the Chinese title, whatever the catalogue's wording.
    assert "嫦娥七号载荷" in subjects["li@ucas.example.cn"]


@pytest.mark.parametrize(
    "trait", [{"draft": True}, {"decided": True}, {"cancelled": True}]
)
def test_post_amendment_refused_unless_published_or_closed(
    admin_user, trait, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = OpportunityFactory(**trait)
    opportunity.contacts.add(ContactFactory())

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(AmendmentRefused) as refusal,
    ):
        _amend(opportunity, admin_user)

    assert str(refusal.value) == (
        "Only a published or closed call can be amended; a draft is edited directly."
    )
    assert Amendment.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []


def test_post_amendment_judges_the_stored_status(admin_user):
    opportunity = OpportunityFactory()
    stale = Opportunity.objects.get(pk=opportunity.pk)
    transition(opportunity, to=S.CANCELLED, actor=admin_user)

    with pytest.raises(AmendmentRefused):
        _amend(stale, admin_user)

    assert Amendment.objects.count() == 0


def test_subscribe_is_idempotent(researcher):
    mission = MissionFactory()

    first = subscribe(user=researcher, mission=mission)
    second = subscribe(user=researcher, mission=mission)

    assert first == second
    assert MissionSubscription.objects.filter(user=researcher).count() == 1


def test_unsubscribe_removes_only_that_mission(researcher):
    kept, dropped = MissionFactory(), MissionFactory()
    subscribe(user=researcher, mission=kept)
    subscribe(user=researcher, mission=dropped)

    unsubscribe(user=researcher, mission=dropped)
    unsubscribe(user=researcher, mission=dropped)

    assert list(
        MissionSubscription.objects.filter(user=researcher).values_list(
            "mission", flat=True
        )
    ) == [kept.pk]
