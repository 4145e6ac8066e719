from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.previews import render_preview
from reviews import services
from tests.factories import (
    ContactFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
    make_review_administrator,
)

pytestmark = pytest.mark.django_db

REVIEW_TEMPLATES = [
    "review_assigned",
    "review_reopened",
    "review_due_soon",
    "review_overdue",
    "review_conflict_declared",
    "review_all_submitted",
    "review_assignment_cancelled",
    "decision_released",
]


def _recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def _identified_proposal(*, dual_anonymous: bool):
    opportunity = OpportunityFactory(closed=True, dual_anonymous=dual_anonymous)
    opportunity.contacts.add(ContactFactory(email="gany@cnsa.example.org"))
    pi = UserFactory(
        full_name="Dr Amina Haddad",
        email="amina.haddad@narss.sci.eg",
        institution="National Authority for Remote Sensing",
        country="EG",
    )
    version = ProposalVersionFactory(
        proposal__opportunity=opportunity, proposal__principal_investigator=pi
    )
    TeamMemberFactory(
        proposal=version.proposal,
        name="Prof. Luca Bianchi",
        email="luca.bianchi@inaf.it",
        institution="INAF Osservatorio di Roma",
    )
    return version.proposal


IDENTITIES = [
    "Amina Haddad",
    "amina.haddad@narss.sci.eg",
    "National Authority for Remote Sensing",
    "Luca Bianchi",
    "luca.bianchi@inaf.it",
    "INAF",
]


@pytest.mark.parametrize("name", REVIEW_TEMPLATES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_review_templates_render_with_their_samples(name, language):
    preview = render_preview(name=name, language=language)

    assert "CE7-2026-0042" in preview.subject
    assert "{{" not in preview.text + preview.html


# Emails about a call or several proposals: no single reference in the subject.
CALL_TEMPLATES = ["review_assignments_ended", "review_discussion_digest"]


@pytest.mark.parametrize("name", CALL_TEMPLATES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_call_level_review_templates_render_with_their_samples(name, language):
    preview = render_preview(name=name, language=language)

    assert "CE7-2026-0042" in preview.text
    assert "{{" not in preview.subject + preview.text + preview.html


def test_discussion_digest_sample_words_each_author_role():
    preview = render_preview(name="review_discussion_digest", language="en")

    assert preview.subject == "New messages in 2 review discussions"
    assert "3 new messages, from Reviewer 2, CNSA administrators" in preview.text
    assert "1 new message, from Reviewer 1" in preview.text


@pytest.mark.parametrize("dual_anonymous", [True, False])
def test_review_assigned_goes_to_the_reviewer_without_identities(
    admin_user, django_capture_on_commit_callbacks, mailoutbox, dual_anonymous
):
    proposal = _identified_proposal(dual_anonymous=dual_anonymous)
    reviewer = ReviewerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign_reviewer(
            proposal=proposal,
            reviewer=reviewer,
            due=timezone.now() + timedelta(days=14),
            actor=admin_user,
        )

    assert _recipients(mailoutbox) == [reviewer.email]
    [message] = mailoutbox
    assert (
        message.subject == f"[{proposal.reference}] Review requested: {proposal.title}"
    )
    assert f"/reviews/reviewassignment/{assignment.pk}/change/" in message.body
    assert message.reply_to == ["gany@cnsa.example.org"]
    html = message.alternatives[0][0]
    text = message.subject + message.body + html
    assert [identity for identity in IDENTITIES if identity in text] == []


def test_review_assigned_in_the_reviewers_language(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = _identified_proposal(dual_anonymous=False)
    reviewer = ReviewerFactory(chinese=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_reviewer(
            proposal=proposal,
            reviewer=reviewer,
            due=timezone.now() + timedelta(days=14),
            actor=admin_user,
        )

    assert OutboundEmail.objects.get().language == "zh-hans"


def test_conflict_declared_tells_every_administrator_only(
    django_capture_on_commit_callbacks, mailoutbox
):
    superuser = UserFactory(superuser=True)
    grouped = make_review_administrator()
    granted = UserFactory(staff=True)
    granted.user_permissions.add(Permission.objects.get(codename="manage_reviews"))
    UserFactory(superuser=True, is_active=False)
    UserFactory(staff=True)
    assignment = ReviewAssignmentFactory(reviewer__full_name="Prof. Lukas Meier")

    with django_capture_on_commit_callbacks(execute=True):
        services.declare_conflict(
            assignment=assignment,
            actor=assignment.reviewer,
            reason="I co-authored with the investigator.",
        )

    assert _recipients(mailoutbox) == sorted(
        [superuser.email, grouped.email, granted.email]
    )
    message = mailoutbox[0]
    assert message.subject == (
        f"[{assignment.proposal.reference}] Conflict of interest declared by "
        "Prof. Lukas Meier"
    )
    assert "I co-authored with the investigator." in message.body


def _review_ready(assignment, criteria):
    review = assignment.review
    services.save_review_draft(
        review=review,
        actor=assignment.reviewer,
        scores={c.pk: 4 for c in criteria},
        comments_for_proposer="Clear.",
        recommendation="select",
    )
    return review


def test_all_reviews_submitted_tells_the_contacts_once_the_last_is_in(
    django_capture_on_commit_callbacks, mailoutbox
):
    proposal = _identified_proposal(dual_anonymous=False)
    second_contact = ContactFactory(email="dongsh@cnsa.example.org")
    proposal.opportunity.contacts.add(second_contact)
    criteria = [EvaluationCriterionFactory(opportunity=proposal.opportunity)]
    version = proposal.versions.get()
    first = ReviewFactory(assignment__version=version).assignment
    second = ReviewFactory(assignment__version=version).assignment
    ReviewAssignmentFactory(version=version, status="declined")  # does not count

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_review(
            review=_review_ready(first, criteria), actor=first.reviewer
        )
    after_first = list(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_review(
            review=_review_ready(second, criteria), actor=second.reviewer
        )

    assert after_first == []
    assert _recipients(mailoutbox) == [
        "dongsh@cnsa.example.org",
        "gany@cnsa.example.org",
    ]
    assert mailoutbox[0].subject == (
        f"[{proposal.reference}] All reviews submitted: {proposal.title}"
    )
    assert "all 2 reviewers have submitted their reviews" in mailoutbox[0].body


def test_all_reviews_submitted_waits_for_an_invited_reviewer(
    django_capture_on_commit_callbacks, mailoutbox
):
    proposal = _identified_proposal(dual_anonymous=False)
    criteria = [EvaluationCriterionFactory(opportunity=proposal.opportunity)]
    version = proposal.versions.get()
    done = ReviewFactory(assignment__version=version).assignment
    ReviewAssignmentFactory(version=version)  # invited, not answered

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_review(
            review=_review_ready(done, criteria), actor=done.reviewer
        )

    assert mailoutbox == []


def test_resubmitting_a_reopened_review_does_not_announce_again(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = _identified_proposal(dual_anonymous=False)
    criteria = [EvaluationCriterionFactory(opportunity=proposal.opportunity)]
    assignment = ReviewFactory(assignment__version=proposal.versions.get()).assignment
    review = _review_ready(assignment, criteria)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_review(review=review, actor=assignment.reviewer)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_review(review=review, actor=admin_user, reason="Annex B.")
        _review_ready(assignment, criteria)
        services.submit_review(review=review, actor=assignment.reviewer)

    assert _recipients(mailoutbox) == [assignment.reviewer.email]
    assert mailoutbox[0].subject == (
        f"[{proposal.reference}] Your review was reopened: {proposal.title}"
    )
    assert "Annex B." in mailoutbox[0].body


def test_reopening_twice_emails_twice(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    criterion = EvaluationCriterionFactory()
    review = ReviewFactory(
        assignment__version__proposal__opportunity=criterion.opportunity
    )
    assignment = review.assignment

    with django_capture_on_commit_callbacks(execute=True):
        for reason in ("First.", "Second."):
            _review_ready(assignment, [criterion])
            services.submit_review(review=review, actor=assignment.reviewer)
            services.reopen_review(review=review, actor=admin_user, reason=reason)

    reopened = [m for m in mailoutbox if "reopened" in m.subject]
    assert [("First." in m.body, "Second." in m.body) for m in reopened] == [
        (True, False),
        (False, True),
    ]


def test_a_rolled_back_assignment_sends_nothing(admin_user, mailoutbox):
    proposal = _identified_proposal(dual_anonymous=False)
    reviewer = ReviewerFactory(institution=proposal.principal_investigator.institution)

    with pytest.raises(services.AssignmentRefused):
        services.assign_reviewer(
            proposal=proposal,
            reviewer=reviewer,
            due=timezone.now() + timedelta(days=3),
            actor=admin_user,
        )

    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []
