from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.reminders import send_due_reminders
from reviews import services
from reviews.models import ReviewAssignment
from reviews.reminders import due_review_reminders
from tests.factories import (
    ContactFactory,
    OpportunityFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _templates() -> list[tuple[str, str]]:
    return sorted(OutboundEmail.objects.values_list("template", "to_email"))


def _due_in(**delta):
    return timezone.now() + timedelta(**delta)


def test_due_soon_reminds_the_reviewer_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    assignment = ReviewAssignmentFactory(due_at=_due_in(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        first = send_due_reminders()
        second = send_due_reminders()

    assert (first, second) == (1, 0)
    assert [m.to for m in mailoutbox] == [[assignment.reviewer.email]]
    assert mailoutbox[0].subject == (
        f"[{assignment.proposal.reference}] Review due within 3 days: "
        f"{assignment.proposal.title}"
    )


def test_no_reminder_when_the_due_date_is_far():
    ReviewAssignmentFactory(due_at=_due_in(days=4))

    assert send_due_reminders() == 0


def test_overdue_reminds_once_after_the_due_soon_one():
    assignment = ReviewAssignmentFactory(due_at=_due_in(days=2))
    send_due_reminders()

    later = assignment.due_at + timedelta(hours=1)
    send_due_reminders(now=later)
    send_due_reminders(now=later + timedelta(days=1))

    assert _templates() == [
        ("review_due_soon", assignment.reviewer.email),
        ("review_overdue", assignment.reviewer.email),
    ]


def test_a_draft_review_is_reminded_a_submitted_one_is_not():
    draft = ReviewFactory(assignment__due_at=_due_in(days=1))
    ReviewFactory(assignment__due_at=_due_in(days=1), submitted=True)
    reopened = ReviewFactory(
        assignment__due_at=_due_in(days=1),
        status="reopened",
        submitted_at=timezone.now(),
    )

    send_due_reminders()

    assert _templates() == sorted(
        [
            ("review_due_soon", draft.assignment.reviewer.email),
            ("review_due_soon", reopened.assignment.reviewer.email),
        ]
    )


@pytest.mark.parametrize("status", ["declined", "cancelled", "conflict"])
def test_ended_assignments_are_not_reminded(status):
    ReviewAssignmentFactory(due_at=_due_in(days=1), status=status, conflict_reason="x")

    assert send_due_reminders() == 0


def test_proposals_out_of_review_are_not_reminded():
    ReviewAssignmentFactory(
        due_at=_due_in(days=1), version__proposal__status="not_selected"
    )

    assert send_due_reminders() == 0


def test_a_moved_due_date_reminds_again(admin_user):
    assignment = ReviewAssignmentFactory(due_at=_due_in(days=2))
    send_due_reminders()

    services.change_due_date(
        assignment=assignment, due=_due_in(days=2, hours=12), actor=admin_user
    )
    send_due_reminders()

    assert _templates() == [
        ("review_due_soon", assignment.reviewer.email),
        ("review_due_soon", assignment.reviewer.email),
    ]


def test_reminders_of_a_dual_anonymous_call_name_no_investigator():
    pi = UserFactory(full_name="Dr Amina Haddad", institution="NARSS")
    assignment = ReviewAssignmentFactory(
        due_at=_due_in(days=1),
        version__proposal__principal_investigator=pi,
        version__proposal__opportunity=OpportunityFactory(
            closed=True, dual_anonymous=True
        ),
    )
    assignment.proposal.opportunity.contacts.add(ContactFactory())

    [due] = list(due_review_reminders(timezone.now()))
    send_due_reminders()

    email = OutboundEmail.objects.get()
    assert "Haddad" not in email.subject + email.body_text + email.body_html
    assert "NARSS" not in email.body_text
    assert due.context["reference"] == assignment.proposal.reference


def test_inactive_reviewers_are_not_reminded():
    assignment = ReviewAssignmentFactory(due_at=_due_in(days=1))
    assignment.reviewer.is_active = False
    assignment.reviewer.save()

    assert send_due_reminders() == 0
    assert ReviewAssignment.objects.count() == 1
