import itertools
import random
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reviews import workflow
from reviews.assignment import (
    FIT_SCALE,
    LP_MIN_PAIRS,
    balanced_assignment,
    keyword_fit,
    plan_assignments,
)
from reviews.enums import BID_WEIGHTS, BidPreference
from reviews.models import AssignmentPlanRun, Bid, ReviewAssignment
from reviews.selectors import eligible_reviewers
from reviews.selectors.panel import plan_fingerprint, planned_pairs
from reviews.services import PlanOutdated, apply_plan, assignment_problems
from reviews.services.assigning import request_assignment_plan
from tests.factories import (
    BidFactory,
    OpportunityFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    TeamMemberFactory,
    UserFactory,
)

SEEDS = range(40)


def _random_instance(rng, *, all_eligible=False, with_loads=False):
    proposals = list(range(1, rng.randint(2, 14)))
    reviewers = list(range(100, 100 + rng.randint(1, 9)))
    per = rng.randint(1, 4)
    eligible = {
        p: [r for r in reviewers if all_eligible or rng.random() < 0.7]
        for p in proposals
    }
    fit = {(p, r): rng.randint(0, FIT_SCALE) for p in proposals for r in eligible[p]}
    loads = {r: rng.randint(0, 3) for r in reviewers} if with_loads else {}
    return dict.fromkeys(proposals, per), eligible, fit, loads


def _loads(pairs, reviewers, before=None):
    counts = Counter(r for _p, r in pairs)
    before = before or {}
    return [before.get(r, 0) + counts[r] for r in reviewers]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_proposal_gets_its_reviewers_when_enough_are_eligible(seed):
    rng = random.Random(seed)
    needs, eligible, fit, loads = _random_instance(rng, with_loads=True)

    pairs = balanced_assignment(needs=needs, eligible=eligible, fit=fit, loads=loads)

    given = Counter(p for p, _r in pairs)
    for proposal, need in needs.items():
        assert given[proposal] == min(need, len(eligible[proposal]))


@pytest.mark.parametrize("seed", SEEDS)
def test_pairs_are_eligible_and_distinct(seed):
    rng = random.Random(seed)
    needs, eligible, fit, loads = _random_instance(rng)

    pairs = balanced_assignment(needs=needs, eligible=eligible, fit=fit, loads=loads)

    assert len(pairs) == len(set(pairs))
    assert all(r in eligible[p] for p, r in pairs)


@pytest.mark.parametrize("seed", SEEDS)
def test_loads_differ_by_at_most_one_when_everyone_is_eligible(seed):
    rng = random.Random(seed)
    needs, eligible, fit, _loads_ignored = _random_instance(rng, all_eligible=True)
    reviewers = sorted({r for rs in eligible.values() for r in rs})

    pairs = balanced_assignment(needs=needs, eligible=eligible, fit=fit)

    loads = _loads(pairs, reviewers)
    assert max(loads) - min(loads) <= 1


@pytest.mark.parametrize("seed", SEEDS)
def test_no_move_of_one_review_would_even_the_loads(seed):
    """With existing loads and conflicts: no review could move from its reviewer
    to an eligible one with two or more fewer reviews."""
    rng = random.Random(seed)
    needs, eligible, fit, loads = _random_instance(rng, with_loads=True)
    reviewers = sorted({r for rs in eligible.values() for r in rs})

    pairs = balanced_assignment(needs=needs, eligible=eligible, fit=fit, loads=loads)

    final = dict(zip(reviewers, _loads(pairs, reviewers, loads), strict=True))
    taken = set(pairs)
    for proposal, reviewer in pairs:
        for other in eligible[proposal]:
            if (proposal, other) not in taken:
                assert final[reviewer] - final[other] <= 1


def _objective(pairs, loads):
    """The sum of squares of every reviewer's final load."""
    counts = Counter(r for _p, r in pairs)
    return sum((load + counts[r]) ** 2 for r, load in loads.items())


@pytest.mark.parametrize("seed", range(25))
def test_plan_is_optimal_on_small_instances(seed):
    """Brute force: no valid plan has fairer loads, or equal loads and more fit."""
    rng = random.Random(seed)
    proposals = [1, 2, 3]
    reviewers = [10, 11, 12, 13]
    needs = {p: rng.randint(1, 2) for p in proposals}
    eligible = {p: [r for r in reviewers if rng.random() < 0.8] for p in proposals}
    fit = {(p, r): rng.randint(0, FIT_SCALE) for p in proposals for r in reviewers}
    loads = {r: rng.randint(0, 2) for r in reviewers}

    pairs = balanced_assignment(needs=needs, eligible=eligible, fit=fit, loads=loads)

    choices = [
        itertools.combinations(eligible[p], min(needs[p], len(eligible[p])))
        for p in proposals
    ]
    best = min(
        (
            _objective(plan, loads),
            -sum(fit[pair] for pair in plan),
        )
        for combo in itertools.product(*choices)
        for plan in [
            [(p, r) for p, rs in zip(proposals, combo, strict=True) for r in rs]
        ]
    )
    assert (_objective(pairs, loads), -sum(fit[pair] for pair in pairs)) == best


def _bid_objective(pairs, loads, fit, bids):
    """What the plan minimises, in order: "not willing" placements, the sum of
    squares of the loads, minus the bids' weight, minus the fit."""
    return (
        sum(-bids.get(pair, 0) for pair in pairs if bids.get(pair, 0) < 0),
        _objective(pairs, loads),
        -sum(max(bids.get(pair, 0), 0) for pair in pairs),
        -sum(fit[pair] for pair in pairs),
    )


@pytest.mark.parametrize("seed", range(25))
def test_plan_with_bids_is_optimal_on_small_instances(seed):
    """Brute force: no valid plan has fewer reluctant reviewers, or as few and
    fairer loads, or those and heavier bids, or all those and more fit."""
    rng = random.Random(seed)
    proposals = [1, 2, 3]
    reviewers = [10, 11, 12, 13]
    needs = {p: rng.randint(1, 2) for p in proposals}
    eligible = {p: [r for r in reviewers if rng.random() < 0.8] for p in proposals}
    fit = {(p, r): rng.randint(0, FIT_SCALE) for p in proposals for r in reviewers}
    loads = {r: rng.randint(0, 2) for r in reviewers}
    bids = {
        (p, r): rng.choice([0, 0, *BID_WEIGHTS.values()])
        for p in proposals
        for r in reviewers
    }

    pairs = balanced_assignment(
        needs=needs, eligible=eligible, fit=fit, loads=loads, bids=bids
    )

    choices = [
        itertools.combinations(eligible[p], min(needs[p], len(eligible[p])))
        for p in proposals
    ]
    best = min(
        _bid_objective(plan, loads, fit, bids)
        for combo in itertools.product(*choices)
        for plan in [
            [(p, r) for p, rs in zip(proposals, combo, strict=True) for r in rs]
        ]
    )
    assert _bid_objective(pairs, loads, fit, bids) == best


def test_eager_bid_outweighs_any_fit():
    pairs = balanced_assignment(
        needs={1: 1},
        eligible={1: [10, 11]},
        fit={(1, 10): FIT_SCALE, (1, 11): 0},
        bids={(1, 11): BID_WEIGHTS[BidPreference.EAGER]},
    )

    assert pairs == [(1, 11)]


def test_willing_bid_outweighs_any_fit():
    pairs = balanced_assignment(
        needs={1: 1},
        eligible={1: [10, 11]},
        fit={(1, 10): FIT_SCALE, (1, 11): 0},
        bids={(1, 11): BID_WEIGHTS[BidPreference.WILLING]},
    )

    assert pairs == [(1, 11)]


def test_balance_outweighs_bids():
    needs = {1: 1, 2: 1}
    eligible = {1: [10, 11], 2: [10, 11]}
    bids = {(1, 10): 2, (2, 10): 2}

    pairs = balanced_assignment(needs=needs, eligible=eligible, bids=bids)

    assert Counter(r for _p, r in pairs) == {10: 1, 11: 1}


def test_not_willing_is_avoided_even_at_the_cost_of_balance():
    needs = {1: 1, 2: 1}
    eligible = {1: [10, 11], 2: [10, 11]}
    bids = {(1, 10): -2, (2, 10): -2}

    pairs = balanced_assignment(needs=needs, eligible=eligible, bids=bids)

    assert pairs == [(1, 11), (2, 11)]


def test_not_willing_fills_a_slot_nobody_else_can():
    needs = {1: 2}
    eligible = {1: [10, 11]}

    pairs = balanced_assignment(needs=needs, eligible=eligible, bids={(1, 10): -2})

    assert pairs == [(1, 10), (1, 11)]


@pytest.mark.parametrize("seed", range(10))
def test_plan_does_not_depend_on_input_order(seed):
    rng = random.Random(seed)
    needs, eligible, fit, loads = _random_instance(rng, with_loads=True)
    shuffled_needs = dict(rng.sample(list(needs.items()), len(needs)))
    shuffled_eligible = {p: rng.sample(rs, len(rs)) for p, rs in eligible.items()}

    first = balanced_assignment(needs=needs, eligible=eligible, fit=fit, loads=loads)
    second = balanced_assignment(
        needs=shuffled_needs, eligible=shuffled_eligible, fit=fit, loads=loads
    )

    assert first == second


def test_fit_chooses_among_balanced_plans():
    needs = {1: 1, 2: 1}
    eligible = {1: [10, 11], 2: [10, 11]}
    fit = {(1, 10): 0, (1, 11): 900, (2, 10): 800, (2, 11): 900}

    pairs = balanced_assignment(needs=needs, eligible=eligible, fit=fit)

    assert pairs == [(1, 11), (2, 10)]


def test_balance_outweighs_fit():
    needs = {1: 1, 2: 1}
    eligible = {1: [10, 11], 2: [10, 11]}
    fit = {(1, 10): 1000, (2, 10): 1000, (1, 11): 0, (2, 11): 0}

    pairs = balanced_assignment(needs=needs, eligible=eligible, fit=fit)

    assert Counter(r for _p, r in pairs) == {10: 1, 11: 1}


def test_balanced_assignment_is_fast_enough_for_a_large_call():
    rng = random.Random(7)
    proposals = range(1, 101)
    reviewers = range(1000, 1030)
    eligible = {p: [r for r in reviewers if rng.random() < 0.9] for p in proposals}
    fit = {(p, r): rng.randint(0, FIT_SCALE) for p in proposals for r in reviewers}

    started = time.perf_counter()
    pairs = balanced_assignment(
        needs=dict.fromkeys(proposals, 3), eligible=eligible, fit=fit
    )
    elapsed = time.perf_counter() - started

    assert len(pairs) == 300
    assert elapsed < 10


@pytest.mark.parametrize(
    ("expertise", "keywords", "fit"),
    [
        (["radon", "dust"], ["radon", "dust", "regolith"], Decimal("0.667")),
        (["radon"], ["radon"], Decimal("1.000")),
        (["seismology"], ["radon"], Decimal("0.000")),
        ([], ["radon"], Decimal(0)),
    ],
)
def test_keyword_fit_is_the_jaccard_index(expertise, keywords, fit):
    assert keyword_fit(expertise, keywords) == fit


# --- plans over the database --------------------------------------------------


def _call(*, per=2, proposals=3, keywords=("radon, dust",)):
    opportunity = OpportunityFactory(closed=True, reviewers_per_proposal=per)
    versions = [
        ProposalVersionFactory(
            proposal__opportunity=opportunity,
            proposal__keywords=keywords[i % len(keywords)],
        )
        for i in range(proposals)
    ]
    return opportunity, [version.proposal for version in versions]


@pytest.mark.django_db
def test_plan_gives_every_proposal_its_reviewers_without_conflicts():
    opportunity, proposals = _call(per=2, proposals=4)
    reviewers = ReviewerFactory.create_batch(3)
    TeamMemberFactory(
        proposal=proposals[0], institution=reviewers[0].institution, name="Dr Ko"
    )

    plan = plan_assignments(opportunity=opportunity, reviewers=reviewers)

    pairs = {(row.proposal.pk, row.reviewer.pk) for row in plan.assignments}
    assert (proposals[0].pk, reviewers[0].pk) not in pairs
    assert Counter(p for p, _r in pairs) == {p.pk: 2 for p in proposals}
    loads = Counter(r for _p, r in pairs)
    assert max(loads.values()) - min(loads.values()) <= 1
    assert plan.is_complete


@pytest.mark.django_db
def test_plan_prefers_matching_expertise():
    opportunity, [_proposal] = _call(per=1, proposals=1, keywords=("radon, dust",))
    other = ReviewerFactory(expertise="seismology")
    expert = ReviewerFactory(expertise="Radon; lunar dust; dust")

    plan = plan_assignments(opportunity=opportunity, reviewers=[other, expert])

    assert [(row.reviewer, row.fit) for row in plan.assignments] == [
        (expert, Decimal("0.667"))
    ]


@pytest.mark.django_db
def test_plan_reports_unfillable_slots_with_reasons():
    opportunity, [proposal] = _call(per=3, proposals=1)
    free = ReviewerFactory()
    conflicted = ReviewerFactory(
        institution=proposal.principal_investigator.institution
    )
    declined = ReviewerFactory()
    ReviewAssignmentFactory(
        version=proposal.versions.get(), reviewer=declined, status="declined"
    )

    plan = plan_assignments(
        opportunity=opportunity, reviewers=[free, conflicted, declined]
    )

    assert [row.reviewer for row in plan.assignments] == [free]
    [slot] = plan.unfilled
    assert slot.proposal == proposal
    assert slot.missing == 2
    assert slot.reasons == (
        "2 reviewers are still needed, but no other of the 3 reviewers may review "
        "it: 1 have a conflict of interest and 1 were asked before.",
    )
    assert [reviewer for reviewer, _reasons in slot.excluded] == [
        conflicted,
        declined,
    ]


@pytest.mark.django_db
def test_plan_counts_active_assignments_already_made():
    opportunity, [first, second] = _call(per=2, proposals=2)
    busy, idle = ReviewerFactory(), ReviewerFactory()
    ReviewAssignmentFactory(version=first.versions.get(), reviewer=busy)

    plan = plan_assignments(opportunity=opportunity, reviewers=[busy, idle])

    assert sorted((row.proposal.pk, row.reviewer.pk) for row in plan.assignments) == [
        (first.pk, idle.pk),
        (second.pk, busy.pk),
        (second.pk, idle.pk),
    ]
    assert [(load.reviewer, load.before, load.after) for load in plan.loads] == [
        (busy, 1, 2),
        (idle, 0, 2),
    ]


@pytest.mark.django_db
def test_plan_ignores_proposals_whose_deadline_is_ahead():
    opportunity = OpportunityFactory(reviewers_per_proposal=1)
    ProposalVersionFactory(proposal__opportunity=opportunity)

    plan = plan_assignments(opportunity=opportunity, reviewers=[ReviewerFactory()])

    assert plan.assignments == ()


@pytest.mark.django_db
def test_plan_is_deterministic():
    opportunity, _proposals = _call(per=2, proposals=5)
    reviewers = ReviewerFactory.create_batch(4)

    first = plan_assignments(opportunity=opportunity, reviewers=reviewers)
    second = plan_assignments(opportunity=opportunity, reviewers=reviewers[::-1])

    assert first.assignments == second.assignments


@pytest.mark.django_db
@pytest.mark.parametrize("proposal_count", [1, 3, 10])
def test_plan_query_count_is_constant(django_assert_num_queries, proposal_count):
    opportunity, _proposals = _call(per=2, proposals=proposal_count)
    ReviewerFactory.create_batch(3, expertise="radon")
    reviewers = list(eligible_reviewers())

    # proposals, their teams, the assignments, the declared conflicts, the bids
    with django_assert_num_queries(5):
        plan = plan_assignments(opportunity=opportunity, reviewers=reviewers)

    assert len(plan.assignments) == 2 * proposal_count


@pytest.mark.django_db
def test_apply_plan_saves_the_plan_with_its_fit(admin_user):
    opportunity, _proposals = _call(per=1, proposals=2)
    reviewers = [ReviewerFactory(expertise="radon"), ReviewerFactory()]
    plan = plan_assignments(opportunity=opportunity, reviewers=reviewers)
    due = opportunity.proposal_deadline + (
        opportunity.proposal_deadline - opportunity.opens_at
    )

    made = apply_plan(plan=plan, due=due, actor=admin_user)

    assert [(a.proposal, a.reviewer, a.fit) for a in made] == [
        (row.proposal, row.reviewer, row.fit) for row in plan.assignments
    ]
    assert ReviewAssignment.objects.count() == 2


@pytest.mark.django_db
def test_apply_plan_refuses_an_outdated_plan_entirely(admin_user):
    from django.utils import timezone  # noqa: PLC0415

    from reviews.services import PlanOutdated  # noqa: PLC0415

    opportunity, _proposals = _call(per=1, proposals=2)
    reviewers = ReviewerFactory.create_batch(2)
    plan = plan_assignments(opportunity=opportunity, reviewers=reviewers)
    late = plan.assignments[1]
    # The reviewer joins the team after the plan was made.
    TeamMemberFactory(proposal=late.proposal, user=late.reviewer, name="Dr Late")

    with pytest.raises(PlanOutdated) as refusal:
        apply_plan(
            plan=plan,
            due=timezone.now() + (opportunity.proposal_deadline - opportunity.opens_at),
            actor=admin_user,
        )

    assert refusal.value.messages == [
        f"{late.proposal.reference}, {late.reviewer.get_full_name()}: "
        "The reviewer is on the proposal's team (Dr Late)."
    ]
    assert ReviewAssignment.objects.count() == 0


@pytest.mark.django_db
def test_apply_plan_is_for_administrators_only():
    from django.core.exceptions import PermissionDenied  # noqa: PLC0415

    opportunity, _proposals = _call(per=1, proposals=1)
    plan = plan_assignments(opportunity=opportunity, reviewers=[ReviewerFactory()])

    with pytest.raises(PermissionDenied):
        apply_plan(plan=plan, due=opportunity.opens_at, actor=UserFactory(staff=True))

    assert ReviewAssignment.objects.count() == 0


# --- bids in the plan -------------------------------------------------------------


@pytest.mark.django_db
def test_plan_gives_the_proposal_to_the_eager_reviewer_of_equal_fit():
    opportunity, [proposal] = _call(per=1, proposals=1)
    first, eager = (
        ReviewerFactory(expertise="radon"),
        ReviewerFactory(expertise="radon"),
    )
    BidFactory(proposal=proposal, reviewer=eager, preference="eager")
    BidFactory(proposal=proposal, reviewer=first, preference="willing")

    plan = plan_assignments(opportunity=opportunity, reviewers=[first, eager])

    assert [(row.reviewer, row.fit, row.bid) for row in plan.assignments] == [
        (eager, Decimal("0.500"), "eager")
    ]
    assert plan.assignments[0].bid_display == "Eager"


@pytest.mark.django_db
def test_plan_prefers_an_eager_bid_to_a_better_fit():
    opportunity, [proposal] = _call(per=1, proposals=1, keywords=("radon, dust",))
    expert = ReviewerFactory(expertise="radon, dust")
    eager = ReviewerFactory(expertise="seismology")
    BidFactory(proposal=proposal, reviewer=eager, preference="eager")

    plan = plan_assignments(opportunity=opportunity, reviewers=[expert, eager])

    assert [(row.reviewer, row.fit, row.bid) for row in plan.assignments] == [
        (eager, Decimal("0.000"), "eager")
    ]


@pytest.mark.django_db
def test_plan_uses_a_not_willing_reviewer_only_when_needed():
    opportunity, [proposal, second] = _call(per=1, proposals=2)
    reluctant = ReviewerFactory(expertise="radon, dust")
    other = ReviewerFactory()
    BidFactory(proposal=proposal, reviewer=reluctant, preference="not_willing")
    BidFactory(proposal=second, reviewer=reluctant, preference="not_willing")

    plan = plan_assignments(opportunity=opportunity, reviewers=[reluctant, other])

    assert [(row.proposal, row.reviewer, row.bid) for row in plan.assignments] == [
        (proposal, other, ""),
        (second, other, ""),
    ]


@pytest.mark.django_db
def test_plan_places_a_not_willing_reviewer_when_nobody_else_can():
    opportunity, [proposal] = _call(per=2, proposals=1)
    reluctant, other = ReviewerFactory(), ReviewerFactory()
    BidFactory(proposal=proposal, reviewer=reluctant, preference="not_willing")

    plan = plan_assignments(opportunity=opportunity, reviewers=[reluctant, other])

    assert [(row.reviewer, row.bid) for row in plan.assignments] == [
        (reluctant, "not_willing"),
        (other, ""),
    ]
    assert plan.is_complete


@pytest.mark.django_db
def test_plan_never_places_a_conflict_bid():
    opportunity, [proposal] = _call(per=2, proposals=1)
    conflicted = ReviewerFactory(expertise="radon, dust")
    other = ReviewerFactory()
    BidFactory(proposal=proposal, reviewer=conflicted, preference="conflict")

    plan = plan_assignments(opportunity=opportunity, reviewers=[conflicted, other])

    assert [row.reviewer for row in plan.assignments] == [other]
    [slot] = plan.unfilled
    assert slot.reasons == (
        "1 reviewer is still needed, but no other of the 2 reviewers may review "
        "it: 1 have a conflict of interest and 0 were asked before.",
    )
    assert slot.excluded == (
        (
            conflicted,
            (
                "The reviewer declared a conflict of interest with this proposal "
                "when bidding.",
            ),
        ),
    )


@pytest.mark.django_db
def test_plan_ignores_bids_on_other_calls_and_by_other_reviewers():
    opportunity, [proposal] = _call(per=1, proposals=1)
    first, second = ReviewerFactory(), ReviewerFactory()
    BidFactory(reviewer=second, preference="eager")  # another call
    BidFactory(proposal=proposal, preference="eager")  # someone not asked

    plan = plan_assignments(opportunity=opportunity, reviewers=[first, second])

    assert [(row.reviewer, row.bid) for row in plan.assignments] == [(first, "")]


# --- one report of conflicts ------------------------------------------------------


@pytest.mark.django_db
def test_plan_reports_a_declared_conflict_as_a_conflict_not_as_asked_before():
    """The automatic plan used to count a reviewer who had declared a conflict
    on the proposal as "asked before" ("0 have a conflict of interest")."""
    opportunity, [proposal] = _call(per=2, proposals=1)
    declared, free = ReviewerFactory(), ReviewerFactory()
    ReviewAssignmentFactory(
        version=proposal.versions.get(),
        reviewer=declared,
        status="conflict",
        conflict_reason="My former student leads the team.",
    )

    plan = plan_assignments(opportunity=opportunity, reviewers=[declared, free])

    [slot] = plan.unfilled
    assert slot.reasons == (
        "1 reviewer is still needed, but no other of the 2 reviewers may review "
        "it: 1 have a conflict of interest and 0 were asked before.",
    )
    assert slot.excluded == (
        (
            declared,
            ("The reviewer declared a conflict of interest on this proposal.",),
        ),
    )


def _conflict_by(kind, proposal, reviewer):
    """Give `reviewer` a conflict with `proposal` of the given kind."""
    if kind == "institution":
        reviewer.institution = proposal.principal_investigator.institution
        reviewer.save(update_fields=["institution"])
    elif kind == "declared here":
        ReviewAssignmentFactory(
            version=proposal.versions.get(),
            reviewer=reviewer,
            status="conflict",
            conflict_reason="x",
        )
    elif kind == "declared with the pi":
        ReviewAssignmentFactory(
            version__proposal__principal_investigator=proposal.principal_investigator,
            reviewer=reviewer,
            status="conflict",
            conflict_reason="x",
        )
    elif kind == "bid":
        BidFactory(proposal=proposal, reviewer=reviewer, preference="conflict")
    elif kind == "team":
        TeamMemberFactory(proposal=proposal, user=reviewer, name="Dr Team")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind",
    ["institution", "declared here", "declared with the pi", "bid", "team"],
)
def test_plan_and_hand_assignment_give_the_same_conflict_reasons(kind):
    opportunity, [proposal] = _call(per=2, proposals=1)
    reviewer, free = ReviewerFactory(), ReviewerFactory()
    _conflict_by(kind, proposal, reviewer)

    plan = plan_assignments(opportunity=opportunity, reviewers=[reviewer, free])
    now = timezone.now()
    by_hand = assignment_problems(
        proposal=proposal, reviewer=reviewer, due=now + timedelta(days=14), now=now
    )

    [slot] = plan.unfilled
    [(excluded, reasons)] = slot.excluded
    assert excluded == reviewer
    assert list(reasons) == by_hand
    assert by_hand != []
    assert "1 have a conflict of interest and 0 were asked before" in slot.reasons[0]


# --- the stored plan (computed by a task, saved later) ---------------------------


def _stored(opportunity, actor, capture):
    """Ask for the call's plan; the task computes it once the request commits."""
    with capture(execute=True) as callbacks:
        plan, started = request_assignment_plan(opportunity=opportunity, actor=actor)
    assert (started, len(callbacks)) == (True, 1)
    plan.refresh_from_db()
    return plan


def _due(opportunity):
    return timezone.now() + (opportunity.proposal_deadline - opportunity.opens_at)


@pytest.mark.django_db
def test_stored_plan_is_the_plan_of_plan_assignments(
    admin_user, django_capture_on_commit_callbacks
):
    opportunity, [first, _second] = _call(per=2, proposals=2)
    reviewers = ReviewerFactory.create_batch(3, expertise="radon")
    BidFactory(proposal=first, reviewer=reviewers[2], preference="eager")
    expected = plan_assignments(
        opportunity=opportunity, reviewers=list(eligible_reviewers())
    )

    stored = _stored(opportunity, admin_user, django_capture_on_commit_callbacks)

    assert [
        (pair.proposal, pair.reviewer, pair.fit, pair.bid)
        for pair in planned_pairs(plan=stored)
    ] == [
        (row.proposal, row.reviewer, row.fit, row.bid) for row in expected.assignments
    ]
    assert [
        (load.reviewer, load.before, load.after)
        for load in stored.loads.order_by("reviewer_id")
    ] == [(load.reviewer, load.before, load.after) for load in expected.loads]
    assert (
        stored.status,
        stored.planned_count,
        stored.short_count,
        stored.reviewer_count,
        stored.requested_by,
    ) == ("ready", 4, 0, 3, admin_user)
    assert stored.fingerprint == plan_fingerprint(opportunity=opportunity)


@pytest.mark.django_db
def test_a_bid_puts_the_stored_plan_out_of_date_and_changes_the_next(
    admin_user, django_capture_on_commit_callbacks
):
    opportunity, [proposal] = _call(per=1, proposals=1)
    first, second = (
        ReviewerFactory(expertise="radon"),
        ReviewerFactory(expertise="radon"),
    )
    before = _stored(opportunity, admin_user, django_capture_on_commit_callbacks)
    planned_before = [(pair.reviewer, pair.bid) for pair in before.pairs.all()]

    BidFactory(proposal=proposal, reviewer=second, preference="eager")
    outdated = plan_fingerprint(opportunity=opportunity) != before.fingerprint
    after = _stored(opportunity, admin_user, django_capture_on_commit_callbacks)

    assert planned_before == [(first, "")]
    assert outdated
    assert [(pair.reviewer, pair.bid) for pair in after.pairs.all()] == [
        (second, "eager")
    ]


def _change(kind, opportunity, proposal, reviewer):
    """One change to the inputs of the call's plan, or one that is not."""
    if kind == "an assignment":
        ReviewAssignmentFactory(version=proposal.versions.get(), reviewer=reviewer)
    elif kind == "an assignment cancelled":
        assignment = ReviewAssignment.objects.get(proposal=proposal)
        workflow.transition(assignment, to="cancelled", actor=None)
    elif kind == "a bid":
        BidFactory(proposal=proposal, reviewer=reviewer, preference="willing")
    elif kind == "a bid changed":
        bid = Bid.objects.get(proposal=proposal)
        bid.preference = "eager"
        bid.save()
    elif kind == "a reviewer":
        ReviewerFactory()
    elif kind == "an expertise":
        profile = reviewer.reviewer_profile
        profile.expertise = "regolith"
        profile.save()
    elif kind == "a proposal":
        ProposalVersionFactory(proposal__opportunity=opportunity)
    elif kind == "reviewers per proposal":
        opportunity.reviewers_per_proposal += 1
        opportunity.save(update_fields=["reviewers_per_proposal"])
    elif kind == "another call's bid":
        BidFactory(reviewer=reviewer, preference="eager")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "outdated"),
    [
        ("an assignment", True),
        ("an assignment cancelled", True),
        ("a bid", True),
        ("a bid changed", True),
        ("a reviewer", True),
        ("an expertise", True),
        ("a proposal", True),
        ("reviewers per proposal", True),
        ("another call's bid", False),
    ],
)
def test_plan_fingerprint_changes_with_the_inputs_of_the_plan(kind, outdated):
    opportunity, [proposal, _other] = _call(per=2, proposals=2)
    reviewer = ReviewerFactory(expertise="radon")
    ReviewAssignmentFactory(version=proposal.versions.get())
    BidFactory(proposal=proposal, preference="willing")
    before = plan_fingerprint(opportunity=opportunity)

    _change(kind, opportunity, proposal, reviewer)

    assert (plan_fingerprint(opportunity=opportunity) != before) is outdated


@pytest.mark.django_db
def test_apply_plan_saves_a_stored_plan_and_marks_it_applied(
    admin_user, django_capture_on_commit_callbacks
):
    opportunity, _proposals = _call(per=1, proposals=2)
    ReviewerFactory(expertise="radon")
    ReviewerFactory()
    stored = _stored(opportunity, admin_user, django_capture_on_commit_callbacks)
    pairs = [(p.proposal, p.reviewer, p.fit) for p in planned_pairs(plan=stored)]

    made = apply_plan(
        plan=stored,
        due=_due(opportunity),
        actor=admin_user,
        fingerprint=stored.fingerprint,
    )

    assert [(a.proposal, a.reviewer, a.fit) for a in made] == pairs
    stored.refresh_from_db()
    assert (stored.status, stored.applied_by) == ("applied", admin_user)
    with pytest.raises(PlanOutdated) as again:
        apply_plan(plan=stored, due=_due(opportunity), actor=admin_user)
    assert again.value.messages == ["This plan is saved already."]
    assert ReviewAssignment.objects.count() == 2


@pytest.mark.django_db
def test_apply_plan_refuses_a_stored_plan_out_of_date(
    admin_user, django_capture_on_commit_callbacks
):
    opportunity, [proposal, _other] = _call(per=1, proposals=2)
    reviewer = ReviewerFactory()
    stored = _stored(opportunity, admin_user, django_capture_on_commit_callbacks)
    BidFactory(proposal=proposal, reviewer=reviewer, preference="eager")

    with pytest.raises(PlanOutdated) as refusal:
        apply_plan(plan=stored, due=_due(opportunity), actor=admin_user)

    assert refusal.value.messages == [
        "This plan is out of date: an assignment, a bid, a reviewer or a proposal "
        "changed since it was computed. Compute it again, check it and save it."
    ]
    assert ReviewAssignment.objects.count() == 0
    stored.refresh_from_db()
    assert stored.status == "ready"


@pytest.mark.django_db
def test_apply_plan_rechecks_every_pair_of_a_stored_plan(
    admin_user, django_capture_on_commit_callbacks
):
    """A change the fingerprint does not see (a team member joins) is still
    refused: every pair goes through assign_reviewer's checks."""
    opportunity, _proposals = _call(per=1, proposals=2)
    ReviewerFactory.create_batch(2)
    stored = _stored(opportunity, admin_user, django_capture_on_commit_callbacks)
    late = planned_pairs(plan=stored)[1]
    TeamMemberFactory(proposal=late.proposal, user=late.reviewer, name="Dr Late")

    with pytest.raises(PlanOutdated) as refusal:
        apply_plan(
            plan=stored,
            due=_due(opportunity),
            actor=admin_user,
            fingerprint=stored.fingerprint,
        )

    assert refusal.value.messages == [
        f"{late.proposal.reference}, {late.reviewer.get_full_name()}: "
        "The reviewer is on the proposal's team (Dr Late)."
    ]
    assert ReviewAssignment.objects.count() == 0


@pytest.mark.django_db
def test_only_one_computation_of_a_plan_runs_at_a_time(
    admin_user, django_capture_on_commit_callbacks
):
    opportunity, _proposals = _call(per=1, proposals=1)
    ReviewerFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, started = request_assignment_plan(
            opportunity=opportunity, actor=admin_user
        )
        second, again = request_assignment_plan(
            opportunity=opportunity, actor=admin_user
        )

    assert (started, again) == (True, False)
    assert second == first
    assert len(callbacks) == 1
    assert AssignmentPlanRun.objects.get().status == "computing"


@pytest.mark.django_db
def test_request_assignment_plan_is_for_administrators_only():
    from django.core.exceptions import PermissionDenied  # noqa: PLC0415

    opportunity, _proposals = _call(per=1, proposals=1)

    with pytest.raises(PermissionDenied):
        request_assignment_plan(opportunity=opportunity, actor=UserFactory(staff=True))

    assert not AssignmentPlanRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind",
    ["institution", "declared here", "declared with the pi", "bid", "team"],
)
def test_stored_plan_and_hand_assignment_give_the_same_conflict_reasons(
    kind, admin_user, django_capture_on_commit_callbacks
):
    opportunity, [proposal] = _call(per=2, proposals=1)
    reviewer, _free = ReviewerFactory(), ReviewerFactory()
    _conflict_by(kind, proposal, reviewer)
    now = timezone.now()
    by_hand = assignment_problems(
        proposal=proposal, reviewer=reviewer, due=now + timedelta(days=14), now=now
    )

    stored = _stored(opportunity, admin_user, django_capture_on_commit_callbacks)

    [shortfall] = stored.shortfalls.all()
    assert shortfall.excluded == [
        {"reviewer": reviewer.get_full_name(), "reasons": by_hand}
    ]
    assert by_hand != []


# --- the linear programme for large calls -------------------------------------


def _large_instance(rng, *, proposals=60, reviewers=15, eligibility=0.8):
    proposal_ids = range(1, proposals + 1)
    reviewer_ids = range(100, 100 + reviewers)
    eligible = {
        p: [r for r in reviewer_ids if rng.random() < eligibility] for p in proposal_ids
    }
    return {
        "needs": {p: rng.randint(1, 4) for p in proposal_ids},
        "eligible": eligible,
        "fit": {
            (p, r): rng.randint(0, FIT_SCALE) for p in proposal_ids for r in eligible[p]
        },
        "loads": {r: rng.randint(0, 4) for r in reviewer_ids},
        "bids": {
            (p, r): rng.choice([0, 0, 0, *BID_WEIGHTS.values()])
            for p in proposal_ids
            for r in eligible[p]
        },
    }


def _criteria(pairs, instance):
    """Filled slots, then the bid_objective criteria."""
    return (
        len(pairs),
        *_bid_objective(pairs, instance["loads"], instance["fit"], instance["bids"]),
    )


def _spread(pairs, loads):
    final = _loads(pairs, sorted(loads), loads)
    return max(final) - min(final)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("eligibility", [0.3, 0.8, 1.0])
def test_linear_programme_plans_as_well_as_the_flow(seed, eligibility):
    instance = _large_instance(random.Random(seed), eligibility=eligibility)

    flow = balanced_assignment(**instance, method="flow")
    lp = balanced_assignment(**instance, method="lp")

    assert len(lp) == len(set(lp))
    assert all(r in instance["eligible"][p] for p, r in lp)
    assert _criteria(lp, instance) == _criteria(flow, instance)
    if _spread(flow, instance["loads"]) <= 1:
        assert _spread(lp, instance["loads"]) <= 1


@pytest.mark.parametrize("seed", range(25))
def test_linear_programme_is_optimal_on_small_instances(seed):
    """The brute force of test_plan_with_bids_is_optimal_on_small_instances."""
    rng = random.Random(seed)
    proposals = [1, 2, 3]
    reviewers = [10, 11, 12, 13]
    needs = {p: rng.randint(1, 2) for p in proposals}
    eligible = {p: [r for r in reviewers if rng.random() < 0.8] for p in proposals}
    fit = {(p, r): rng.randint(0, FIT_SCALE) for p in proposals for r in reviewers}
    loads = {r: rng.randint(0, 2) for r in reviewers}
    bids = {
        (p, r): rng.choice([0, 0, *BID_WEIGHTS.values()])
        for p in proposals
        for r in reviewers
    }

    pairs = balanced_assignment(
        needs=needs, eligible=eligible, fit=fit, loads=loads, bids=bids, method="lp"
    )

    choices = [
        itertools.combinations(eligible[p], min(needs[p], len(eligible[p])))
        for p in proposals
    ]
    best = min(
        _bid_objective(plan, loads, fit, bids)
        for combo in itertools.product(*choices)
        for plan in [
            [(p, r) for p, rs in zip(proposals, combo, strict=True) for r in rs]
        ]
    )
    assert _bid_objective(pairs, loads, fit, bids) == best


def test_linear_programme_loads_a_reviewer_far_above_the_fair_share_when_needed():
    """Reviewer 100 alone may review proposals 1–30: far more than the levels
    the programme starts them with."""
    rng = random.Random(3)
    instance = _large_instance(rng, proposals=40, reviewers=8)
    for p in range(1, 31):
        instance["eligible"][p] = [100]
        instance["fit"][p, 100] = 0

    flow = balanced_assignment(**instance, method="flow")
    lp = balanced_assignment(**instance, method="lp")

    assert Counter(r for _p, r in lp)[100] >= 30
    assert _criteria(lp, instance) == _criteria(flow, instance)


def test_linear_programme_places_nothing_without_eligible_reviewers():
    pairs = balanced_assignment(
        needs={1: 2, 2: 1}, eligible={1: [], 2: [10]}, method="lp"
    )

    assert pairs == [(2, 10)]


def test_large_calls_are_planned_by_the_linear_programme():
    rng = random.Random(11)
    instance = _large_instance(rng, proposals=400, reviewers=20, eligibility=0.9)
    assert sum(map(len, instance["eligible"].values())) >= LP_MIN_PAIRS

    assert balanced_assignment(**instance) == balanced_assignment(
        **instance, method="lp"
    )


def test_balanced_assignment_refuses_an_unknown_method():
    with pytest.raises(ValueError, match="simplex"):
        balanced_assignment(needs={1: 1}, eligible={1: [10]}, method="simplex")
