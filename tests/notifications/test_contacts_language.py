"""CNSA contacts are written to in their own language, and told when a call's
decisions are released: one summary, counts by outcome, links to the panel."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalogue.enums import ContactLanguage, OpportunityStatus
from catalogue.models import Contact
from catalogue.seed.demo_calls import DEMO_CONTACT
from catalogue.seed.missions import CONTACTS
from catalogue.workflow import transition
from notifications.events import contact_recipients
from notifications.models import OutboundEmail
from notifications.services import Recipient
from reviews import emails as review_emails
from reviews import services as review_services
from reviews.models import Decision
from tests.factories import (
    ContactFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewFactory,
    UserFactory,
    make_review_administrator,
)
from tests.mfa import login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    """An English contact, a Chinese one, and one whose account (Chinese)
    outweighs the English the contact row says."""
    english = ContactFactory(
        email="dong.shuai@cnsa.example.org", preferred_language="en"
    )
    chinese = ContactFactory(
        email="gan.yong@cnsa.example.org", preferred_language="zh-hans"
    )
    with_account = ContactFactory(
        email="li.ming@cnsa.example.org", preferred_language="en"
    )
    UserFactory(email="li.ming@cnsa.example.org", chinese=True)
    return english, chinese, with_account


def _languages() -> dict[str, str]:
    return dict(OutboundEmail.objects.values_list("to_email", "language"))


def test_contact_recipients_use_the_contacts_language_unless_an_account_has_one(
    contacts,
):
    english, chinese, with_account = contacts

    recipients = contact_recipients([english, chinese, with_account, english])

    assert [(r.email, r.language) for r in recipients] == [
        ("dong.shuai@cnsa.example.org", "en"),
        ("gan.yong@cnsa.example.org", "zh-hans"),
        ("li.ming@cnsa.example.org", "zh-hans"),
    ]
    assert recipients[2].user_id is not None


def test_a_new_contact_is_written_to_in_chinese_by_default():
    contact = Contact.objects.create(
        name="Mr. GAN Yong", department="CNSA", email="gan.yong@cnsa.example.org"
    )

    assert contact_recipients([contact]) == [
        Recipient(email="gan.yong@cnsa.example.org", language="zh-hans")
    ]


def test_publishing_writes_to_each_contact_in_their_language(
    contacts, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = OpportunityFactory(draft=True)
    call.contacts.add(*contacts)
    EvaluationCriterionFactory(opportunity=call, weight=100)

    with django_capture_on_commit_callbacks(execute=True):
        transition(call, to=OpportunityStatus.PUBLISHED, actor=admin_user)

    assert _languages() == {
        "dong.shuai@cnsa.example.org": "en",
        "gan.yong@cnsa.example.org": "zh-hans",
        "li.ming@cnsa.example.org": "zh-hans",
    }
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert call.title_zh_hans in subjects["gan.yong@cnsa.example.org"]
    assert call.title_en in subjects["dong.shuai@cnsa.example.org"]


def test_reviews_complete_writes_to_each_contact_in_their_language(
    contacts, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ProposalFactory(submitted=True)
    proposal.opportunity.contacts.add(*contacts)

    with django_capture_on_commit_callbacks(execute=True):
        review_emails.reviews_complete(proposal=proposal, stage="full", submitted=3)

    assert _languages() == {
        "dong.shuai@cnsa.example.org": "en",
        "gan.yong@cnsa.example.org": "zh-hans",
        "li.ming@cnsa.example.org": "zh-hans",
    }


# --- the summary when decisions are released ---------------------------------------


def _decided(call, outcome: str) -> Decision:
    return Decision.objects.create(
        proposal=ProposalFactory(opportunity=call, submitted=True),
        outcome=outcome,
        conditions="Reduce the mass to 4 kg." if outcome != "selected" else "",
        letter="Dear team, the decision is made.",
        decided_at=timezone.now(),
    )


@pytest.fixture
def released(contacts):
    call = OpportunityFactory(decided=True)
    call.contacts.add(*contacts)
    other = OpportunityFactory(decided=True)
    other.contacts.add(ContactFactory(email="someone.else@cnsa.example.org"))
    decisions = [
        _decided(call, "selected"),
        _decided(call, "selected"),
        _decided(call, "conditionally_selected"),
        _decided(call, "not_selected"),
        _decided(call, "not_selected"),
        _decided(call, "not_selected"),
    ]
    return call, decisions


def test_release_summary_reaches_each_contact_once_in_their_language(
    released, django_capture_on_commit_callbacks, mailoutbox
):
    call, decisions = released

    with django_capture_on_commit_callbacks(execute=True):
        review_emails.decisions_released(opportunity=call, decisions=decisions)
        review_emails.decisions_released(opportunity=call, decisions=decisions)

    assert sorted(message.to[0] for message in mailoutbox) == [
        "dong.shuai@cnsa.example.org",
        "gan.yong@cnsa.example.org",
        "li.ming@cnsa.example.org",
    ]
    assert _languages() == {
        "dong.shuai@cnsa.example.org": "en",
        "gan.yong@cnsa.example.org": "zh-hans",
        "li.ming@cnsa.example.org": "zh-hans",
    }
    assert set(OutboundEmail.objects.values_list("idempotency_key", flat=True)) == {
        f"decisions-summary:{call.pk}:dong.shuai@cnsa.example.org",
        f"decisions-summary:{call.pk}:gan.yong@cnsa.example.org",
        f"decisions-summary:{call.pk}:li.ming@cnsa.example.org",
    }


def test_release_summary_counts_outcomes_and_links_the_panel(
    released, django_capture_on_commit_callbacks, mailoutbox
):
    call, decisions = released

    with django_capture_on_commit_callbacks(execute=True):
        review_emails.decisions_released(opportunity=call, decisions=decisions)

    english = next(m for m in mailoutbox if m.to == ["dong.shuai@cnsa.example.org"])
    ranking = reverse("admin:reviews_panel_ranking", args=[call.pk])
    decided = reverse("admin:reviews_panel_decisions", args=[call.pk])
    assert english.subject == f"Decisions released: {call.title_en}"
    assert (
        "The decisions on the 6 proposals of the call "
        f"“{call.title_en}” have been released to their teams."
    ) in english.body
    assert "Selected: 2\nConditionally selected: 1\nNot selected: 3\n" in english.body
    assert f"{settings.SITE_URL}{ranking}" in english.body
    assert f"{settings.SITE_URL}{decided}" in english.body
    assert f'href="{settings.SITE_URL}{ranking}"' in english.alternatives[0][0]
    chinese = next(m for m in mailoutbox if m.to == ["gan.yong@cnsa.example.org"])
    assert call.title_zh_hans in chinese.subject
    assert f"{settings.SITE_URL}{decided}" in chinese.body


def test_releasing_decisions_sends_the_contacts_the_summary(
    django_capture_on_commit_callbacks, mailoutbox
):
    administrator = make_review_administrator()
    call = OpportunityFactory(closed=True)
    call.contacts.add(
        ContactFactory(email="gan.yong@cnsa.example.org", preferred_language="zh-hans")
    )
    EvaluationCriterionFactory(opportunity=call)
    version = ProposalVersionFactory(
        proposal__opportunity=call, proposal__status="under_review"
    )
    ReviewFactory(assignment__version=version, submitted=True)
    review_services.record_decision(
        proposal=version.proposal, outcome="selected", actor=administrator
    )

    with django_capture_on_commit_callbacks(execute=True):
        review_services.release_decisions(opportunity=call, actor=administrator)

    summaries = OutboundEmail.objects.filter(template="decision_summary")
    assert [(email.idempotency_key, email.language) for email in summaries] == [
        (f"decisions-summary:{call.pk}:gan.yong@cnsa.example.org", "zh-hans")
    ]


# --- the seed and the admin -----------------------------------------------------------


def test_the_seeds_contacts_are_written_to_in_chinese_and_english():
    assert {row["email"]: row["preferred_language"] for row in CONTACTS} == {
        "gany@cnsa.gov.cn": ContactLanguage.ZH_HANS,
        "dongsh@cnsa.gov.cn": ContactLanguage.ZH_HANS,
    }
    assert DEMO_CONTACT["preferred_language"] == ContactLanguage.EN


def test_the_contact_admin_shows_and_saves_the_language(admin_client_with_mfa):
    client = admin_client_with_mfa
    contact = ContactFactory(preferred_language="zh-hans")
    url = reverse("admin:catalogue_contact_change", args=[contact.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": contact.name,
            "email": contact.email,
            "preferred_language": "en",
            "department": contact.department,
            "phone": contact.phone,
        },
    )

    assert 'name="preferred_language"' in page
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.preferred_language == "en"
    listing = client.get(
        reverse("admin:catalogue_contact_changelist"), {"preferred_language": "en"}
    )
    assert list(listing.context["cl"].result_list) == [contact]
    assert '<td class="field-preferred_language">English</td>' in (
        listing.content.decode()
    )


@pytest.fixture
def admin_client_with_mfa(client, admin_user):
    login_with_mfa(client, admin_user)
    return client
