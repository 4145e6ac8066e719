import itertools
import random
import time
from collections import Counter
from decimal import Decimal

import pytest

from reviews.assignment import (
    FIT_SCALE,
    balanced_assignment,
    keyword_fit,
    plan_assignments,
)
from reviews.models import ReviewAssignment
from reviews.selectors import eligible_reviewers
from reviews.services import apply_plan
from tests.factories import (
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

    # proposals, their teams, the assignments, the past conflicts
    with django_assert_num_queries(4):
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
