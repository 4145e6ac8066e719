"""The proposal editor: sections saved on their own, htmx partials, the resource
check while typing, documents, statements and the team card."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.enums import ResourcePolicy
from proposals.enums import TeamRole
from proposals.models import Proposal, ProposalDocument, TeamMember
from tests.factories import (
    CarrierFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    RequiredDocumentFactory,
    StatementFactory,
    TeamMemberFactory,
    UserFactory,
    make_pdf,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_BYTES = b"<!DOCTYPE html>\n<html><body><h1>My proposal</h1></body></html>"


@pytest.fixture
def draft(client):
    """A draft with a carrier (10 kg per payload) and a document to upload; its
    principal investigator is signed in."""
    proposal = ProposalFactory(title="Radon monitor", abstract="First abstract.")
    CarrierFactory(opportunity=proposal.opportunity)
    RequiredDocumentFactory(
        opportunity=proposal.opportunity, name_en="Full proposal", page_limit=3
    )
    client.force_login(proposal.principal_investigator)
    return proposal


def section_url(proposal, section: str) -> str:
    return f"/proposals/{proposal.pk}/sections/{section}/"


def stored(proposal) -> Proposal:
    return Proposal.objects.get(pk=proposal.pk)


# Sections ------------------------------------------------------------------------


def test_edit_page_shows_every_section_and_the_checklist(client, draft):
    response = client.get(f"/proposals/{draft.pk}/edit/")

    page = response.content.decode()
    for section in (
        "summary",
        "objectives",
        "payload",
        "resources",
        "team",
        "funding",
        "documents",
        "statements",
    ):
        assert f'id="section-{section}"' in page
    assert 'id="checklist"' in page
    assert f'href="/proposals/{draft.pk}/edit/#section-summary"' in page
    assert 'value="Radon monitor"' in page


def test_save_section_without_htmx_redirects_to_the_section(client, draft):
    response = client.post(
        section_url(draft, "summary"),
        {
            "summary-title": "Lunar dust monitor",
            "summary-abstract": "Dust.",
            "summary-keywords": "dust",
        },
    )

    assert response["Location"] == f"/proposals/{draft.pk}/edit/#section-summary"
    assert (stored(draft).title, stored(draft).keywords) == (
        "Lunar dust monitor",
        "dust",
    )


def test_save_section_with_htmx_returns_the_card_and_the_checklist(client, draft):
    response = client.post(
        section_url(draft, "summary"),
        {
            "summary-title": "Lunar dust monitor",
            "summary-abstract": "Dust.",
            "summary-keywords": "dust",
        },
        **HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.startswith('<section id="section-summary"')
    assert "Saved at" in page
    assert (
        '<aside id="checklist" class="card mb-3 checklist-card" hx-swap-oob="true"'
        in page
    )
    assert 'value="Lunar dust monitor"' in page


def test_section_with_errors_keeps_the_other_sections_and_the_typed_text(client, draft):
    client.post(
        section_url(draft, "summary"),
        {"summary-title": "Saved title", "summary-abstract": "Saved abstract."},
    )

    response = client.post(
        section_url(draft, "payload"),
        {
            "payload-payload_description": "Typed description, not lost.",
            "payload-trl": "12",
        },
    )

    page = response.content.decode()
    proposal = stored(draft)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 9." in page
    assert "Typed description, not lost." in page
    assert 'value="12"' in page
    assert 'value="Saved title"' in page
    assert (proposal.title, proposal.payload_description, proposal.trl) == (
        "Saved title",
        "",
        None,
    )


def test_section_with_errors_over_htmx_returns_only_that_card(client, draft):
    response = client.post(
        section_url(draft, "resources"),
        {"resources-power_avg_w": "20", "resources-power_peak_w": "10"},
        **HTMX,
    )

    page = response.content.decode()
    assert page.startswith('<section id="section-resources"')
    assert "The peak power cannot be lower than the average power." in page
    assert "Saved at" not in page
    assert stored(draft).power_avg_w is None


def test_save_section_refuses_a_carrier_of_another_call(client, draft):
    foreign = CarrierFactory()

    response = client.post(
        section_url(draft, "resources"), {"resources-carrier": foreign.pk}
    )

    assert "Select a valid choice." in response.content.decode()
    assert stored(draft).carrier is None


def test_save_unknown_section_is_not_found(client, draft):
    response = client.post(section_url(draft, "team"), {"team-name": "x"})

    assert response.status_code == 404
    assert stored(draft).title == "Radon monitor"


def test_save_section_of_a_submitted_proposal_after_its_deadline_is_refused(
    client, draft
):
    Proposal.objects.filter(pk=draft.pk).update(status="submitted", reference="X-1")
    opportunity = draft.opportunity
    opportunity.status = "closed"
    opportunity.save()

    response = client.post(
        section_url(draft, "summary"), {"summary-title": "Too late"}, **HTMX
    )

    assert response["HX-Redirect"] == f"/proposals/{draft.pk}/"
    assert stored(draft).title == "Radon monitor"


# The resource check while typing ----------------------------------------------------


def check(client, proposal, **values):
    data = {f"resources-{name}": value for name, value in values.items()}
    return client.post(f"/proposals/{proposal.pk}/resources/check/", data, **HTMX)


def test_resource_check_shows_the_excess_as_danger_when_the_call_blocks(client, draft):
    carrier = draft.opportunity.carriers.get()

    response = check(client, draft, carrier=carrier.pk, mass_kg="12.5")

    page = response.content.decode()
    assert page.startswith('<div id="resource-check"')
    assert (
        '<div class="alert alert-danger py-2 mt-2 mb-0 small resource-finding">'
        f"The payload requests 12.5 kg; the {carrier.opportunity.mission.name} "
        "Lander offers at most 10 kg per payload.</div>"
    ).replace("'", "&#x27;") in page
    assert "What the Lander offers one payload" in page
    assert stored(draft).mass_kg is None


def test_resource_check_shows_the_excess_as_warning_when_the_call_warns(client):
    opportunity = OpportunityFactory(resource_policy=ResourcePolicy.WARN)
    carrier = CarrierFactory(opportunity=opportunity)
    proposal = ProposalFactory(opportunity=opportunity)
    client.force_login(proposal.principal_investigator)

    page = check(client, proposal, carrier=carrier.pk, mass_kg="12.5").content.decode()

    assert "alert alert-warning" in page
    assert "alert-danger" not in page
    assert "This call lets you submit a request beyond the envelope" in page


def test_resource_check_peak_power_is_a_warning_even_when_the_call_blocks(
    client, draft
):
    carrier = draft.opportunity.carriers.get()

    page = check(
        client, draft, carrier=carrier.pk, power_avg_w="10", power_peak_w="45"
    ).content.decode()

    assert "alert alert-warning" in page
    assert "peak of 45 W is above the 30 W" in page


def test_resource_check_within_the_envelope_says_so(client, draft):
    carrier = draft.opportunity.carriers.get()

    page = check(
        client,
        draft,
        carrier=carrier.pk,
        mass_kg="4.5",
        length_mm="100",
        width_mm="100",
        height_mm="100",
    ).content.decode()

    assert "resource-finding" not in page
    assert "Nothing you have entered exceeds this carrier's envelope." in page


def test_resource_check_without_a_carrier_asks_for_one(client, draft):
    page = check(client, draft, mass_kg="abc").content.decode()

    assert "Choose a carrier to see the resources it offers each payload." in page


def test_resources_card_offers_the_live_check(client, draft):
    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()

    assert f'hx-post="/proposals/{draft.pk}/resources/check/"' in page
    assert 'hx-trigger="input changed delay:400ms"' in page


def test_saved_resources_beyond_the_envelope_show_in_the_checklist(client, draft):
    carrier = draft.opportunity.carriers.get()

    client.post(
        section_url(draft, "resources"),
        {"resources-carrier": carrier.pk, "resources-mass_kg": "12.5"},
    )
    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()

    assert stored(draft).mass_kg == Decimal("12.5")
    assert "The payload requests 12.5 kg" in page
    assert "alert alert-danger" in page


# Documents ---------------------------------------------------------------------


def upload(client, proposal, content: bytes, *, name="proposal.pdf", **headers):
    required = proposal.opportunity.required_documents.get()
    return client.post(
        f"/proposals/{proposal.pk}/documents/{required.pk}/upload/",
        {f"document-{required.pk}-file": SimpleUploadedFile(name, content)},
        **headers,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty. Choose the PDF again and upload it."),
        (
            EXE_BYTES,
            "This file is a program, not a PDF, whatever its name says. Upload your "
            "document saved as PDF.",
        ),
        (
            HTML_BYTES,
            "This file is a web page (HTML), not a PDF. Print it to PDF and upload "
            "the PDF.",
        ),
        (
            b"PK\x03\x04" + b"\x00" * 100,
            "This file is a ZIP file, not a PDF. Upload a PDF.",
        ),
        (
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage with no end",
            "This PDF cannot be read; it may be damaged or incomplete. Save it again "
            "from your editor and upload it.",
        ),
        (
            make_pdf(password="secret"),
            "This PDF is protected by a password or encryption. Save it without "
            "protection and upload it again.",
        ),
        (
            make_pdf(pages=4),
            "The document has 4 pages; this call accepts at most 3 for “Full "
            "proposal”.",
        ),
    ],
    ids=["empty", "renamed-exe", "html", "zip", "corrupt", "encrypted", "pages"],
)
def test_upload_refused_shows_its_reason_next_to_the_document(
    client, draft, content, message
):
    required = draft.opportunity.required_documents.get()

    response = upload(client, draft, content)

    page = response.content.decode()
    slot = page.split(f'<div id="document-{required.pk}"')[1].split("</form>")[0]
    assert response.status_code == 200
    assert message in slot
    assert 'value="Radon monitor"' in page
    assert not ProposalDocument.objects.exists()


def test_upload_refused_over_htmx_returns_only_the_document_slot(client, draft):
    required = draft.opportunity.required_documents.get()

    response = upload(client, draft, HTML_BYTES, **HTMX)

    page = response.content.decode()
    assert page.startswith(f'<div id="document-{required.pk}"')
    assert "This file is a web page (HTML), not a PDF." in page
    assert 'aria-invalid="true"' in page


def test_upload_too_large_is_refused(client, draft):
    required = draft.opportunity.required_documents.get()
    required.max_size_mb = 1
    required.save()
    content = make_pdf() + b"%" * (1024 * 1024)

    page = upload(client, draft, content).content.decode()

    assert "The file is larger than 1 MB, the most this call accepts." in page
    assert not ProposalDocument.objects.exists()


def test_upload_accepted_without_htmx_redirects_to_the_documents(client, draft):
    response = upload(client, draft, make_pdf(pages=2), name="Radon – full.pdf")

    document = ProposalDocument.objects.get()
    assert response["Location"] == f"/proposals/{draft.pk}/edit/#section-documents"
    assert (document.original_name, document.page_count) == ("Radon – full.pdf", 2)


def test_upload_accepted_over_htmx_shows_the_file_and_the_checklist(client, draft):
    response = upload(client, draft, make_pdf(), name="annex.pdf", **HTMX)

    page = response.content.decode()
    document = ProposalDocument.objects.get()
    assert f'<a href="/proposals/documents/{document.pk}/">annex.pdf</a>' in page
    assert "document-error" not in page
    assert 'hx-swap-oob="true"' in page


def test_upload_replaces_the_previous_document(client, draft):
    upload(client, draft, make_pdf(), name="first.pdf")

    upload(client, draft, make_pdf(), name="second.pdf")

    assert [d.original_name for d in ProposalDocument.objects.all()] == ["second.pdf"]


def test_remove_document_deletes_it_from_the_draft(client, draft):
    document = ProposalDocumentFactory(
        proposal=draft, required_document=draft.opportunity.required_documents.get()
    )

    response = client.post(
        f"/proposals/{draft.pk}/documents/{document.pk}/remove/", **HTMX
    )

    assert not ProposalDocument.objects.exists()
    assert "proposal.pdf" not in response.content.decode()


def test_upload_by_an_unconfirmed_co_investigator_is_forbidden(client, draft):
    user = UserFactory()
    TeamMemberFactory(proposal=draft, user=user, email=user.email)
    client.force_login(user)

    response = upload(client, draft, make_pdf())

    assert response.status_code == 403
    assert not ProposalDocument.objects.exists()


def test_upload_form_works_without_javascript(client, draft):
    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()

    required = draft.opportunity.required_documents.get()
    assert (
        f'<form method="post" enctype="multipart/form-data" '
        f'action="/proposals/{draft.pk}/documents/{required.pk}/upload/"'
    ) in page
    assert f'name="document-{required.pk}-file"' in page


# Statements --------------------------------------------------------------------


def test_statements_accepted_by_the_pi(client, draft):
    first = StatementFactory(opportunity=draft.opportunity)
    StatementFactory(opportunity=draft.opportunity, text_en="We share data.")

    response = client.post(
        f"/proposals/{draft.pk}/statements/",
        {"statements-statements": [first.pk]},
        **HTMX,
    )

    assert [a.statement for a in draft.statement_acceptances.all()] == [first]
    assert "Saved at" in response.content.decode()


def test_statements_are_read_only_for_a_co_investigator(client, draft):
    StatementFactory(opportunity=draft.opportunity, text_en="We share data.")
    user = UserFactory()
    TeamMemberFactory(proposal=draft, user=user, email=user.email, confirmed=True)
    client.force_login(user)

    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()
    response = client.post(f"/proposals/{draft.pk}/statements/", {})

    assert "The principal investigator accepts these statements" in page
    assert response.status_code == 403


# The team card ------------------------------------------------------------------------


def add_member(client, proposal, **overrides):
    data = {
        "member-name": "Dr Luca Bianchi",
        "member-email": "luca@inaf.example.it",
        "member-institution": "INAF",
        "member-country": "IT",
        "member-role": TeamRole.CO_INVESTIGATOR,
    }
    data.update({f"member-{key}": value for key, value in overrides.items()})
    return client.post(f"/proposals/{proposal.pk}/team/", data, **HTMX)


def test_add_member_over_htmx_shows_them_waiting_and_emails_the_link(
    client, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = add_member(client, draft)

    page = response.content.decode()
    assert page.startswith('<section id="section-team"')
    assert "Dr Luca Bianchi" in page
    assert "Waiting" in page
    assert "We have emailed them a link" in page
    assert "These team members have not yet confirmed" in page
    assert [message.to for message in mailoutbox] == [["luca@inaf.example.it"]]
    assert "/proposals/team/confirm/" in mailoutbox[0].body


def test_add_member_with_the_pi_email_shows_the_rule(client, draft):
    response = add_member(client, draft, email=draft.principal_investigator.email)

    page = response.content.decode()
    assert "The principal investigator is on the team already." in page
    assert 'value="Dr Luca Bianchi"' in page
    assert not TeamMember.objects.exists()


def test_team_card_states_the_call_rules_and_what_breaks_them(client):
    opportunity = OpportunityFactory(max_entities=2, lead_country="CN")
    proposal = ProposalFactory(opportunity=opportunity)
    TeamMemberFactory(proposal=proposal, institution="A", confirmed=True)
    TeamMemberFactory(proposal=proposal, institution="B", confirmed=True)
    client.force_login(proposal.principal_investigator)

    page = client.get(f"/proposals/{proposal.pk}/edit/").content.decode()

    assert "At most 2 entities (distinct institutions), yours included." in page
    assert "The principal investigator's institution must be in China." in page
    assert "The team spans 3 entities" in page
    assert "This call requires the principal investigator&#x27;s institution" in page


def test_remove_member_takes_them_off_the_team(client, draft):
    member = TeamMemberFactory(proposal=draft, name="Dr Leaving")

    response = client.post(f"/proposals/{draft.pk}/team/{member.pk}/remove/", **HTMX)

    assert not TeamMember.objects.exists()
    assert "Dr Leaving is no longer on the team." in response.content.decode()


def test_resend_invitation_sends_a_new_link(
    client, draft, mailoutbox, django_capture_on_commit_callbacks
):
    member = TeamMemberFactory(proposal=draft, token_hash="0" * 64)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/proposals/{draft.pk}/team/{member.pk}/resend/")

    member.refresh_from_db()
    assert member.token_hash != "0" * 64
    assert [message.to for message in mailoutbox] == [[member.email]]


def test_member_of_another_proposal_cannot_be_removed_through_this_one(client, draft):
    stranger = TeamMemberFactory()

    response = client.post(f"/proposals/{draft.pk}/team/{stranger.pk}/remove/")

    assert response.status_code == 404
    assert TeamMember.objects.filter(pk=stranger.pk).exists()


def test_team_is_read_only_for_a_confirmed_co_investigator(client, draft):
    user = UserFactory()
    TeamMemberFactory(proposal=draft, user=user, email=user.email, confirmed=True)
    client.force_login(user)

    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()
    response = add_member(client, draft)

    assert "Only the principal investigator manages the team." in page
    assert "Add and send the invitation" not in page
    assert response.status_code == 403
    assert TeamMember.objects.count() == 1


def test_htmx_request_without_a_session_sends_the_page_to_sign_in(client, draft):
    client.logout()

    response = client.post(
        section_url(draft, "summary"),
        {"summary-title": "Lost session"},
        HTTP_HX_CURRENT_URL=f"http://testserver/proposals/{draft.pk}/edit/",
        **HTMX,
    )

    assert response["HX-Redirect"] == (
        f"/accounts/login/?next=/proposals/{draft.pk}/edit/"
    )
    assert stored(draft).title == "Radon monitor"
