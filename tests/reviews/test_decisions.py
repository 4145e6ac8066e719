"""Ranking, statistics, manifest candidates, decisions and their release."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal
from reviews import services
from reviews.manifest import recommend_manifest
from reviews.models import Decision, ReviewAssignment
from reviews.selectors import (
    country_statistics,
    decision_counts,
    decision_for_proposer,
    letter_template_body,
    letters_decided,
    letters_to_decide,
    manifest_candidates,
    proposals_to_decide,
    proposals_without_decision,
    proposer_comments,
    ranking,
)
from reviews.services import DecisionRefused
from tests.factories import (
    CarrierFactory,
    ContactFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _weeks_ago(weeks):
    return timezone.now() - timedelta(weeks=weeks)


def _panel_call(**kwargs):
    """A closed call with two criteria weighted 60 and 40."""
    opportunity = OpportunityFactory(closed=True, **kwargs)
    science = EvaluationCriterionFactory(
        opportunity=opportunity, name_en="Scientific value", weight=Decimal(60)
    )
    feasibility = EvaluationCriterionFactory(
        opportunity=opportunity, name_en="Feasibility", weight=Decimal(40)
    )
    return opportunity, science, feasibility


def _reviewed(opportunity, *score_pairs, country="FR", **proposal):
    """A proposal under review with one submitted review per (science,
    feasibility) pair."""
    criteria = list(opportunity.criteria.order_by("pk"))
    version = ProposalVersionFactory(
        proposal__opportunity=opportunity,
        proposal__status=ProposalStatus.UNDER_REVIEW,
        proposal__principal_investigator=UserFactory(country=country),
        **{f"proposal__{k}": v for k, v in proposal.items()},
    )
    for science, feasibility in score_pairs:
        ReviewFactory(
            assignment__version=version,
            submitted=True,
            scores={criteria[0]: science, criteria[1]: feasibility},
        )
    return version.proposal


# --- ranking --------------------------------------------------------------------


def test_ranking_orders_by_weighted_mean_with_counts():
    opportunity, *_criteria = _panel_call()
    low = _reviewed(opportunity, (2, 3), (3, 3))
    high = _reviewed(opportunity, (5, 4), (4, 4))
    waiting = _reviewed(opportunity, (4, 4))
    ReviewAssignmentFactory(version=waiting.versions.get())  # invited, no review yet

    rows = ranking(opportunity=opportunity)

    assert [(row.proposal, row.rank, row.mean) for row in rows] == [
        (high, 1, Decimal("4.30")),
        (waiting, 2, Decimal("4.00")),
        (low, 3, Decimal("2.70")),
    ]
    assert [(row.reviews_submitted, row.reviews_assigned) for row in rows] == [
        (2, 2),
        (1, 2),
        (2, 2),
    ]
    assert rows[0].recommendations == (("select", 2),)


def test_ranking_ignores_reviews_of_ended_assignments_and_drafts():
    opportunity, *_criteria = _panel_call()
    proposal = _reviewed(opportunity, (5, 5), (1, 1))
    cancelled = ReviewAssignment.objects.filter(proposal=proposal).order_by("pk").last()
    ReviewAssignment.objects.filter(pk=cancelled.pk).update(status="cancelled")
    ReviewFactory(assignment__version=proposal.versions.get(), scores=1)  # a draft

    [row] = ranking(opportunity=opportunity)

    assert (row.mean, row.reviews_submitted, row.reviews_assigned) == (
        Decimal("5.00"),
        1,
        2,
    )


def test_ranking_flags_disagreement_and_lists_unreviewed_last():
    opportunity, *_criteria = _panel_call()
    split = _reviewed(opportunity, (5, 5), (2, 2))
    unreviewed = _reviewed(opportunity)
    _reviewed(opportunity, (3, 3))

    rows = ranking(opportunity=opportunity)

    by_proposal = {row.proposal: row for row in rows}
    assert by_proposal[split].disagreement is True
    assert by_proposal[split].spread == Decimal("3.00")
    assert rows[-1].proposal == unreviewed
    assert rows[-1].rank is None


def test_ranking_leaves_out_withdrawn_and_other_calls():
    opportunity, *_criteria = _panel_call()
    kept = _reviewed(opportunity, (4, 4))
    ProposalVersionFactory(
        proposal__opportunity=opportunity, proposal__status=ProposalStatus.WITHDRAWN
    )
    other, *_rest = _panel_call()
    _reviewed(other, (5, 5))

    assert [row.proposal for row in ranking(opportunity=opportunity)] == [kept]


@pytest.mark.parametrize("proposal_count", [1, 3, 10])
def test_ranking_query_count_is_constant(django_assert_num_queries, proposal_count):
    opportunity, *_criteria = _panel_call()
    for _ in range(proposal_count):
        _reviewed(opportunity, (4, 3), (5, 2))

    # criteria, proposals (investigator, carrier, decision), assignments (review,
    # version), scores
    with django_assert_num_queries(4):
        rows = ranking(opportunity=opportunity)
    # the statistics read the rows
    with django_assert_num_queries(0):
        statistics = country_statistics(opportunity=opportunity, rows=rows)
    # the candidates are read in SQL (their query count: test_admin_manifest)
    candidates = manifest_candidates(opportunity=opportunity)

    assert [row.reviews_submitted for row in rows] == [2] * proposal_count
    assert statistics.countries[0].proposals == proposal_count
    assert len(candidates.candidates) == proposal_count


def test_ranking_of_the_letter_stage_keeps_shortlisted_letters():
    opportunity, *_criteria = _panel_call(loi_deadline=_weeks_ago(4))
    criteria = list(opportunity.criteria.order_by("pk"))
    letter = ProposalFactory(
        letter=True,
        submitted=True,
        opportunity=opportunity,
        status=ProposalStatus.UNDER_REVIEW,
    )
    version = ProposalVersionFactory(proposal=letter)
    ReviewFactory(
        assignment__version=version,
        submitted=True,
        scores=dict.fromkeys(criteria, 4),
    )
    Proposal.objects.filter(pk=letter.pk).update(
        stage=ProposalStage.FULL, status=ProposalStatus.DRAFT
    )  # shortlisted since

    rows = ranking(opportunity=opportunity, stage=ProposalStage.LETTER_OF_INTENT)

    assert [(row.proposal.pk, row.mean) for row in rows] == [
        (letter.pk, Decimal("4.00"))
    ]
    assert ranking(opportunity=opportunity) == []


def test_letters_decided_lists_the_shortlisted_and_declined_letters_by_reference():
    opportunity, *_criteria = _panel_call(loi_deadline=_weeks_ago(4))
    shortlisted, declined, waiting = (
        ProposalFactory(
            letter=True,
            submitted=True,
            opportunity=opportunity,
            status=ProposalStatus.UNDER_REVIEW,
        )
        for _ in range(3)
    )
    ReviewAssignmentFactory(version=ProposalVersionFactory(proposal=shortlisted))
    Proposal.objects.filter(pk=shortlisted.pk).update(
        stage=ProposalStage.FULL, status=ProposalStatus.DRAFT
    )
    Proposal.objects.filter(pk=declined.pk).update(status=ProposalStatus.DECLINED)

    decided = list(letters_decided(opportunity=opportunity))
    to_decide = list(letters_to_decide(opportunity=opportunity))

    assert decided == sorted([shortlisted, declined], key=lambda p: p.reference)
    assert to_decide == [waiting]


def test_decision_counts_count_the_decisions_pages_proposals_by_outcome(admin_user):
    opportunity, *_criteria = _panel_call()
    selected, rejected, undecided = (_reviewed(opportunity, (4, 4)) for _ in range(3))
    services.record_decision(proposal=selected, outcome="selected", actor=admin_user)
    services.record_decision(
        proposal=rejected, outcome="not_selected", actor=admin_user
    )
    ProposalFactory(
        letter=True,
        submitted=True,
        opportunity=opportunity,
        status=ProposalStatus.UNDER_REVIEW,
    )
    withdrawn = _reviewed(opportunity, (5, 5))
    Proposal.objects.filter(pk=withdrawn.pk).update(status=ProposalStatus.WITHDRAWN)
    ProposalFactory(opportunity=opportunity)  # a draft

    counts = decision_counts(opportunity=opportunity)

    assert counts == {"selected": 1, "not_selected": 1, "": 1}
    assert sorted(proposals_to_decide(opportunity=opportunity), key=str) == sorted(
        [selected, rejected, undecided], key=str
    )


def test_country_statistics_count_selections_by_country_and_region():
    opportunity, *_criteria = _panel_call()
    chosen = _reviewed(opportunity, (5, 5), country="EG")
    _reviewed(opportunity, (3, 3), country="EG")
    _reviewed(opportunity, (4, 4), country="IT")
    Decision.objects.create(
        proposal=chosen, outcome="selected", letter="x", decided_at=chosen.created_at
    )

    statistics = country_statistics(opportunity=opportunity)

    assert [(t.key, t.proposals, t.selected) for t in statistics.countries] == [
        ("EG", 2, 1),
        ("IT", 1, 0),
    ]
    assert [(t.key, t.proposals, t.selected) for t in statistics.regions] == [
        ("africa", 2, 1),
        ("americas", 0, 0),
        ("asia", 0, 0),
        ("europe", 1, 0),
        ("oceania", 0, 0),
    ]


def test_manifest_candidates_read_the_reviewed_snapshot():
    opportunity, *_criteria = _panel_call()
    lander = CarrierFactory(opportunity=opportunity, total_mass_kg=Decimal(10))
    proposal = _reviewed(
        opportunity,
        (5, 5),
        country="EG",
        complete=True,
        carrier=lander,
        mass_kg=Decimal("4.500"),
    )
    unscored = _reviewed(opportunity)
    Proposal.objects.filter(pk=proposal.pk).update(mass_kg=Decimal(9))  # live change

    found = manifest_candidates(opportunity=opportunity)

    [candidate] = found.candidates
    assert (
        candidate.id,
        candidate.score,
        candidate.carrier_id,
        candidate.country,
        candidate.mass_kg,
        candidate.power_w,
        candidate.data_mb_per_day,
        candidate.label,
    ) == (
        proposal.pk,
        5.0,
        lander.pk,
        "EG",
        Decimal("4.500"),
        Decimal("8.0"),
        Decimal("50.0"),
        proposal.reference,
    )
    assert [(e.carrier_id, e.mass_kg) for e in found.envelopes] == [
        (carrier.pk, carrier.total_mass_kg) for carrier in opportunity.carriers.all()
    ]
    assert found.envelopes[0].carrier_id == lander.pk
    assert found.unscored == (unscored,)
    manifest = recommend_manifest(
        candidates=found.candidates, envelopes=found.envelopes
    )
    assert manifest.selected == (proposal.pk,)


# --- letters and decisions ------------------------------------------------------


def test_render_letter_fills_the_placeholders():
    proposal = ProposalFactory(
        submitted=True,
        title="Radon monitor",
        principal_investigator=UserFactory(full_name="Dr Amina Haddad"),
    )

    letter = services.render_letter(
        "{pi_name}: {title} ({reference}) in {call}. {conditions} {unknown}",
        proposal=proposal,
        conditions="Reduce mass.",
    )

    assert letter == (
        f"Dr Amina Haddad: Radon monitor ({proposal.reference}) in "
        f"{proposal.opportunity.title_en}. Reduce mass. {{unknown}}"
    )


def test_render_letter_names_the_call_in_the_investigators_language():
    proposal = ProposalFactory(
        submitted=True, principal_investigator=UserFactory(chinese=True)
    )

    assert services.render_letter("{call}", proposal=proposal) == (
        proposal.opportunity.title_zh_hans
    )


def test_record_decision_uses_the_default_letter():
    opportunity, *_criteria = _panel_call()
    proposal = _reviewed(opportunity, (4, 4))
    admin = UserFactory(superuser=True)

    decision = services.record_decision(
        proposal=proposal, outcome="not_selected", actor=admin
    )

    assert decision.letter.startswith(
        f"Dear {proposal.principal_investigator.get_full_name()},\n\nThank you for "
        f"your proposal “{proposal.title}” ({proposal.reference})"
    )
    assert decision.decided_by == admin
    assert decision.released_at is None


def test_record_decision_uses_the_calls_own_template(admin_user):
    opportunity, *_criteria = _panel_call()
    proposal = _reviewed(opportunity, (4, 4))
    services.set_letter_template(
        opportunity=opportunity,
        outcome="conditionally_selected",
        body="{reference}: selected if {conditions}",
        actor=admin_user,
    )

    decision = services.record_decision(
        proposal=proposal,
        outcome="conditionally_selected",
        conditions="the mass drops to 4 kg",
        actor=admin_user,
    )

    assert (
        decision.letter == f"{proposal.reference}: selected if the mass drops to 4 kg"
    )
    assert (
        letter_template_body(opportunity=opportunity, outcome="conditionally_selected")
        == "{reference}: selected if {conditions}"
    )


def test_set_letter_template_with_an_empty_body_restores_the_default(admin_user):
    opportunity, *_criteria = _panel_call()
    services.set_letter_template(
        opportunity=opportunity, outcome="selected", body="Custom", actor=admin_user
    )

    services.set_letter_template(
        opportunity=opportunity, outcome="selected", body=" ", actor=admin_user
    )

    assert letter_template_body(opportunity=opportunity, outcome="selected") == (
        services.default_letter_body("selected", language="en")
    )


def test_set_letter_template_is_for_administrators():
    with pytest.raises(PermissionDenied):
        services.set_letter_template(
            opportunity=OpportunityFactory(),
            outcome="selected",
            body="x",
            actor=ReviewerFactory(),
        )


def test_conditional_selection_needs_conditions(admin_user):
    opportunity, *_criteria = _panel_call()
    proposal = _reviewed(opportunity, (4, 4))

    with pytest.raises(ValidationError) as error:
        services.record_decision(
            proposal=proposal, outcome="conditionally_selected", actor=admin_user
        )

    assert error.value.message_dict == {
        "conditions": ["A conditional selection states its conditions."]
    }


def test_record_decision_can_change_until_released(admin_user):
    opportunity, *_criteria = _panel_call()
    proposal = _reviewed(opportunity, (4, 4))
    services.record_decision(proposal=proposal, outcome="selected", actor=admin_user)

    services.record_decision(
        proposal=proposal, outcome="not_selected", letter="Sorry.", actor=admin_user
    )

    assert Decision.objects.get().outcome == "not_selected"
    assert Decision.objects.get().letter == "Sorry."


@pytest.mark.parametrize(
    ("proposal_kwargs", "message"),
    [
        (
            {"letter": True, "status": ProposalStatus.UNDER_REVIEW},
            "Letters of intent are shortlisted or declined, not selected.",
        ),
        (
            {"status": ProposalStatus.WITHDRAWN},
            "This proposal is withdrawn and cannot be decided.",
        ),
    ],
)
def test_record_decision_refuses(admin_user, proposal_kwargs, message):
    proposal = ProposalFactory(submitted=True, **proposal_kwargs)

    with pytest.raises(DecisionRefused) as refusal:
        services.record_decision(
            proposal=proposal, outcome="selected", actor=admin_user
        )

    assert refusal.value.messages == [message]


def test_record_decision_is_for_administrators():
    opportunity, *_criteria = _panel_call()
    proposal = _reviewed(opportunity, (4, 4))

    with pytest.raises(PermissionDenied):
        services.record_decision(
            proposal=proposal, outcome="selected", actor=ReviewerFactory()
        )


# --- release --------------------------------------------------------------------


def _decided_call(admin_user):
    """Two reviewed proposals, one selected and one not, with a team each."""
    opportunity, *_criteria = _panel_call()
    selected = _reviewed(opportunity, (5, 5), (4, 4))
    rejected = _reviewed(opportunity, (2, 2))
    for proposal in (selected, rejected):
        TeamMemberFactory(proposal=proposal)
    reviews = list(
        ReviewAssignment.objects.filter(proposal=selected)
        .order_by("pk")
        .select_related("review", "reviewer")
    )
    for number, assignment in enumerate(reviews, start=1):
        review = assignment.review
        review.comments_for_proposer = f"Public comment {number}."
        review.confidential_comments = f"Secret remark {number}."
        review.save()
    services.record_decision(proposal=selected, outcome="selected", actor=admin_user)
    services.record_decision(
        proposal=rejected, outcome="not_selected", actor=admin_user
    )
    return opportunity, selected, rejected, [a.reviewer for a in reviews]


def _team(proposal) -> list[str]:
    return sorted(
        [proposal.principal_investigator.email]
        + [member.email for member in proposal.team_members.all()]
    )


def test_release_decisions_moves_every_proposal_and_closes_the_call(admin_user):
    opportunity, selected, rejected, _reviewers = _decided_call(admin_user)

    released = services.release_decisions(opportunity=opportunity, actor=admin_user)

    assert [d.proposal for d in released] == sorted(
        [selected, rejected], key=lambda p: p.reference
    )
    assert Proposal.objects.get(pk=selected.pk).status == ProposalStatus.SELECTED
    assert Proposal.objects.get(pk=rejected.pk).status == ProposalStatus.NOT_SELECTED
    assert (
        Opportunity.objects.get(pk=opportunity.pk).status == OpportunityStatus.DECIDED
    )
    assert all(
        d.released_at and d.released_by == admin_user for d in Decision.objects.all()
    )


def test_release_emails_each_team_its_letter_and_public_comments_only(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity, selected, rejected, reviewers = _decided_call(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.release_decisions(opportunity=opportunity, actor=admin_user)

    assert sorted(a for m in mailoutbox for a in m.to) == sorted(
        _team(selected) + _team(rejected)
    )
    to_selected = [m for m in mailoutbox if m.to[0] in _team(selected)]
    assert len(to_selected) == len(_team(selected))
    for message in to_selected:
        content = message.subject + message.body + message.alternatives[0][0]
        assert message.subject == (
            f"[{selected.reference}] Decision on your proposal: {selected.title}"
        )
        assert "Decision: Selected" in message.body
        assert "Public comment 1." in content
        assert "Public comment 2." in content
        assert "Reviewer 1" in message.body
        assert "Secret remark" not in content
        for reviewer in reviewers:
            assert reviewer.get_full_name() not in content
            assert reviewer.email not in content


def test_release_refuses_while_a_proposal_has_no_decision(admin_user):
    opportunity, selected, _rejected, _reviewers = _decided_call(admin_user)
    undecided = _reviewed(opportunity, (3, 3))
    letter = ProposalFactory(
        letter=True,
        submitted=True,
        opportunity=opportunity,
        status=ProposalStatus.UNDER_REVIEW,
    )

    with pytest.raises(DecisionRefused) as refusal:
        services.release_decisions(opportunity=opportunity, actor=admin_user)

    assert sorted(refusal.value.messages) == sorted(
        [
            f"{undecided.reference} has no decision.",
            f"{letter.reference} is a letter of intent still to shortlist or decline.",
        ]
    )
    assert list(proposals_without_decision(opportunity=opportunity)) == sorted(
        [undecided, letter], key=lambda p: p.reference
    )
    assert Proposal.objects.get(pk=selected.pk).status == ProposalStatus.UNDER_REVIEW
    assert not Decision.objects.filter(released_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            "published",
            "Close the call before releasing its decisions (it is published).",
        ),
        ("decided", "The decisions of this call have been released already."),
    ],
)
def test_release_refuses_a_call_not_closed(admin_user, status, message):
    opportunity = OpportunityFactory(status=status)

    with pytest.raises(DecisionRefused) as refusal:
        services.release_decisions(opportunity=opportunity, actor=admin_user)

    assert refusal.value.messages == [message]


def test_release_is_for_administrators():
    opportunity = OpportunityFactory(closed=True)

    with pytest.raises(PermissionDenied):
        services.release_decisions(opportunity=opportunity, actor=ReviewerFactory())

    assert Opportunity.objects.get(pk=opportunity.pk).status == "closed"


def test_release_moves_a_never_reviewed_proposal_through_review(admin_user):
    opportunity, *_criteria = _panel_call()
    proposal = ProposalVersionFactory(proposal__opportunity=opportunity).proposal
    services.record_decision(
        proposal=proposal, outcome="not_selected", actor=admin_user
    )

    services.release_decisions(opportunity=opportunity, actor=admin_user)

    statuses = list(proposal.events.values_list("to_status", flat=True))
    assert statuses == ["under_review", "not_selected"]


def test_record_decision_refused_after_release(admin_user):
    opportunity, selected, _rejected, _reviewers = _decided_call(admin_user)
    services.release_decisions(opportunity=opportunity, actor=admin_user)

    with pytest.raises(DecisionRefused):
        services.record_decision(
            proposal=selected, outcome="not_selected", actor=admin_user
        )


def test_proposer_sees_the_decision_only_once_released(admin_user):
    opportunity, selected, _rejected, reviewers = _decided_call(admin_user)
    pi = selected.principal_investigator

    before = decision_for_proposer(user=pi, proposal=selected)
    services.release_decisions(opportunity=opportunity, actor=admin_user)
    after = decision_for_proposer(user=pi, proposal=selected)

    assert before is None
    assert (after.outcome, after.outcome_label, after.comments) == (
        "selected",
        "Selected",
        ("Public comment 1.", "Public comment 2."),
    )
    assert decision_for_proposer(user=UserFactory(), proposal=selected) is None
    assert decision_for_proposer(user=reviewers[0], proposal=selected) is None


def test_proposer_comments_leave_out_empty_and_uncounted_reviews():
    opportunity, *_criteria = _panel_call()
    proposal = _reviewed(opportunity, (4, 4))
    ReviewFactory(
        assignment__version=proposal.versions.get(),
        comments_for_proposer="Draft words.",
    )
    ended = ReviewFactory(
        assignment__version=proposal.versions.get(),
        submitted=True,
        comments_for_proposer="From a conflict.",
    )
    ReviewAssignment.objects.filter(pk=ended.assignment_id).update(
        status="conflict", conflict_reason="x"
    )

    assert proposer_comments(proposal=proposal) == [
        "A clear case; the thermal design needs detail."
    ]


def test_decide_letter_shortlists_and_ends_unfinished_letter_reviews(admin_user):
    opportunity = OpportunityFactory(closed=True, loi_deadline=_weeks_ago(4))
    letter = ProposalFactory(
        letter=True,
        submitted=True,
        opportunity=opportunity,
        status=ProposalStatus.UNDER_REVIEW,
    )
    version = ProposalVersionFactory(proposal=letter)
    done = ReviewFactory(assignment__version=version, submitted=True).assignment
    waiting = ReviewAssignmentFactory(version=version)
    drafting = ReviewFactory(assignment__version=version).assignment

    services.decide_letter(proposal=letter, shortlist=True, actor=admin_user)

    stored = Proposal.objects.get(pk=letter.pk)
    assert (stored.stage, stored.status) == (ProposalStage.FULL, ProposalStatus.DRAFT)
    statuses = dict(ReviewAssignment.objects.values_list("pk", "status"))
    assert statuses == {
        done.pk: "accepted",
        waiting.pk: "cancelled",
        drafting.pk: "cancelled",
    }


def test_the_whole_review_through_the_services_alone(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    """Assign, answer, score, rank, decide and release with the services only."""
    opportunity, science, feasibility = _panel_call(reviewers_per_proposal=2)
    opportunity.contacts.add(ContactFactory())
    proposals = [
        ProposalVersionFactory(proposal__opportunity=opportunity).proposal
        for _ in range(2)
    ]
    reviewers = [ReviewerFactory(expertise="radon") for _ in range(3)]
    from reviews.assignment import plan_assignments  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_assignments(opportunity=opportunity, reviewers=reviewers)
        made = services.apply_plan(
            plan=plan, due=timezone.now() + timedelta(days=10), actor=admin_user
        )
        for number, assignment in enumerate(made):
            services.accept_assignment(assignment=assignment, actor=assignment.reviewer)
            review = ReviewAssignment.objects.get(pk=assignment.pk).review
            services.save_review_draft(
                review=review,
                actor=assignment.reviewer,
                scores={science.pk: 5 - number % 2, feasibility.pk: 4},
                comments_for_proposer=f"Comment {number}.",
                recommendation="select",
            )
            services.submit_review(review=review, actor=assignment.reviewer)
        rows = ranking(opportunity=opportunity)
        best, other = (row.proposal for row in rows)
        services.record_decision(proposal=best, outcome="selected", actor=admin_user)
        services.record_decision(
            proposal=other,
            outcome="conditionally_selected",
            conditions="Lower the mass.",
            actor=admin_user,
        )
        services.release_decisions(opportunity=opportunity, actor=admin_user)

    assert len(made) == 4
    assert sorted(Proposal.objects.values_list("status", flat=True)) == [
        "conditionally_selected",
        "selected",
    ]
    templates = sorted(
        {m.subject.split("]")[-1].split(":")[0].strip() for m in mailoutbox}
    )
    assert templates == [
        "All reviews submitted",
        "Decision on your proposal",
        "Decisions released",  # the summary to the call's contacts
        "Review requested",
    ]
    assert {p.pk for p in proposals} == {best.pk, other.pk}
    assert "Lower the mass." in Decision.objects.get(proposal=other).letter
