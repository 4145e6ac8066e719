"""Deleting one's account: each effect, the refusals, idempotency, the page."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalogue.models import MissionSubscription
from messaging.models import Message, MessageRecipient
from notifications.models import EmailStatus, OutboundEmail
from privacy import services
from privacy.models import PrivacyEvent, PrivacyEventKind
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import (
    Proposal,
    ProposalDocument,
    ProposalEvent,
    ProposalVersion,
    TeamMember,
)
from reviews.models import ReviewerProfile
from tests.factories import (
    PASSWORD,
    MissionSubscriptionFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.mfa import enable_totp
from tests.payloads.factories import payload_factory

pytestmark = pytest.mark.django_db
DELETE_URL = reverse("privacy:delete")
PAGE_URL = reverse("privacy:your-data")


def _outbox(*, to, user=None, key, status=EmailStatus.SENT):
    return OutboundEmail.objects.create(
        idempotency_key=key,
        template="proposal_submitted",
        language="en",
        to_email=to,
        recipient=user,
        subject=f"Dear Dr Haddad ({key})",
        body_text="Dear Dr Haddad, your proposal …",
        body_html="<p>Dear Dr Haddad</p>",
        context={"pi_name": "Dr Amina Haddad"},
        message_id=f"<{key}@example.org>",
        status=status,
        sent_at=None if status == EmailStatus.QUEUED else timezone.now(),
    )


@pytest.fixture
def amina(db):
    return _amina()


def _amina():
    user = UserFactory(
        email="amina@u-paris.example.org",
        full_name="Dr Amina Haddad",
        institution="Université Paris Cité",
        orcid="0000-0002-1825-0097",
        preferred_language="zh-hans",
    )
    EmailAddress.objects.create(
        user=user, email="amina.h@gmail.example.com", verified=True
    )
    enable_totp(user)
    return user


@pytest.fixture(scope="module")
def deleted(django_db_setup, django_db_blocker):
    """Amina leads a draft with a document and a not-selected proposal; she is
    on the team of someone's draft and of someone's submitted proposal; the
    outbox and an administrator's message name her; she is signed in. Her
    account is deleted once, here; the tests read the effects."""
    with django_db_blocker.unblock(), transaction.atomic():
        mail.outbox = []
        world = _world()
        with TestCase.captureOnCommitCallbacks(execute=True):
            world["deletion"] = services.delete_account(
                user=world["amina"], actor=world["amina"]
            )
        world["sent"] = list(mail.outbox)
        yield world
        transaction.set_rollback(True)


def _world() -> dict:
    amina = _amina()
    client = Client()
    client.force_login(amina)
    draft = ProposalFactory(principal_investigator=amina)
    document = ProposalDocumentFactory(proposal=draft, uploaded_by=amina)
    decided = ProposalFactory(
        principal_investigator=amina,
        complete=True,
        submitted=True,
        status=ProposalStatus.NOT_SELECTED,
        opportunity=OpportunityFactory(closed=True),
    )
    decided_version = ProposalVersionFactory(proposal=decided)
    event = decided.events.create(
        actor=amina,
        at=decided.submitted_at,
        from_stage="full",
        from_status="draft",
        to_stage="full",
        to_status="submitted",
    )
    their_draft = ProposalFactory()
    TeamMemberFactory(
        proposal=their_draft, user=amina, email=amina.email, confirmed=True
    )
    their_submitted = ProposalFactory(
        complete=True,
        submitted=True,
        opportunity=OpportunityFactory(closed=True),
    )
    TeamMemberFactory(
        proposal=their_submitted,
        user=amina,
        email=amina.email,
        name="Amina Haddad",
        confirmed=True,
    )
    TeamMemberFactory(proposal=their_submitted, name="Marco Rossi", confirmed=True)
    their_version = ProposalVersionFactory(proposal=their_submitted)
    MissionSubscriptionFactory(user=amina)
    message = Message.objects.create(
        opportunity=decided.opportunity,
        subject_en="Hello {name}",
        body_en="Dear {name}",
        created_by=UserFactory(staff=True),
    )
    MessageRecipient.objects.create(
        message=message, email=amina.email, name="Dr Amina Haddad", language="en"
    )
    return {
        "amina": amina,
        "client": client,
        "file_name": document.file.name,
        "stored_before": default_storage.exists(document.file.name),
        "draft": draft,
        "document": document,
        "decided": decided,
        "decided_version": decided_version,
        "event": event,
        "their_draft": their_draft,
        "their_submitted": their_submitted,
        "their_version": their_version,
        "message": message,
        "emails": {
            "sent": _outbox(to=amina.email, user=amina, key="sent"),
            "by_address": _outbox(to="AMINA.H@gmail.example.com", key="by-address"),
            "queued": _outbox(
                to=amina.email, user=amina, key="queued", status="queued"
            ),
            "other": _outbox(to="marco@inaf.example.org", key="other"),
        },
    }


def test_deletion_anonymises_the_account(deleted):
    amina = User.objects.get(pk=deleted["amina"].pk)

    assert (
        amina.full_name,
        amina.email,
        amina.institution,
        amina.country.code,
        amina.orcid,
        amina.is_active,
        amina.has_usable_password(),
    ) == (
        f"Former user #{amina.pk}",
        f"former-user-{amina.pk}@deleted.invalid",
        "",
        "",
        "",
        False,
        False,
    )
    assert list(EmailAddress.objects.filter(user=amina)) == []
    assert list(Authenticator.objects.filter(user=amina)) == []
    assert list(MissionSubscription.objects.filter(user=amina)) == []


def test_deletion_deletes_led_drafts_and_their_files(deleted):
    assert deleted["stored_before"] is True
    assert not Proposal.objects.filter(pk=deleted["draft"].pk).exists()
    assert not ProposalDocument.objects.filter(pk=deleted["document"].pk).exists()
    assert not default_storage.exists(deleted["file_name"])


def test_deletion_keeps_submitted_proposals_under_the_former_name(deleted):
    pk = deleted["amina"].pk

    decided = Proposal.objects.get(pk=deleted["decided"].pk)
    assert (decided.status, decided.principal_investigator_id) == (
        ProposalStatus.NOT_SELECTED,
        pk,
    )
    snapshot = ProposalVersion.objects.get(pk=deleted["decided_version"].pk).snapshot
    assert snapshot["principal_investigator"] | {"country_name": ""} == {
        "user_id": pk,
        "name": f"Former user #{pk}",
        "email": f"former-user-{pk}@deleted.invalid",
        "institution": "Université Paris Cité",
        "country": "FR",
        "country_name": "",
        "orcid": "",
    }


def test_deletion_leaves_drafts_teams_and_renames_submitted_team_places(deleted):
    pk = deleted["amina"].pk

    assert list(deleted["their_draft"].team_members.all()) == []
    places = TeamMember.objects.filter(proposal=deleted["their_submitted"])
    assert sorted((p.name, p.email.endswith(".invalid")) for p in places) == [
        (f"Former user #{pk}", True),
        ("Marco Rossi", False),
    ]
    snapshot = ProposalVersion.objects.get(pk=deleted["their_version"].pk).snapshot
    assert sorted(member["name"] for member in snapshot["team"]) == [
        f"Former user #{pk}",
        "Marco Rossi",
    ]
    assert "amina@u-paris.example.org" not in str(snapshot["team"])


def test_deletion_renames_the_history_actor_through_the_account(deleted):
    event = ProposalEvent.objects.select_related("actor").get(pk=deleted["event"].pk)

    assert event.actor.get_full_name() == f"Former user #{deleted['amina'].pk}"


def test_deletion_drops_queued_emails_and_strips_sent_ones(deleted):
    pk = deleted["amina"].pk
    emails = deleted["emails"]

    assert not OutboundEmail.objects.filter(pk=emails["queued"].pk).exists()
    kept = OutboundEmail.objects.filter(
        pk__in=[emails["sent"].pk, emails["by_address"].pk]
    )
    assert [
        (row.to_email, row.recipient_id, row.subject, row.body_text, row.context)
        for row in kept
    ] == [
        (
            f"former-user-{pk}@deleted.invalid",
            pk,
            "(removed when the account was deleted)",
            "",
            {},
        )
    ] * 2
    other = OutboundEmail.objects.get(pk=emails["other"].pk)
    assert other.to_email == "marco@inaf.example.org"
    recipient = MessageRecipient.objects.get(message=deleted["message"])
    assert (recipient.name, recipient.email) == (
        f"Former user #{pk}",
        f"former-user-{pk}@deleted.invalid",
    )


def test_deletion_emails_a_confirmation_to_the_address_it_had(deleted):
    assert [m.to for m in deleted["sent"]] == [["amina@u-paris.example.org"]]
    row = OutboundEmail.objects.get(template="account_deleted")
    assert (row.recipient_id, row.language, row.status) == (
        None,
        "zh-hans",
        EmailStatus.SENT,
    )


def test_deletion_ends_the_sessions(deleted):
    response = deleted["client"].get(reverse("accounts:profile"))

    assert deleted["deletion"].event.details["sessions_ended"] == 1
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deletion_records_one_event_and_is_idempotent(deleted, mailoutbox):
    amina = deleted["amina"]

    again = services.delete_account(user=amina, actor=amina)

    event = PrivacyEvent.objects.get(kind=PrivacyEventKind.DELETED)
    assert (deleted["deletion"].already, again.already, again.event) == (
        False,
        True,
        event,
    )
    assert (event.user_id, event.actor_id) == (amina.pk, amina.pk)
    assert event.details == {
        "proposals_deleted": 1,
        "drafts_withdrawn": 0,
        "teams_left": 1,
        "team_places_renamed": 1,
        "versions_renamed": 2,
        "emails_dropped": 1,
        "emails_renamed": 2,
        "sessions_ended": 1,
    }
    assert mailoutbox == []


def _delete(user, django_capture_on_commit_callbacks, *, actor=None):
    with django_capture_on_commit_callbacks(execute=True):
        return services.delete_account(user=user, actor=actor or user)


def test_deletion_withdraws_a_draft_that_has_a_frozen_letter(
    amina, django_capture_on_commit_callbacks
):
    letter = ProposalFactory(
        letter=True, submitted=True, principal_investigator=amina, complete=True
    )
    ProposalVersionFactory(proposal=letter)
    Proposal.objects.filter(pk=letter.pk).update(
        stage=ProposalStage.FULL, status=ProposalStatus.DRAFT
    )

    _delete(amina, django_capture_on_commit_callbacks)

    letter = Proposal.objects.get(pk=letter.pk)
    assert (letter.stage, letter.status) == (
        ProposalStage.FULL,
        ProposalStatus.WITHDRAWN,
    )
    assert letter.events.get().note == "The account was deleted."


def test_deletion_of_a_staff_account_is_refused(django_capture_on_commit_callbacks):
    staff = UserFactory(staff=True)

    with pytest.raises(services.DeletionRefused) as refusal:
        _delete(staff, django_capture_on_commit_callbacks)

    assert refusal.value.messages == [
        "Staff accounts are not deleted from here: ask another administrator to "
        "remove your access and your account."
    ]
    staff.refresh_from_db()
    assert staff.is_active is True


def test_deletion_with_open_assignments_is_refused(django_capture_on_commit_callbacks):
    assignment = ReviewAssignmentFactory(accepted=True)
    reviewer = assignment.reviewer
    ReviewerProfile.objects.create(user=reviewer, expertise="radon")

    with pytest.raises(services.DeletionRefused) as refusal:
        _delete(reviewer, django_capture_on_commit_callbacks)

    assert refusal.value.messages == [
        "You have 1 review assignment still open. Answer or finish it, or ask "
        "the call's administrators to cancel it, then delete your account."
    ]
    assert ReviewerProfile.objects.filter(user=reviewer).exists()


def test_deletion_of_a_reviewer_whose_assignments_ended_goes_ahead(
    django_capture_on_commit_callbacks,
):
    assignment = ReviewAssignmentFactory(status="declined")
    reviewer = ReviewerFactory()
    assignment.reviewer = reviewer
    assignment.save()

    _delete(reviewer, django_capture_on_commit_callbacks)

    reviewer.refresh_from_db()
    assert (reviewer.is_active, list(reviewer.groups.all())) == (False, [])


def test_deletion_while_leading_a_proposal_in_review_is_refused(
    amina, django_capture_on_commit_callbacks
):
    ProposalFactory(principal_investigator=amina, submitted=True)

    with pytest.raises(services.DeletionRefused) as refusal:
        _delete(amina, django_capture_on_commit_callbacks)

    assert refusal.value.messages == [
        "You lead 1 proposal in review. Withdraw it or wait for the decision, "
        "then delete your account."
    ]


def test_deletion_by_someone_else_is_refused(amina, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        _delete(amina, django_capture_on_commit_callbacks, actor=UserFactory())


# --- the page ------------------------------------------------------------------


def test_your_data_page_explains_and_offers_both(client, amina):
    client.force_login(amina)

    response = client.get(PAGE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("privacy:export") in html
    assert f'action="{DELETE_URL}"' in html
    assert "will read “Former user”" in html


def test_your_data_page_shows_why_deletion_is_refused(client, amina):
    ProposalFactory(principal_investigator=amina, submitted=True)
    client.force_login(amina)

    html = client.get(PAGE_URL).content.decode()

    assert "Your account cannot be deleted yet:" in html
    assert f'action="{DELETE_URL}"' not in html


def test_your_data_page_anonymous_is_sent_to_sign_in(client):
    response = client.get(PAGE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_delete_view_with_the_wrong_password_changes_nothing(client, amina):
    client.force_login(amina)

    response = client.post(DELETE_URL, {"password": "wrong", "confirm": "on"})

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    amina.refresh_from_db()
    assert amina.is_active is True


def test_delete_view_unconfirmed_says_nothing_about_the_password(client, amina):
    client.force_login(amina)

    wrong = client.post(DELETE_URL, {"password": "wrong"})
    right = client.post(DELETE_URL, {"password": PASSWORD})

    assert "That is not your password." not in wrong.content.decode()
    assert wrong.context["form"].errors == right.context["form"].errors
    assert list(wrong.context["form"].errors) == ["confirm"]


def test_delete_view_refuses_the_sixth_password_in_a_row_even_if_right(client, amina):
    client.force_login(amina)
    wrong = [
        client.post(DELETE_URL, {"password": "wrong", "confirm": "on"})
        for _ in range(5)
    ]

    refused = client.post(DELETE_URL, {"password": PASSWORD, "confirm": "on"})

    assert all("That is not your password." in r.content.decode() for r in wrong)
    assert refused.status_code == 400
    assert "Too many failed login attempts. Try again later." in (
        refused.content.decode()
    )
    amina.refresh_from_db()
    assert amina.is_active is True


def test_delete_view_deletes_signs_out_and_says_so(
    client, amina, django_capture_on_commit_callbacks
):
    client.force_login(amina)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE_URL, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:home")
    amina.refresh_from_db()
    assert amina.is_active is False
    assert "_auth_user_id" not in client.session


def test_delete_view_shows_a_refusal_on_the_form(client, amina):
    client.force_login(amina)
    ProposalFactory(principal_investigator=amina, submitted=True)

    response = client.post(DELETE_URL, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 409
    assert "You lead 1 proposal in review." in response.content.decode()


def test_deletion_while_leading_a_payload_on_board_is_refused(
    django_capture_on_commit_callbacks,
):
    lead = payload_factory().proposal.principal_investigator

    with pytest.raises(services.DeletionRefused) as refusal:
        _delete(lead, django_capture_on_commit_callbacks)

    assert refusal.value.messages == [
        "You lead 1 selected payload still on board. Write to the call's "
        "contacts to hand it over first."
    ]


def test_deletion_by_an_administrator_is_recorded_with_them_as_actor(
    amina, django_capture_on_commit_callbacks
):
    administrator = UserFactory(superuser=True)

    deletion = _delete(amina, django_capture_on_commit_callbacks, actor=administrator)

    assert (deletion.event.user_id, deletion.event.actor_id) == (
        amina.pk,
        administrator.pk,
    )
