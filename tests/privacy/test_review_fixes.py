"""Export and deletion match the person only by what identifies them (account,
own address, verified addresses), find them in every frozen snapshot that
holds them, and lock the drafts they delete."""

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message, MessageRecipient
from notifications.models import EmailStatus, FlaggedAddress, OutboundEmail
from privacy import services
from privacy.export import collect
from proposals.enums import ProposalStatus
from proposals.models import Proposal, ProposalVersion, TeamMember
from tests.factories import (
    OpportunityFactory,
    ProposalFactory,
    ProposalVersionFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
MARCO = "marco@inaf.example.org"


def _outbox(*, to, key):
    return OutboundEmail.objects.create(
        idempotency_key=key,
        template="proposal_submitted",
        language="en",
        to_email=to,
        subject=f"Dear Dr Rossi ({key})",
        body_text="Dear Dr Rossi, the panel's private note …",
        body_html="<p>Dear Dr Rossi</p>",
        context={"pi_name": "Dr Marco Rossi"},
        message_id=f"<{key}@example.org>",
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
    )


def _claimer():
    """Amina, who added Marco's address to her account without confirming it;
    Marco is on a submitted proposal's team (by address only), was emailed, is
    flagged and received an administrator's message."""
    amina = UserFactory(email="amina@u-paris.example.org", full_name="Amina Haddad")
    EmailAddress.objects.create(user=amina, email=MARCO, verified=False)
    proposal = ProposalFactory(
        complete=True, submitted=True, opportunity=OpportunityFactory(closed=True)
    )
    place = TeamMemberFactory(
        proposal=proposal, email=MARCO, name="Marco Rossi", confirmed=True
    )
    version = ProposalVersionFactory(proposal=proposal)
    email = _outbox(to=MARCO, key="marco")
    FlaggedAddress.objects.create(
        email=MARCO, reason="bounced", last_flagged_at=timezone.now()
    )
    message = Message.objects.create(
        opportunity=proposal.opportunity,
        subject_en="Hello {name}",
        body_en="Dear {name}",
        created_by=UserFactory(staff=True),
    )
    recipient = MessageRecipient.objects.create(
        message=message, email=MARCO, name="Marco Rossi", language="en"
    )
    return {
        "amina": amina,
        "proposal": proposal,
        "place": place,
        "version": version,
        "email": email,
        "recipient": recipient,
    }


def test_export_leaves_out_what_an_unverified_address_names(client):
    world = _claimer()
    amina = world["amina"]
    TeamMemberFactory(proposal=world["proposal"], user=amina, email=amina.email)
    client.force_login(amina)

    response = client.post(reverse("privacy:export"))

    files = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    emails = json.loads(files.read("emails.json"))["emails"]
    assert [email["to"] for email in emails] == []
    (proposal,) = json.loads(files.read("proposals.json"))["proposals"]
    (version,) = proposal["versions"]
    marco = next(
        member
        for member in version["snapshot"]["team"]
        if member["name"] == "Marco Rossi"
    )
    # Shown as the version page shows another person: no address.
    assert "email" not in marco
    # Her own addresses are still listed, confirmed or not.
    account = json.loads(files.read("account.json"))["account"]
    assert MARCO in json.dumps(account)


def test_export_matches_a_verified_address():
    world = _claimer()
    EmailAddress.objects.filter(email=MARCO).update(verified=True)

    data = collect(user=world["amina"])

    assert [email["to"] for email in data["emails.json"]["emails"]] == [MARCO]


def test_deletion_leaves_what_an_unverified_address_names_alone(
    django_capture_on_commit_callbacks,
):
    world = _claimer()
    amina = world["amina"]

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_account(user=amina, actor=amina)

    place = TeamMember.objects.get(pk=world["place"].pk)
    assert (place.name, place.email, place.user_id) == ("Marco Rossi", MARCO, None)
    email = OutboundEmail.objects.get(pk=world["email"].pk)
    assert (email.to_email, email.recipient_id) == (MARCO, None)
    assert "private note" in email.body_text
    assert FlaggedAddress.objects.filter(email=MARCO).exists()
    recipient = MessageRecipient.objects.get(pk=world["recipient"].pk)
    assert (recipient.email, recipient.user_id) == (MARCO, None)
    version = ProposalVersion.objects.get(pk=world["version"].pk)
    assert MARCO in [member["email"] for member in version.snapshot["team"]]


def test_deletion_renames_a_member_removed_after_the_version_was_frozen(
    django_capture_on_commit_callbacks,
):
    amina = UserFactory(email="amina@u-paris.example.org", full_name="Amina Haddad")
    EmailAddress.objects.create(
        user=amina, email="Amina.H@gmail.example.com", verified=True
    )
    by_account = ProposalFactory(
        complete=True, submitted=True, opportunity=OpportunityFactory(closed=True)
    )
    place = TeamMemberFactory(
        proposal=by_account, user=amina, email=amina.email, name="Amina Haddad"
    )
    by_account_version = ProposalVersionFactory(proposal=by_account)
    place.delete()
    by_address = ProposalFactory(
        complete=True, submitted=True, opportunity=OpportunityFactory(closed=True)
    )
    place = TeamMemberFactory(
        proposal=by_address, email="AMINA.H@gmail.example.com", name="A. Haddad"
    )
    by_address_version = ProposalVersionFactory(proposal=by_address)
    place.delete()
    untouched = ProposalVersionFactory()
    before = untouched.snapshot

    with django_capture_on_commit_callbacks(execute=True):
        deletion = services.delete_account(user=amina, actor=amina)

    former = services.former_name(amina)
    for version in (by_account_version, by_address_version):
        snapshot = ProposalVersion.objects.get(pk=version.pk).snapshot
        text = json.dumps(snapshot).lower()
        assert "haddad" not in text
        assert "gmail" not in text
        assert former in [member["name"] for member in snapshot["team"]]
    assert ProposalVersion.objects.get(pk=untouched.pk).snapshot == before
    assert deletion.event.details["versions_renamed"] == 2


def test_deletion_keeps_a_draft_submitted_before_its_lock(
    django_capture_on_commit_callbacks, monkeypatch
):
    """The submission commits between the listing and the lock (simulated: the
    status changes as the lock is taken); the locked re-check keeps it."""
    amina = UserFactory()
    draft = ProposalFactory(principal_investigator=amina)
    kept = ProposalFactory(principal_investigator=amina, complete=True)
    real = services.never_submitted
    calls = []

    def never_submitted(queryset):
        calls.append(queryset)
        if len(calls) == 2:
            # The first call listed and locked both; now one has a version.
            ProposalVersionFactory(proposal=kept)
        return real(queryset)

    monkeypatch.setattr(services, "never_submitted", never_submitted)
    # Not in review, so deletion is allowed; the draft with its frozen version
    # is withdrawn, not deleted.
    with django_capture_on_commit_callbacks(execute=True):
        deletion = services.delete_account(user=amina, actor=amina)

    assert not Proposal.objects.filter(pk=draft.pk).exists()
    assert Proposal.objects.get(pk=kept.pk).status == ProposalStatus.WITHDRAWN
    assert deletion.event.details["proposals_deleted"] == 1
