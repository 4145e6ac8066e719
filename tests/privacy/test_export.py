"""The export of one's own data: what the ZIP holds, exactly, and what it never
holds (anyone else's private data, secrets)."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import EmailStatus, OutboundEmail
from privacy import export
from privacy.models import PrivacyEvent, PrivacyEventKind
from proposals.enums import ProposalStatus
from proposals.models import ProposalEvent
from tests.factories import (
    SAMPLE_PDF,
    BidFactory,
    EvaluationCriterionFactory,
    MissionSubscriptionFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.mfa import DEMO_TOTP_SECRET, enable_totp
from tests.payloads.factories import payload_factory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
EXPORT_URL = reverse("privacy:export")
FILES = [
    "README.txt",
    "account.json",
    "proposals.json",
    "payloads.json",
    "reviewing.json",
    "questions.json",
    "emails.json",
    "subscriptions.json",
]


def _outbox(*, to, user=None, subject, status=EmailStatus.SENT, sensitive=False):
    return OutboundEmail.objects.create(
        idempotency_key=f"test:{to}:{subject}",
        template="proposal_submitted",
        language="en",
        to_email=to,
        recipient=user,
        subject=subject,
        body_text=f"Body of {subject}",
        message_id=f"<{subject}@example.org>",
        status=status,
        sent_at=timezone.now() if status == EmailStatus.SENT else None,
        sensitive=sensitive,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Amina leads a draft (with a document she uploaded and a team mate) and a
    submitted proposal under dual-anonymous review by someone else; other
    people's data sits beside hers. Both download their data once, here."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _world()
        transaction.set_rollback(True)


def _world():
    amina = UserFactory(
        email="amina@u-paris.example.org",
        full_name="Dr Amina Haddad",
        institution="Université Paris Cité",
        orcid="0000-0002-1825-0097",
    )
    enable_totp(amina)
    other = UserFactory(email="other@example.org", full_name="Someone Else")
    draft = ProposalFactory(principal_investigator=amina, title="Radon monitor")
    TeamMemberFactory(
        proposal=draft,
        name="Marco Rossi",
        email="marco@inaf.example.org",
        institution="INAF",
    )
    document = ProposalDocumentFactory(
        proposal=draft, uploaded_by=amina, original_name="Technical annex.pdf"
    )
    submitted = ProposalFactory(
        principal_investigator=amina,
        complete=True,
        submitted=True,
        status=ProposalStatus.UNDER_REVIEW,
        opportunity=OpportunityFactory(closed=True, dual_anonymous=True),
        title="Dust analyser",
    )
    TeamMemberFactory(
        proposal=submitted,
        name="Li Wei",
        email="li.wei@nssc.example.org",
        institution="NSSC",
        confirmed=True,
    )
    version = ProposalVersionFactory(proposal=submitted)
    admin = UserFactory(staff=True, full_name="CNSA Officer", email="o@cnsa.example")
    ProposalEvent.objects.create(
        proposal=submitted,
        actor=admin,
        at=timezone.now(),
        from_stage="full",
        from_status="submitted",
        to_stage="full",
        to_status="under_review",
        message=ProposalEvent.Message.REVIEW_STARTED,
    )
    reviewer = ReviewerFactory(
        full_name="Secret Reviewer", email="secret.reviewer@example.net"
    )
    ReviewFactory(
        assignment=ReviewAssignmentFactory(
            version=version, reviewer=reviewer, accepted=True
        ),
        submitted=True,
        scores=5,
    )
    other_draft = ProposalFactory(principal_investigator=other, title="Not hers")
    ProposalDocumentFactory(proposal=other_draft, uploaded_by=other)
    _outbox(to=amina.email, user=amina, subject="Your proposal was submitted")
    _outbox(to=amina.email, user=amina, subject="Reset your password", sensitive=True)
    _outbox(to=other.email, user=other, subject="Someone else's email")
    MissionSubscriptionFactory(user=amina)
    return {
        "amina": amina,
        "other": other,
        "draft": draft,
        "document": document,
        "submitted": submitted,
        "version": version,
        "files": _download(Client(), amina),
        "other_files": _download(Client(), other),
    }


def _unzip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


def _download(client, user) -> dict[str, bytes]:
    client.force_login(user)
    response = client.post(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return _unzip(response)


def test_export_holds_the_json_files_and_the_uploaded_document(world):
    files = world["files"]

    document = world["document"]
    name = f"documents/proposal-{world['draft'].pk}/{document.pk}-Technical_annex.pdf"
    assert list(files) == [*FILES, name]
    assert files[name] == SAMPLE_PDF


def test_export_account_holds_the_profile_addresses_and_two_factor_kind(world):
    amina = world["amina"]

    account = json.loads(world["files"]["account.json"])["account"]

    assert account == {
        "id": amina.pk,
        "email": "amina@u-paris.example.org",
        "full_name": "Dr Amina Haddad",
        "institution": "Université Paris Cité",
        "country": "FR",
        "orcid": "0000-0002-1825-0097",
        "preferred_language": "en",
        "date_joined": amina.date_joined.isoformat(),
        "last_login": account["last_login"],
        "is_active": True,
        "groups": [],
        "email_addresses": [
            {"email": "amina@u-paris.example.org", "primary": True, "verified": True}
        ],
        "two_factor": [
            {"type": "totp", "created_at": account["two_factor"][0]["created_at"]}
            | {"last_used_at": None}
        ],
        "api_token": [],
    }


def test_export_proposals_hold_sections_team_history_and_versions(world):
    amina = world["amina"]

    proposals = json.loads(world["files"]["proposals.json"])["proposals"]

    draft, submitted = proposals
    assert draft["id"] == world["draft"].pk
    assert draft["your_role"] == "principal_investigator"
    assert draft["sections"]["summary"]["title"] == "Radon monitor"
    assert draft["team"] == [
        {
            "name": "Marco Rossi",
            "email": "marco@inaf.example.org",
            "role": "co_investigator",
            "institution": "INAF",
            "country": "IT",
            "confirmed_at": None,
            "is_you": False,
        }
    ]
    assert [d["file_in_export"] for d in draft["documents"]] == [
        f"documents/proposal-{world['draft'].pk}/"
        f"{world['document'].pk}-Technical_annex.pdf"
    ]
    assert submitted["status"] == "under_review"
    assert [(e["to_status"], e["by"]) for e in submitted["status_history"]] == [
        ("under_review", "CNSA Officer")
    ]
    (version,) = submitted["versions"]
    snapshot = version["snapshot"]
    assert snapshot["principal_investigator"]["email"] == amina.email
    assert snapshot["principal_investigator"]["orcid"] == amina.orcid
    assert snapshot["team"] == [
        {
            "name": "Li Wei",
            "role": "co_investigator",
            "institution": "NSSC",
            "country": "IT",
            "country_name": "Italy",
        }
    ]
    assert submitted["decision"] is None


def test_export_leaves_out_reviewers_other_people_and_secrets(world):
    files = world["files"]
    text = b"".join(files[name] for name in FILES).decode()

    for absent in (
        "Secret Reviewer",
        "secret.reviewer@example.net",
        "The team's budget looks optimistic.",
        "Someone else's email",
        "Not hers",
        DEMO_TOTP_SECRET,
        world["amina"].password,
    ):
        assert absent not in text
    reviewing = json.loads(files["reviewing.json"])
    assert reviewing["assignments"] == []


def test_export_emails_hide_the_body_of_a_secret_link(world):
    emails = json.loads(world["files"]["emails.json"])["emails"]

    assert [(e["subject"], e["body"]) for e in emails] == [
        ("Your proposal was submitted", "Body of Your proposal was submitted"),
        ("Reset your password", ""),
    ]


def test_export_of_another_user_holds_only_their_own_data(world):
    files = world["other_files"]

    proposals = json.loads(files["proposals.json"])["proposals"]
    assert [p["sections"]["summary"]["title"] for p in proposals] == ["Not hers"]
    assert not any(
        name.startswith(f"documents/proposal-{world['draft'].pk}/") for name in files
    )
    assert "amina" not in b"".join(files[name] for name in FILES).decode()


def test_export_is_recorded_as_an_event(world):
    events = PrivacyEvent.objects.order_by("pk")

    assert [(e.kind, e.user, e.actor) for e in events] == [
        (PrivacyEventKind.EXPORTED, world["amina"], world["amina"]),
        (PrivacyEventKind.EXPORTED, world["other"], world["other"]),
    ]


def test_export_anonymous_is_sent_to_sign_in(client):
    response = client.post(EXPORT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_export_by_get_is_refused(client, researcher):
    client.force_login(researcher)

    response = client.get(EXPORT_URL)

    assert response.status_code == 405


def test_export_past_the_limit_is_refused_with_retry_after(client, researcher):
    client.force_login(researcher)
    for _attempt in range(3):
        assert client.post(EXPORT_URL).status_code == 200

    response = client.post(EXPORT_URL)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert PrivacyEvent.objects.filter(user=researcher).count() == 3


def test_export_of_a_reviewer_holds_assignments_reviews_bids_and_conflicts(
    client,
):
    reviewer = ReviewerFactory(expertise="radon, dust")
    assignment = ReviewAssignmentFactory(reviewer=reviewer, accepted=True)
    criterion = EvaluationCriterionFactory(opportunity=assignment.proposal.opportunity)
    review = ReviewFactory(assignment=assignment, submitted=True, scores={criterion: 4})
    conflicted = ReviewAssignmentFactory(
        reviewer=reviewer, status="conflict", conflict_reason="My former student."
    )
    bid = BidFactory(reviewer=reviewer, preference="conflict")

    reviewing = json.loads(_download(client, reviewer)["reviewing.json"])

    assert reviewing["reviewer_profile"] == {
        "expertise": "radon, dust",
        "other_institutions": "",
    }
    first, second = reviewing["assignments"]
    assert first["proposal_reference"] == review.assignment.proposal.reference
    assert first["reviewer"] == "you"
    assert first["review"]["confidential_comments"] == (
        "The team's budget looks optimistic."
    )
    assert {s["score"] for s in first["review"]["scores"]} == {4}
    assert reviewing["conflicts_declared"] == [
        {
            "proposal_reference": conflicted.proposal.reference,
            "reason": "My former student.",
            "at": None,
        },
        {"proposal_reference": bid.proposal.reference, "reason": "bid"},
    ]
    assert second["status"] == "conflict"


@pytest.mark.parametrize("proposal_count", [1, 3])
def test_export_collect_costs_the_same_queries_for_any_number_of_proposals(
    django_assert_num_queries, proposal_count
):
    user = UserFactory()
    for _index in range(proposal_count):
        proposal = ProposalFactory(principal_investigator=user)
        TeamMemberFactory(proposal=proposal)
        ProposalDocumentFactory(proposal=proposal, uploaded_by=user)

    with django_assert_num_queries(20):
        export.collect(user=user, now=NOW)


def test_export_names_documents_safely():
    names = ["../../etc/passwd 报告.pdf", "C:\\Users\\a\\CON.pdf", ".."]
    documents = [
        ProposalDocumentFactory.build(pk=7, proposal_id=3, original_name=name)
        for name in names
    ]

    assert [export.document_arcname(d) for d in documents] == [
        "documents/proposal-3/7-passwd_报告.pdf",
        "documents/proposal-3/7-CON.pdf",
        "documents/proposal-3/7-document.pdf",
    ]


def test_export_generated_at_is_the_given_moment():
    user = UserFactory()

    files = export.collect(user=user, now=NOW - timedelta(days=1))

    assert files["account.json"]["generated_at"] == "2026-12-05T02:00:00+00:00"


def test_export_of_a_payload_lead_holds_the_payload_and_the_decision(client):
    payload = payload_factory(conditions=1, agreements=1, milestones=1)
    lead = payload.proposal.principal_investigator

    files = _download(client, lead)

    (row,) = json.loads(files["payloads.json"])["payloads"]
    assert (row["id"], row["name"], row["status"]) == (
        payload.pk,
        payload.name,
        payload.status,
    )
    assert [len(row[part]) for part in ("conditions", "agreements", "milestones")] == [
        1,
        1,
        1,
    ]
    (proposal,) = json.loads(files["proposals.json"])["proposals"]
    assert proposal["decision"]["outcome"] == payload.decision.outcome
    assert proposal["decision"]["letter"] == payload.decision.letter


def test_export_goes_on_past_a_document_missing_from_the_storage(client):
    user = UserFactory()
    lost = ProposalDocumentFactory(
        proposal__principal_investigator=user, uploaded_by=user
    )
    kept = ProposalDocumentFactory(proposal=lost.proposal, uploaded_by=user)
    default_storage.delete(lost.file.name)

    files = _download(client, user)

    assert [name for name in files if name.startswith("documents/")] == [
        export.document_arcname(kept)
    ]
