"""seed_demo's proposals (proposals/seed.py) and call in review (reviews/seed.py).

The demonstration data is seeded once for the module, inside a transaction rolled
back at its end (seeding takes a few seconds); each test runs in a savepoint of
its own on top of it, so the reruns of one test do not reach the next.
"""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone, translation

from accounts.models import User
from catalogue.enums import OpportunityStatus
from catalogue.models import Contact, Opportunity
from notifications.models import OutboundEmail
from proposals.checklist import completeness, resource_findings
from proposals.enums import ProposalStage, ProposalStatus, Severity
from proposals.models import (
    Proposal,
    ProposalDocument,
    ProposalVersion,
    TeamMember,
)
from reviews.enums import AssignmentStatus, ReviewStatus
from reviews.models import Decision, Review, ReviewAssignment, ReviewerProfile

REVIEW_CALL = "demo-chang-e-8-payloads-in-review"
CNSA_CONTACTS = ["gany@cnsa.gov.cn", "dongsh@cnsa.gov.cn"]
RESEARCHER6 = "researcher6@example.org"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_catalogue then seed_demo, on-commit callbacks run (the emails sent).
    Yields the output of seed_demo and the emails sent."""
    with django_db_blocker.unblock(), transaction.atomic():
        mail.outbox = []
        with (
            translation.override("en"),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            call_command("seed_catalogue", stdout=io.StringIO())
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
        yield {"output": out.getvalue(), "sent": list(mail.outbox)}
        transaction.set_rollback(True)


def _seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _mine(slug: str) -> Proposal:
    return Proposal.objects.get(
        opportunity__slug=slug, principal_investigator__email="researcher1@example.org"
    )


def _counts() -> dict:
    models = [
        Proposal,
        ProposalVersion,
        ProposalDocument,
        TeamMember,
        ReviewAssignment,
        Review,
        ReviewerProfile,
        Decision,
        User,
        Opportunity,
        Contact,
        OutboundEmail,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _reviewer_assignments(email: str):
    return ReviewAssignment.objects.filter(
        proposal__opportunity__slug=REVIEW_CALL, reviewer__email=email
    ).select_related("review")


# --- researcher1's proposals -----------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_gives_researcher1_a_proposal_in_each_state(seeded):
    proposals = {
        slug: _mine(slug)
        for slug in (
            "demo-chang-e-7-payloads",
            "demo-chang-e-6-payloads",
            "demo-tianwen-2-payloads",
            "demo-china-space-station-experiments",
        )
    }

    states = {
        slug: (p.stage, p.status, p.versions.count()) for slug, p in proposals.items()
    }

    assert states == {
        "demo-chang-e-7-payloads": (ProposalStage.FULL, ProposalStatus.DRAFT, 0),
        "demo-chang-e-6-payloads": (ProposalStage.FULL, ProposalStatus.SUBMITTED, 1),
        "demo-tianwen-2-payloads": (ProposalStage.FULL, ProposalStatus.WITHDRAWN, 1),
        "demo-china-space-station-experiments": (
            ProposalStage.LETTER_OF_INTENT,
            ProposalStatus.SUBMITTED,
            1,
        ),
    }
    assert proposals["demo-chang-e-6-payloads"].reference.startswith("CE6-")
    assert proposals["demo-tianwen-2-payloads"].reference.startswith("TW2-")
    assert proposals["demo-china-space-station-experiments"].reference.startswith(
        "CSS-"
    )
    assert proposals["demo-chang-e-7-payloads"].reference == ""


@pytest.mark.django_db
def test_seed_demo_researcher2_is_a_confirmed_co_investigator_everywhere(seeded):
    members = TeamMember.objects.filter(
        proposal__principal_investigator__email="researcher1@example.org"
    ).select_related("user")

    team = {(m.user.email, m.role, m.is_confirmed) for m in members}

    assert members.count() == 5  # four open calls and the call in review
    assert team == {("researcher2@example.org", "co_investigator", True)}


@pytest.mark.django_db
def test_seed_demo_draft_shows_what_is_left_and_the_power_warning(seeded):
    draft = _mine("demo-chang-e-7-payloads")

    left = [item.label for item in completeness(draft) if not item.done]
    findings = [(f.field, f.severity) for f in resource_findings(draft)]

    assert left == [
        "Technical annex",
        "Endorsement letter from the national space agency",
    ]
    assert findings == [("power_peak_w", Severity.WARNING)]


@pytest.mark.django_db
def test_seed_demo_submitted_version_holds_real_pdfs(seeded):
    version = _mine("demo-chang-e-6-payloads").versions.get()

    documents = list(version.documents.order_by("required_document__order"))

    assert version.reference == _mine("demo-chang-e-6-payloads").reference
    assert [d.page_count for d in documents] == [1, 1, 1]
    assert [d.file.read(5) for d in documents] == [b"%PDF-"] * 3


# --- the call in review ----------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_review_call_is_closed_with_proposals_submitted_in_time(seeded):
    call = Opportunity.objects.get(slug=REVIEW_CALL)
    proposals = list(call.proposals.prefetch_related("versions"))

    times = [v.submitted_at for p in proposals for v in p.versions.all()]

    assert (call.is_demo, call.status) == (True, OpportunityStatus.CLOSED)
    assert call.proposal_deadline < timezone.now()
    assert len(proposals) == 6
    assert {p.status for p in proposals} == {ProposalStatus.UNDER_REVIEW}
    assert len(times) == 6
    assert all(call.opens_at <= moment < call.proposal_deadline for moment in times)
    assert len({p.principal_investigator_id for p in proposals}) == 6


@pytest.mark.django_db
def test_seed_demo_reviewer1_has_six_pending_assignments(seeded):
    assignments = list(_reviewer_assignments("reviewer1@example.org"))

    statuses = sorted(a.status for a in assignments)
    submitted = Review.objects.filter(
        assignment__in=assignments, status=ReviewStatus.SUBMITTED
    ).count()

    assert statuses == [AssignmentStatus.ACCEPTED] + [AssignmentStatus.INVITED] * 5
    assert submitted == 0
    assert all(a.due_at > timezone.now() + timedelta(days=7) for a in assignments)


@pytest.mark.django_db
def test_seed_demo_reviewer2_submitted_five_reviews_and_one_is_pending(seeded):
    assignments = list(_reviewer_assignments("reviewer2@example.org"))

    reviews = Review.objects.filter(assignment__in=assignments)
    submitted = reviews.filter(status=ReviewStatus.SUBMITTED)
    scored = {review.scores.count() for review in submitted}

    assert len(assignments) == 6
    assert submitted.count() == 5
    assert scored == {3}
    assert sorted(a.status for a in assignments) == (
        [AssignmentStatus.ACCEPTED] * 5 + [AssignmentStatus.INVITED]
    )


@pytest.mark.django_db
def test_seed_demo_reviewers_have_expertise_and_no_decision_is_recorded(seeded):
    expertise = dict(ReviewerProfile.objects.values_list("user__email", "expertise"))

    assert sorted(expertise) == ["reviewer1@example.org", "reviewer2@example.org"]
    assert all(len(text.split(",")) >= 5 for text in expertise.values())
    # No decision in the call in review; the decided demo calls (payloads/seed/)
    # have theirs.
    assert (
        Decision.objects.filter(
            proposal__opportunity__slug="demo-chang-e-8-payloads-in-review"
        ).count()
        == 0
    )


@pytest.mark.django_db
def test_seed_demo_creates_four_more_verified_researchers(seeded):
    extra = User.objects.filter(
        email__in=[f"researcher{n}@example.org" for n in range(3, 7)]
    )

    assert sorted(u.country.code for u in extra) == ["EG", "IT", "PK", "TH"]
    assert [u.check_password("ao-portal-demo-2026") for u in extra] == [True] * 4
    assert {u.emailaddress_set.get().verified for u in extra} == {True}


@pytest.mark.django_db
def test_seed_demo_prints_one_summary_per_step(seeded):
    lines = seeded["output"].splitlines()

    assert "Password: ao-portal-demo-2026" in lines
    assert lines.count("Demo accounts:") == 1
    assert sum(line.startswith("Demonstration proposals of ") for line in lines) == 1
    assert sum(line.startswith("Demonstration call in review: ") for line in lines) == 1
    assert "  reviewer1@example.org: 0 reviews submitted, 6 to do" in lines
    assert "  reviewer2@example.org: 5 reviews submitted, 1 to do" in lines


# --- emails ----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_emails_no_real_cnsa_contact(seeded):
    recipients = {address for message in seeded["sent"] for address in message.to}
    outbox = set(OutboundEmail.objects.values_list("to_email", flat=True))

    assert len(seeded["sent"]) > 0
    assert "contact@example.org" in recipients
    assert [a for a in recipients | outbox if a.endswith("cnsa.gov.cn")] == []


@pytest.mark.django_db
def test_seed_demo_takes_the_real_contacts_off_demo_calls(seeded):
    demo = Opportunity.objects.get(slug="demo-chang-e-6-payloads")
    demo.contacts.add(*Contact.objects.filter(email__in=CNSA_CONTACTS))

    _seed_demo()

    contacts = Opportunity.contacts.through.objects.filter(
        opportunity__is_demo=True
    ).values_list("contact__email", flat=True)
    assert set(contacts) == {"contact@example.org"}


# --- running it again ------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_twice_creates_no_duplicates(seeded):
    before = _counts()

    output = _seed_demo()

    assert _counts() == before
    assert "  6 proposals (0 created now): " in output


@pytest.mark.django_db
def test_seed_demo_days_later_moves_the_dates_and_keeps_the_reviews(
    seeded, monkeypatch
):
    before = _counts()
    later = timezone.now() + timedelta(days=20)
    monkeypatch.setattr(timezone, "now", lambda: later)

    _seed_demo()

    call = Opportunity.objects.get(slug=REVIEW_CALL)
    pending = ReviewAssignment.objects.filter(
        proposal__opportunity=call, status__in=["invited", "accepted"]
    ).exclude(review__status=ReviewStatus.SUBMITTED)
    assert _counts() == before
    assert call.status == OpportunityStatus.CLOSED
    assert timezone.localtime(call.proposal_deadline).date() == (
        timezone.localdate(later) - timedelta(days=3)
    )
    assert pending.count() == 7
    assert all(a.due_at >= later + timedelta(days=20) for a in pending)


@pytest.mark.django_db
def test_seed_demo_adds_a_new_proposal_to_the_closed_call_and_closes_it(seeded):
    # As if the seed had gained a proposal: one of the call's is no longer found.
    call = Opportunity.objects.get(slug=REVIEW_CALL)
    renamed = call.proposals.filter(principal_investigator__email=RESEARCHER6)
    renamed.update(title="Renamed since the seed")

    _seed_demo()

    call.refresh_from_db()
    added = call.proposals.exclude(title="Renamed since the seed").get(
        principal_investigator__email=RESEARCHER6
    )
    assert call.status == OpportunityStatus.CLOSED
    assert call.proposals.count() == 7
    assert added.status == ProposalStatus.UNDER_REVIEW
    assert added.versions.get().submitted_at < call.proposal_deadline
    assert added.review_assignments.count() == 2
