"""Bidding: who may bid on what and when, a conflict bid as a declared conflict
of interest, and what the reviewers and administrators read of the bids."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from proposals.enums import ProposalStatus
from proposals.models import Proposal
from reviews import selectors, services
from reviews.enums import AssignmentStatus, BidPreference
from reviews.models import Bid, ReviewAssignment
from reviews.services import AssignmentRefused, BidRefused
from tests.factories import (
    BidFactory,
    OpportunityFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    TeamMemberFactory,
    UserFactory,
    make_review_administrator,
)

pytestmark = pytest.mark.django_db


def _call(*, proposals=2, bidding="open", **kwargs):
    """A closed call whose proposals have their frozen versions; its bidding
    "open", "closed" or "not_opened"."""
    opportunity = OpportunityFactory(closed=True, **kwargs)
    made = [
        ProposalVersionFactory(proposal__opportunity=opportunity).proposal
        for _ in range(proposals)
    ]
    if bidding != "not_opened":
        administrator = make_review_administrator()
        services.open_bidding(opportunity=opportunity, actor=administrator)
        if bidding == "closed":
            services.close_bidding(opportunity=opportunity, actor=administrator)
    return opportunity, made


# --- placing bids --------------------------------------------------------------


def test_place_bid_records_the_reviewers_preference():
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()

    bid = services.place_bid(
        proposal=proposal, reviewer=reviewer, preference="eager", actor=reviewer
    )

    assert Bid.objects.get() == bid
    assert (bid.proposal, bid.reviewer, bid.preference) == (
        proposal,
        reviewer,
        BidPreference.EAGER,
    )


def test_place_bid_changes_an_earlier_bid():
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()
    BidFactory(proposal=proposal, reviewer=reviewer, preference="eager")

    services.place_bid(
        proposal=proposal, reviewer=reviewer, preference="not_willing", actor=reviewer
    )

    assert list(Bid.objects.values_list("preference", flat=True)) == ["not_willing"]


def test_place_bid_with_no_preference_removes_the_bid():
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()
    BidFactory(proposal=proposal, reviewer=reviewer)

    result = services.place_bid(
        proposal=proposal, reviewer=reviewer, preference="", actor=reviewer
    )

    assert result is None
    assert Bid.objects.count() == 0


@pytest.mark.parametrize(
    ("bidding", "message"),
    [
        ("not_opened", "Bidding is not open on this call."),
        ("closed", "Bidding on this call is closed."),
    ],
)
def test_place_bid_refused_unless_bidding_is_open(bidding, message):
    _opportunity, [proposal, _other] = _call(bidding=bidding)
    reviewer = ReviewerFactory()

    with pytest.raises(BidRefused) as refusal:
        services.place_bid(
            proposal=proposal, reviewer=reviewer, preference="eager", actor=reviewer
        )

    assert refusal.value.messages == [message]
    assert Bid.objects.count() == 0


def test_place_bid_refused_for_someone_not_a_reviewer():
    _opportunity, [proposal, _other] = _call()
    researcher = UserFactory()

    with pytest.raises(BidRefused) as refusal:
        services.place_bid(
            proposal=proposal, reviewer=researcher, preference="eager", actor=researcher
        )

    assert refusal.value.messages == ["Only reviewers bid on proposals."]
    assert Bid.objects.count() == 0


@pytest.mark.parametrize("actor", ["other reviewer", "administrator"])
def test_place_bid_refused_for_someone_elses_bid(actor):
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()
    someone = (
        ReviewerFactory() if actor == "other reviewer" else make_review_administrator()
    )

    with pytest.raises(BidRefused) as refusal:
        services.place_bid(
            proposal=proposal, reviewer=reviewer, preference="eager", actor=someone
        )

    assert refusal.value.messages == ["Reviewers place their own bids only."]
    assert Bid.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (ProposalStatus.DRAFT, "draft"),
        (ProposalStatus.WITHDRAWN, "withdrawn"),
        (ProposalStatus.SELECTED, "selected"),
    ],
)
def test_place_bid_refused_for_a_proposal_not_in_review(status, shown):
    _opportunity, [proposal, _other] = _call()
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    proposal.refresh_from_db()
    reviewer = ReviewerFactory()

    with pytest.raises(BidRefused) as refusal:
        services.place_bid(
            proposal=proposal, reviewer=reviewer, preference="eager", actor=reviewer
        )

    assert refusal.value.messages == [
        f"{proposal.reference} is {shown}: bids are placed only on proposals in review."
    ]
    assert Bid.objects.count() == 0


def test_place_bid_refused_for_a_preference_that_is_not_one():
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()

    with pytest.raises(BidRefused) as refusal:
        services.place_bid(
            proposal=proposal, reviewer=reviewer, preference="keen", actor=reviewer
        )

    assert refusal.value.messages == [
        f"{proposal.reference}: “keen” is not a bid: choose eager, willing, not "
        "willing or conflict of interest."
    ]


def test_place_bids_saves_the_whole_sheet_and_counts_the_changes():
    opportunity, [first, second, third] = _call(proposals=3)
    reviewer = ReviewerFactory()
    BidFactory(proposal=first, reviewer=reviewer, preference="willing")
    BidFactory(proposal=second, reviewer=reviewer, preference="eager")

    changed = services.place_bids(
        opportunity=opportunity,
        reviewer=reviewer,
        preferences={first.pk: "willing", second.pk: "", third.pk: "not_willing"},
        actor=reviewer,
    )

    assert changed == 2
    assert dict(Bid.objects.values_list("proposal_id", "preference")) == {
        first.pk: "willing",
        third.pk: "not_willing",
    }


def test_place_bids_changes_nothing_when_one_bid_is_refused():
    opportunity, [first, second] = _call()
    elsewhere = ProposalVersionFactory().proposal
    reviewer = ReviewerFactory()

    with pytest.raises(BidRefused) as refusal:
        services.place_bids(
            opportunity=opportunity,
            reviewer=reviewer,
            preferences={first.pk: "eager", second.pk: "maybe", elsewhere.pk: "eager"},
            actor=reviewer,
        )

    assert refusal.value.messages == [
        "One of the proposals is not part of this call.",
        f"{second.reference}: “maybe” is not a bid: choose eager, willing, not "
        "willing or conflict of interest.",
    ]
    assert Bid.objects.count() == 0


# --- a conflict bid is a declared conflict ------------------------------------------


def test_conflict_bid_ends_the_reviewers_active_assignment():
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()
    assignment = ReviewAssignmentFactory(
        version=proposal.versions.get(), reviewer=reviewer, accepted=True
    )
    other = ReviewAssignmentFactory(version=_other.versions.get(), reviewer=reviewer)

    services.place_bid(
        proposal=proposal, reviewer=reviewer, preference="conflict", actor=reviewer
    )

    assignment.refresh_from_db()
    other.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT
    assert assignment.conflict_reason == "Conflict of interest declared when bidding."
    assert assignment.events.get(to_status="conflict").actor == reviewer
    assert other.status == AssignmentStatus.INVITED


def test_conflict_bid_refuses_the_hand_assignment_of_that_pair():
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()
    services.place_bid(
        proposal=proposal, reviewer=reviewer, preference="conflict", actor=reviewer
    )

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=proposal,
            reviewer=reviewer,
            due=timezone.now() + timedelta(days=14),
            actor=make_review_administrator(),
        )

    assert refusal.value.messages == [
        "The reviewer declared a conflict of interest with this proposal when bidding."
    ]
    assert not ReviewAssignment.objects.exists()


def test_withdrawn_conflict_bid_no_longer_refuses_the_assignment():
    _opportunity, [proposal, _other] = _call()
    reviewer = ReviewerFactory()
    for preference in ("conflict", "willing"):
        services.place_bid(
            proposal=proposal, reviewer=reviewer, preference=preference, actor=reviewer
        )

    assignment = services.assign_reviewer(
        proposal=proposal,
        reviewer=reviewer,
        due=timezone.now() + timedelta(days=14),
        actor=make_review_administrator(),
    )

    assert assignment.status == AssignmentStatus.INVITED


# --- what reviewers read ------------------------------------------------------------


def test_calls_open_for_bidding_count_proposals_and_the_reviewers_bids():
    opportunity, [first, _second] = _call()
    _call(bidding="closed")
    _call(bidding="not_opened")
    reviewer = ReviewerFactory()
    BidFactory(proposal=first, reviewer=reviewer)
    BidFactory(proposal=first)  # another reviewer's

    calls = list(selectors.calls_open_for_bidding(reviewer=reviewer))

    assert [(call, call.proposal_count, call.bid_count) for call in calls] == [
        (opportunity, 2, 1)
    ]


def test_calls_open_for_bidding_is_empty_for_someone_not_a_reviewer():
    _call()

    assert list(selectors.calls_open_for_bidding(reviewer=UserFactory())) == []


def test_call_open_for_bidding_is_a_404_for_a_call_not_open():
    opportunity, _proposals = _call(bidding="closed")

    with pytest.raises(Http404):
        selectors.call_open_for_bidding(reviewer=ReviewerFactory(), pk=opportunity.pk)


def test_bid_sheet_shows_the_frozen_version_and_the_reviewers_bid():
    opportunity, [first, second] = _call()
    reviewer = ReviewerFactory()
    BidFactory(proposal=second, reviewer=reviewer, preference="willing")
    BidFactory(proposal=first, preference="conflict")  # another reviewer's
    frozen = first.versions.get().snapshot["summary"]
    Proposal.objects.filter(pk=first.pk).update(
        title="Changed after the deadline", abstract="New", keywords="new"
    )

    rows = list(selectors.bid_sheet(reviewer=reviewer, opportunity=opportunity))

    assert [
        (
            row.reference,
            row.frozen_title,
            row.frozen_abstract,
            row.frozen_keywords,
            row.preference,
        )
        for row in rows
    ] == [
        (
            first.reference,
            frozen["title"],
            frozen["abstract"],
            frozen["keywords"],
            "",
        ),
        (
            second.reference,
            second.title,
            second.abstract,
            second.keywords,
            "willing",
        ),
    ]


def test_bid_sheet_names_the_team_when_the_call_is_not_dual_anonymous():
    opportunity, _none = _call(proposals=0)
    proposal = ProposalFactory(opportunity=opportunity, complete=True, submitted=True)
    TeamMemberFactory(proposal=proposal, name="Dr Nina Keller")
    ProposalVersionFactory(proposal=proposal)

    [row] = selectors.bid_sheet(reviewer=ReviewerFactory(), opportunity=opportunity)

    assert row.anonymous is False
    assert row.investigator["name"] == proposal.principal_investigator.full_name
    assert [member["name"] for member in row.team] == ["Dr Nina Keller"]


def test_bid_sheet_of_a_dual_anonymous_call_says_nothing_of_the_team():
    opportunity, _proposals = _call(proposals=0, dual_anonymous=True)
    pi = UserFactory(
        full_name="Dr Amina Haddad",
        email="amina.haddad@narss.sci.eg",
        institution="National Authority for Remote Sensing",
        country="EG",
    )
    proposal = ProposalFactory(
        opportunity=opportunity,
        complete=True,
        submitted=True,
        principal_investigator=pi,
    )
    TeamMemberFactory(
        proposal=proposal,
        name="Prof. Luca Bianchi",
        email="luca@inaf.it",
        institution="INAF",
    )
    ProposalVersionFactory(proposal=proposal)

    rows = selectors.bid_sheet(reviewer=ReviewerFactory(), opportunity=opportunity)

    [row] = rows.values()
    assert row["anonymous"] is True
    assert "investigator" not in row
    assert "team" not in row
    shown = repr(sorted(row.items()))
    for identity in (
        "Haddad",
        "narss",
        "National Authority",
        "Egypt",
        "Bianchi",
        "inaf",
        "INAF",
    ):
        assert identity not in shown


@pytest.mark.parametrize("bidding", ["closed", "not_opened"])
def test_bid_sheet_is_empty_unless_bidding_is_open(bidding):
    opportunity, _proposals = _call(bidding=bidding)

    rows = selectors.bid_sheet(reviewer=ReviewerFactory(), opportunity=opportunity)

    assert list(rows) == []


def test_bid_sheet_is_empty_for_someone_not_a_reviewer():
    opportunity, _proposals = _call()

    assert (
        list(selectors.bid_sheet(reviewer=UserFactory(), opportunity=opportunity)) == []
    )


def test_bid_sheet_leaves_out_proposals_not_in_review():
    opportunity, [kept, withdrawn] = _call()
    Proposal.objects.filter(pk=withdrawn.pk).update(status=ProposalStatus.WITHDRAWN)

    rows = selectors.bid_sheet(reviewer=ReviewerFactory(), opportunity=opportunity)

    assert [row.pk for row in rows] == [kept.pk]


# --- what administrators read -----------------------------------------------------


def test_bid_coverage_counts_each_preference():
    opportunity, [first, second] = _call()
    for preference in ("eager", "eager", "willing", "not_willing", "conflict"):
        BidFactory(proposal=first, preference=preference)
    BidFactory(proposal=ProposalVersionFactory().proposal)  # another call

    rows = selectors.bid_coverage(opportunity=opportunity)

    assert [
        (
            row,
            row.eager,
            row.willing,
            row.not_willing,
            row.conflict,
            row.bid_total,
        )
        for row in rows
    ] == [(first, 2, 1, 1, 1, 5), (second, 0, 0, 0, 0, 0)]


# --- query counts -----------------------------------------------------------------


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_bid_sheet_query_count_is_constant(django_assert_num_queries, item_count):
    opportunity, proposals = _call(proposals=item_count)
    reviewer = ReviewerFactory()
    for proposal in proposals:
        BidFactory(proposal=proposal, reviewer=reviewer)
        TeamMemberFactory(proposal=proposal)

    # the panel, the Reviewers group, the rows
    with django_assert_num_queries(3):
        rows = list(selectors.bid_sheet(reviewer=reviewer, opportunity=opportunity))
        shown = [(r.frozen_title, r.preference, r.investigator, r.team) for r in rows]

    assert len(shown) == item_count


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_calls_open_for_bidding_query_count_is_constant(
    django_assert_num_queries, item_count
):
    reviewer = ReviewerFactory()
    for _ in range(item_count):
        _opportunity, [proposal] = _call(proposals=1)
        BidFactory(proposal=proposal, reviewer=reviewer)

    # the Reviewers group, the calls
    with django_assert_num_queries(2):
        calls = [
            (call.mission.name, call.proposal_count, call.bid_count)
            for call in selectors.calls_open_for_bidding(reviewer=reviewer)
        ]

    assert len(calls) == item_count


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_bid_coverage_query_count_is_constant(django_assert_num_queries, item_count):
    opportunity, proposals = _call(proposals=item_count)
    for proposal in proposals:
        BidFactory(proposal=proposal)

    with django_assert_num_queries(1):
        rows = [
            (row.principal_investigator.email, row.eager)
            for row in selectors.bid_coverage(opportunity=opportunity)
        ]

    assert len(rows) == item_count


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_place_bids_query_count_is_constant(django_assert_num_queries, item_count):
    opportunity, proposals = _call(proposals=item_count + 1)
    reviewer = ReviewerFactory()
    BidFactory(proposal=proposals[0], reviewer=reviewer, preference="willing")
    preferences = dict.fromkeys((p.pk for p in proposals), "eager")

    # savepoint, panel (get), panel (lock), group, proposals, bids, update,
    # insert, savepoint release
    with django_assert_num_queries(9):
        changed = services.place_bids(
            opportunity=opportunity,
            reviewer=reviewer,
            preferences=preferences,
            actor=reviewer,
        )

    assert changed == item_count + 1
