"""The retention rules: what the daily task removes, and only that."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from notifications.models import EmailStatus, OutboundEmail
from privacy import services, tasks
from privacy.models import PrivacyEvent, PrivacyEventKind
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from tests.factories import (
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
)

pytestmark = pytest.mark.django_db


def _call(*, closed_days_ago: int, now):
    deadline = now - timedelta(days=closed_days_ago)
    return OpportunityFactory(
        closed=True,
        opens_at=deadline - timedelta(days=60),
        proposal_deadline=deadline,
    )


def _email(key: str, *, status: str, days_old: int, now) -> OutboundEmail:
    email = OutboundEmail.objects.create(
        idempotency_key=key,
        template="proposal_submitted",
        language="en",
        to_email=f"{key}@example.org",
        subject=key,
        body_text=key,
        message_id=f"<{key}@example.org>",
        status=status,
        sent_at=now if status == EmailStatus.SENT else None,
    )
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=now - timedelta(days=days_old)
    )
    return email


@pytest.fixture
def now():
    """The clock the rules are applied at: a year from today."""
    return timezone.now() + timedelta(days=365)


def test_retention_removes_old_never_submitted_proposals_with_their_files(
    now, django_capture_on_commit_callbacks
):
    old_call = _call(closed_days_ago=181, now=now)
    recent_call = _call(closed_days_ago=179, now=now)
    old_draft = ProposalFactory(opportunity=old_call)
    document = ProposalDocumentFactory(proposal=old_draft)
    withdrawn_draft = ProposalFactory(
        opportunity=old_call, status=ProposalStatus.WITHDRAWN
    )
    recent_draft = ProposalFactory(opportunity=recent_call)
    submitted = ProposalFactory(opportunity=old_call, submitted=True, complete=True)
    ProposalVersionFactory(proposal=submitted)
    shortlisted = ProposalFactory(opportunity=old_call, submitted=True, complete=True)
    ProposalVersionFactory(proposal=shortlisted)
    Proposal.objects.filter(pk=shortlisted.pk).update(status=ProposalStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        done = services.apply_retention(now=now)

    assert done.proposals_deleted == 2
    assert sorted(Proposal.objects.values_list("pk", flat=True)) == sorted(
        [recent_draft.pk, submitted.pk, shortlisted.pk]
    )
    assert not Proposal.objects.filter(pk__in=[old_draft.pk, withdrawn_draft.pk])
    assert not default_storage.exists(document.file.name)


def test_retention_removes_old_sent_and_failed_emails_only(now):
    old_sent = _email("old-sent", status=EmailStatus.SENT, days_old=366, now=now)
    old_failed = _email("old-failed", status=EmailStatus.FAILED, days_old=400, now=now)
    old_queued = _email("old-queued", status=EmailStatus.QUEUED, days_old=400, now=now)
    recent_sent = _email("recent", status=EmailStatus.SENT, days_old=364, now=now)

    done = services.apply_retention(now=now)

    assert done.emails_deleted == 2
    assert sorted(OutboundEmail.objects.values_list("pk", flat=True)) == sorted(
        [old_queued.pk, recent_sent.pk]
    )
    assert not OutboundEmail.objects.filter(pk__in=[old_sent.pk, old_failed.pk])


def test_retention_is_idempotent_and_records_what_it_removed(now):
    ProposalFactory(opportunity=_call(closed_days_ago=200, now=now))
    _email("old", status=EmailStatus.SENT, days_old=400, now=now)

    first = services.apply_retention(now=now)
    second = services.apply_retention(now=now)

    assert (first.proposals_deleted, first.emails_deleted) == (1, 1)
    assert (second.proposals_deleted, second.emails_deleted) == (0, 0)
    event = PrivacyEvent.objects.get()
    assert (event.kind, event.details) == (
        PrivacyEventKind.RETENTION,
        {"proposals_deleted": 1, "emails_deleted": 1},
    )


def test_retention_follows_the_setting(now, settings):
    settings.PRIVACY_DRAFT_RETENTION_DAYS = 30
    draft = ProposalFactory(opportunity=_call(closed_days_ago=31, now=now))

    services.apply_retention(now=now)

    assert not Proposal.objects.filter(pk=draft.pk).exists()


def test_retention_task_runs_on_beat_and_uses_the_real_clock():
    schedule = settings.CELERY_BEAT_SCHEDULE["privacy-apply-retention"]
    old = ProposalFactory(opportunity=_call(closed_days_ago=400, now=timezone.now()))
    current = ProposalFactory()

    result = tasks.apply_retention.delay().get()

    assert schedule["task"] == tasks.apply_retention.name
    assert result == {"proposals_deleted": 1, "emails_deleted": 0}
    assert list(Proposal.objects.values_list("pk", flat=True)) == [current.pk]
    assert old.pk != current.pk
