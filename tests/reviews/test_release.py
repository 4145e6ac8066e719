"""Releasing a call's decisions with reviews outstanding, ending the open
assignments, telling their reviewers, cancelling an assignment, and the
consensus report reaching the team."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.html import escape

from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from proposals.enums import ProposalStage, ProposalStatus
from reviews import services
from reviews.models import AssignmentEvent, Decision, ReviewAssignment
from reviews.selectors import decision_for_proposer
from reviews.services import DecisionRefused
from reviews.services.deciding import first_release_problems
from tests.factories import (
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
    make_review_administrator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return make_review_administrator()


def _reviewer(**kwargs):
    return ReviewerFactory(is_staff=False, **kwargs)


def _call(**kwargs):
    opportunity = OpportunityFactory(closed=True, dual_anonymous=True, **kwargs)
    opportunity.contacts.add(ContactFactory(email="gany@cnsa.example.org"))
    EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(100))
    return opportunity


def _proposal(opportunity):
    version = ProposalVersionFactory(
        proposal__opportunity=opportunity,
        proposal__status=ProposalStatus.UNDER_REVIEW,
        proposal__principal_investigator=UserFactory(full_name="Dr Amina Haddad"),
    )
    TeamMemberFactory(proposal=version.proposal, name="Prof. Luca Bianchi")
    return version


def _recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def _team(proposal) -> list[str]:
    return [proposal.principal_investigator.email] + [
        member.email for member in proposal.team_members.all()
    ]


@pytest.fixture
def call_with_open_work(administrator):
    """Two decided proposals. Reviewer A: one submitted review and one invited
    assignment; reviewer B: a draft and a reopened review; reviewer C: only
    submitted reviews. 6 assigned, 3 outstanding."""
    opportunity = _call()
    first, second = _proposal(opportunity), _proposal(opportunity)
    a, b, c = _reviewer(), _reviewer(), _reviewer()
    ReviewFactory(assignment__version=first, assignment__reviewer=a, submitted=True)
    ReviewFactory(assignment__version=first, assignment__reviewer=c, submitted=True)
    ReviewFactory(assignment__version=second, assignment__reviewer=c, submitted=True)
    invited = ReviewAssignmentFactory(version=second, reviewer=a)
    draft = ReviewFactory(assignment__version=second, assignment__reviewer=b)
    reopened = ReviewFactory(
        assignment__version=first, assignment__reviewer=b, status="reopened"
    )
    for version in (first, second):
        services.record_decision(
            proposal=version.proposal, outcome="selected", actor=administrator
        )
    return {
        "opportunity": opportunity,
        "proposals": (first.proposal, second.proposal),
        "reviewers": (a, b, c),
        "open": (invited, draft.assignment, reopened.assignment),
    }


def test_outstanding_reviews_counts_the_calls_assigned_reviews(call_with_open_work):
    opportunity = call_with_open_work["opportunity"]
    ReviewAssignment.objects.create(  # ended: does not count
        proposal=call_with_open_work["proposals"][0],
        reviewer=_reviewer(),
        stage=ProposalStage.FULL,
        version=call_with_open_work["proposals"][0].versions.get(),
        due_at=timezone.now(),
        status="declined",
    )

    counts = services.outstanding_reviews(opportunity)

    assert (counts.outstanding, counts.assigned) == (3, 6)


@pytest.mark.parametrize("confirmed", [None, 0, 2, 6])
def test_release_refused_without_the_number_outstanding(
    administrator, call_with_open_work, confirmed
):
    opportunity = call_with_open_work["opportunity"]

    with pytest.raises(DecisionRefused) as refusal:
        services.release_decisions(
            opportunity=opportunity,
            actor=administrator,
            outstanding_confirmed=confirmed,
        )

    assert refusal.value.messages == [
        "3 assigned reviews are still outstanding. Confirm that you release the "
        "decisions without them by giving this number."
    ]
    assert Opportunity.objects.get(pk=opportunity.pk).status == "closed"
    assert not Decision.objects.filter(released_at__isnull=False).exists()
    assert ReviewAssignment.objects.filter(status="cancelled").count() == 0


def test_release_ends_open_assignments_and_tells_each_reviewer_once(
    administrator, call_with_open_work, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = call_with_open_work["opportunity"]
    first, second = call_with_open_work["proposals"]
    a, b, _c = call_with_open_work["reviewers"]
    invited, draft, reopened = call_with_open_work["open"]

    with django_capture_on_commit_callbacks(execute=True):
        services.release_decisions(
            opportunity=opportunity, actor=administrator, outstanding_confirmed=3
        )

    statuses = dict(ReviewAssignment.objects.values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == "cancelled"} == {
        invited.pk,
        draft.pk,
        reopened.pk,
    }
    assert sorted(statuses.values()).count("accepted") == 3
    notes = set(
        AssignmentEvent.objects.filter(to_status="cancelled").values_list(
            "note", flat=True
        )
    )
    assert notes == {"Decisions released."}
    ended = [m for m in mailoutbox if "assignments have ended" in m.subject]
    assert _recipients(ended) == sorted([a.email, b.email])
    # Reviewers, teams, and the call's contact (the summary of the release).
    assert _recipients(mailoutbox) == sorted(
        [a.email, b.email, *_team(first), *_team(second), "gany@cnsa.example.org"]
    )
    to_b = next(m for m in ended if m.to == [b.email])
    assert to_b.subject == (
        f"Decisions released on “{opportunity.title_en}”: your open review "
        "assignments have ended"
    )
    assert f"{first.reference} — {first.title}" in to_b.body
    assert f"{second.reference} — {second.title}" in to_b.body
    to_a = next(m for m in ended if m.to == [a.email])
    assert first.reference not in to_a.body
    content = "".join(m.subject + m.body + m.alternatives[0][0] for m in ended)
    for identity in ("Amina Haddad", "Luca Bianchi", "@university", "@institute"):
        assert identity not in content
    assert Opportunity.objects.get(pk=opportunity.pk).status == (
        OpportunityStatus.DECIDED
    )


def test_release_without_outstanding_reviews_needs_no_confirmation(
    administrator, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = _call()
    version = _proposal(opportunity)
    ReviewFactory(assignment__version=version, submitted=True)
    services.record_decision(
        proposal=version.proposal, outcome="not_selected", actor=administrator
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.release_decisions(opportunity=opportunity, actor=administrator)

    assert _recipients(mailoutbox) == sorted(
        [*_team(version.proposal), "gany@cnsa.example.org"]
    )


def test_release_ends_an_open_letter_stage_assignment_too(
    administrator, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = _call(loi_deadline=timezone.now() - timedelta(days=60))
    version = _proposal(opportunity)
    services.record_decision(
        proposal=version.proposal, outcome="selected", actor=administrator
    )
    letter = ProposalFactory(
        letter=True,
        submitted=True,
        opportunity=opportunity,
        status=ProposalStatus.WITHDRAWN,
    )
    stale = ReviewAssignmentFactory(
        version=ProposalVersionFactory(proposal=letter), reviewer=_reviewer()
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.release_decisions(opportunity=opportunity, actor=administrator)

    assert ReviewAssignment.objects.get(pk=stale.pk).status == "cancelled"
    assert [m.to for m in mailoutbox if "have ended" in m.subject] == [
        [stale.reviewer.email]
    ]


# --- cancelling ------------------------------------------------------------------


def test_cancel_assignment_emails_its_reviewer_without_identities(
    administrator, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = _call()
    assignment = ReviewAssignmentFactory(
        version=_proposal(opportunity), reviewer=_reviewer()
    )
    proposal = assignment.proposal

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_assignment(
            assignment=assignment, actor=administrator, reason="Another expert."
        )

    assert _recipients(mailoutbox) == [assignment.reviewer.email]
    [message] = mailoutbox
    assert message.subject == (
        f"[{proposal.reference}] Review assignment cancelled: {proposal.title}"
    )
    assert "Another expert." in message.body
    assert message.reply_to == ["gany@cnsa.example.org"]
    content = message.subject + message.body + message.alternatives[0][0]
    for identity in ("Amina Haddad", "Luca Bianchi", "@university", "@institute"):
        assert identity not in content


# --- the consensus report reaches the team ---------------------------------------


def test_consensus_reaches_the_team_with_the_decision_only(
    administrator, client, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = _call()
    version = _proposal(opportunity)
    review = ReviewFactory(
        assignment__version=version,
        assignment__reviewer=_reviewer(),
        submitted=True,
        comments_for_proposer="Clarify the night-time power.",
    )
    proposal = version.proposal
    services.designate_primary_reviewer(
        proposal=proposal, reviewer=review.assignment.reviewer, actor=administrator
    )
    services.write_consensus(
        proposal=proposal,
        body="The panel praises the science & asks for <thermal> margins.",
        actor=review.assignment.reviewer,
    )
    services.record_decision(proposal=proposal, outcome="selected", actor=administrator)
    pi = proposal.principal_investigator
    client.force_login(pi)

    before = decision_for_proposer(user=pi, proposal=proposal)
    page_before = client.get(proposal.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.release_decisions(opportunity=opportunity, actor=administrator)
    after = decision_for_proposer(user=pi, proposal=proposal)
    page_after = client.get(proposal.get_absolute_url()).content.decode()

    body = "The panel praises the science & asks for <thermal> margins."
    assert before is None
    assert "consensus" not in page_before
    assert (after.consensus, after.comments) == (
        body,
        ("Clarify the night-time power.",),
    )
    assert "s consensus report</h3>" in page_after
    assert escape(body) in page_after
    # The team, and the call's contact (the release's summary, no consensus).
    assert _recipients(mailoutbox) == sorted(
        [*_team(proposal), "gany@cnsa.example.org"]
    )
    message = next(m for m in mailoutbox if m.to == [pi.email])
    assert f"Panel's consensus report\n{body}" in message.body
    assert escape(body) in message.alternatives[0][0]
    assert decision_for_proposer(
        user=review.assignment.reviewer, proposal=proposal
    ) is (None)


def test_write_consensus_refused_once_released(administrator):
    opportunity = _call()
    version = _proposal(opportunity)
    ReviewFactory(assignment__version=version, submitted=True)
    services.record_decision(
        proposal=version.proposal, outcome="selected", actor=administrator
    )
    services.release_decisions(opportunity=opportunity, actor=administrator)

    with pytest.raises(services.DiscussionRefused):
        services.write_consensus(
            proposal=version.proposal, body="Too late.", actor=administrator
        )


def test_deciding_a_letter_tells_the_reviewers_whose_assignment_ends(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = _call(loi_deadline=timezone.now() - timedelta(days=30))
    letter = ProposalFactory(
        letter=True,
        submitted=True,
        opportunity=opportunity,
        status=ProposalStatus.UNDER_REVIEW,
    )
    version = ProposalVersionFactory(proposal=letter)
    ReviewFactory(assignment__version=version, submitted=True)  # done: kept
    waiting = ReviewAssignmentFactory(version=version, reviewer=_reviewer())

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_letter(proposal=letter, shortlist=True, actor=admin_user)

    cancelled = [m for m in mailoutbox if "assignment cancelled" in m.subject]
    assert _recipients(cancelled) == [waiting.reviewer.email]
    assert "The letter of intent was shortlisted." in cancelled[0].body


def test_release_problems_name_every_proposal_holding_the_release_by_reference(
    administrator,
):
    opportunity = _call()
    undecided = [_proposal(opportunity).proposal for _ in range(3)]
    letter = ProposalFactory(
        letter=True,
        submitted=True,
        opportunity=opportunity,
        status=ProposalStatus.UNDER_REVIEW,
    )
    decided = _proposal(opportunity).proposal
    services.record_decision(proposal=decided, outcome="selected", actor=administrator)

    problems = services.release_problems(opportunity)
    first, more = first_release_problems(opportunity, shown=2)

    expected = {
        proposal.reference: f"{proposal.reference} has no decision."
        for proposal in undecided
    }
    expected[letter.reference] = (
        f"{letter.reference} is a letter of intent still to shortlist or decline."
    )
    assert problems == [expected[reference] for reference in sorted(expected)]
    assert (first, more) == (problems[:2], 2)


def test_first_release_problems_of_a_call_not_closed_name_the_call(administrator):
    opportunity = OpportunityFactory(status=OpportunityStatus.PUBLISHED)
    ProposalFactory(submitted=True, opportunity=opportunity)

    first = first_release_problems(opportunity, shown=10)

    assert first == (
        ["Close the call before releasing its decisions (it is published)."],
        0,
    )


def test_first_release_problems_of_a_call_ready_for_release_are_none(
    call_with_open_work,
):
    opportunity = call_with_open_work["opportunity"]

    assert first_release_problems(opportunity, shown=10) == ([], 0)
