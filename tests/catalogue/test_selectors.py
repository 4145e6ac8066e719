from datetime import timedelta

import pytest
from django.utils import timezone

from catalogue import selectors
from catalogue.models import Opportunity, OpportunityDocument
from tests.factories import (
    CooperationTableFactory,
    MissionFactory,
    MissionSubscriptionFactory,
    OpportunityDocumentFactory,
    OpportunityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_public_opportunities_leave_out_drafts():
    published = OpportunityFactory()
    closed = OpportunityFactory(closed=True)
    OpportunityFactory(draft=True)

    slugs = {opportunity.slug for opportunity in selectors.public_opportunities()}

    assert slugs == {published.slug, closed.slug}


def test_public_opportunities_list_open_calls_first_soonest_deadline_first():
    now = timezone.now()
    later = OpportunityFactory(proposal_deadline=now + timedelta(days=60))
    sooner = OpportunityFactory(proposal_deadline=now + timedelta(days=5))
    old = OpportunityFactory(decided=True)
    recent = OpportunityFactory(closed=True)

    ordered = list(selectors.public_opportunities())

    assert ordered == [sooner, later, recent, old]


def test_open_opportunities_only_calls_taking_proposals_now():
    now = timezone.now()
    open_call = OpportunityFactory()
    OpportunityFactory(opens_at=now + timedelta(days=1))
    OpportunityFactory(closed=True)
    OpportunityFactory(draft=True)

    assert list(selectors.open_opportunities()) == [open_call]


def test_opportunity_for_public_refuses_a_draft():
    draft = OpportunityFactory(draft=True)

    with pytest.raises(Opportunity.DoesNotExist):
        selectors.opportunity_for_public(draft.slug)


def test_opportunity_for_preview_returns_a_draft():
    draft = OpportunityFactory(draft=True)

    assert selectors.opportunity_for_preview(draft.pk) == draft


def test_document_for_public_refuses_a_document_of_another_call():
    document = OpportunityDocumentFactory()
    other = OpportunityFactory()

    with pytest.raises(OpportunityDocument.DoesNotExist):
        selectors.document_for_public(opportunity_slug=other.slug, pk=document.pk)


def test_document_for_public_refuses_a_document_of_a_draft():
    document = OpportunityDocumentFactory(opportunity__draft=True)

    with pytest.raises(OpportunityDocument.DoesNotExist):
        selectors.document_for_public(
            opportunity_slug=document.opportunity.slug, pk=document.pk
        )


def test_upcoming_deadlines_merge_letters_of_intent_and_proposals_soonest_first():
    now = timezone.now()
    with_loi = OpportunityFactory(
        loi_deadline=now + timedelta(days=3), proposal_deadline=now + timedelta(days=40)
    )
    plain = OpportunityFactory(proposal_deadline=now + timedelta(days=10))
    OpportunityFactory(closed=True)
    OpportunityFactory(draft=True, proposal_deadline=now + timedelta(days=1))

    deadlines = selectors.upcoming_deadlines()

    assert [(d.opportunity, d.kind) for d in deadlines] == [
        (with_loi, selectors.LOI),
        (plain, selectors.PROPOSAL),
        (with_loi, selectors.PROPOSAL),
    ]


def test_upcoming_deadlines_leave_out_a_passed_letter_of_intent():
    now = timezone.now()
    OpportunityFactory(
        opens_at=now - timedelta(days=30),
        loi_deadline=now - timedelta(days=1),
        proposal_deadline=now + timedelta(days=20),
    )

    kinds = [deadline.kind for deadline in selectors.upcoming_deadlines()]

    assert kinds == [selectors.PROPOSAL]


def test_upcoming_deadlines_stop_at_the_limit():
    now = timezone.now()
    for days in (5, 6, 7, 8):
        OpportunityFactory(
            loi_deadline=now + timedelta(days=days),
            proposal_deadline=now + timedelta(days=days + 30),
        )

    deadlines = selectors.upcoming_deadlines(3)

    assert [deadline.kind for deadline in deadlines] == [selectors.LOI] * 3


def test_next_deadline_is_the_letter_of_intent_while_it_is_ahead():
    opportunity = OpportunityFactory(with_loi=True)

    deadline = selectors.next_deadline(opportunity)

    assert (deadline.kind, deadline.at) == (selectors.LOI, opportunity.loi_deadline)


def test_next_deadline_is_none_for_a_closed_call():
    assert selectors.next_deadline(OpportunityFactory(closed=True)) is None


def test_missions_with_call_counts_count_public_and_open_calls():
    mission = MissionFactory()
    OpportunityFactory(mission=mission)
    OpportunityFactory(mission=mission, closed=True)
    OpportunityFactory(mission=mission, draft=True)
    empty = MissionFactory()

    counts = {
        m.slug: (m.public_count, m.open_count)
        for m in selectors.missions_with_call_counts()
    }

    assert counts == {mission.slug: (2, 1), empty.slug: (0, 0)}


def test_missions_with_public_opportunities_list_calls_without_drafts():
    mission = MissionFactory()
    published = OpportunityFactory(mission=mission)
    closed = OpportunityFactory(mission=mission, closed=True)
    OpportunityFactory(mission=mission, draft=True)

    (found,) = selectors.missions_with_public_opportunities()

    assert found.public_opportunities == [published, closed]
    assert (found.public_count, found.open_count) == (2, 1)


def test_public_opportunities_of_a_mission_leave_out_drafts_and_other_missions():
    mission = MissionFactory()
    mine = OpportunityFactory(mission=mission)
    OpportunityFactory(mission=mission, draft=True)
    OpportunityFactory()

    calls = selectors.public_opportunities_of(mission=mission, limit=20)

    assert calls == [mine]


def test_is_following_only_for_the_subscribed_user():
    subscription = MissionSubscriptionFactory()
    stranger = UserFactory()

    assert selectors.is_following(user=subscription.user, mission=subscription.mission)
    assert not selectors.is_following(user=stranger, mission=subscription.mission)


def test_cooperation_tables_in_their_order():
    second = CooperationTableFactory(order=2)
    first = CooperationTableFactory(order=1)

    assert list(selectors.cooperation_tables()) == [first, second]
