"""The researcher's proposal pages: who may open what, the dashboard, starting a
proposal from a call, submitting, withdrawing, versions and downloads."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from catalogue.templatetags.catalogue_tags import iso_utc
from proposals.enums import ProposalStage, ProposalStatus, TeamRole
from proposals.models import Proposal, ProposalVersion, TeamMember
from proposals.services import submit_proposal
from proposals.services.team import hash_token
from tests.factories import (
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
    make_pdf,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "other researcher",
    "unconfirmed co-investigator",
    "confirmed co-investigator",
    "principal investigator",
    "administrator",
]


def make_administrator():
    """A staff member of the administrators' group, as the demo seed makes them."""
    user = UserFactory(staff=True)
    group, _created = Group.objects.get_or_create(name="Administrators")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="proposals",
            codename__in=["view_proposal", "change_proposal"],
        )
    )
    user.groups.add(group)
    return user


@pytest.fixture
def cast(ready_proposal):
    """A submitted proposal (version 1, still open for revision) and everyone
    who might ask for it."""
    proposal = ready_proposal(title="Radon monitor for the south pole")
    confirmed = UserFactory()
    TeamMemberFactory(
        proposal=proposal, user=confirmed, email=confirmed.email, confirmed=True
    )
    submit_proposal(proposal=proposal, actor=proposal.principal_investigator)
    unconfirmed = UserFactory()
    TeamMemberFactory(proposal=proposal, user=unconfirmed, email=unconfirmed.email)
    users = {
        "anonymous": None,
        "other researcher": UserFactory(),
        "unconfirmed co-investigator": unconfirmed,
        "confirmed co-investigator": confirmed,
        "principal investigator": proposal.principal_investigator,
        "administrator": make_administrator(),
    }
    return Proposal.objects.get(pk=proposal.pk), users


def _signed_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


# The access matrix: every page and action against every role ------------------

# (name, method, url, expected status per role in ROLES order)
MATRIX = [
    ("detail", "get", "/proposals/{pk}/", [302, 404, 200, 200, 200, 200]),
    ("edit", "get", "/proposals/{pk}/edit/", [302, 404, 403, 200, 200, 403]),
    ("submit page", "get", "/proposals/{pk}/submit/", [302, 404, 403, 403, 200, 403]),
    (
        "withdraw page",
        "get",
        "/proposals/{pk}/withdraw/",
        [302, 404, 403, 403, 200, 403],
    ),
    ("version", "get", "/proposals/{pk}/versions/1/", [302, 404, 200, 200, 200, 200]),
    (
        "version pdf",
        "get",
        "/proposals/{pk}/versions/1/pdf/",
        [302, 404, 200, 200, 200, 200],
    ),
    (
        "document",
        "get",
        "/proposals/documents/{document}/",
        [302, 404, 200, 200, 200, 200],
    ),
    (
        "resource check",
        "post",
        "/proposals/{pk}/resources/check/",
        [302, 404, 403, 200, 200, 403],
    ),
]


@pytest.mark.parametrize(
    "case", [case[1:] for case in MATRIX], ids=[case[0] for case in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_proposal_page_access_by_role(client, cast, role, case):
    method, url, expected = case
    proposal, users = cast
    document = proposal.documents.get()
    path = url.format(pk=proposal.pk, document=document.pk)
    status = expected[ROLES.index(role)]

    response = getattr(_signed_in(client, users[role]), method)(path)

    assert response.status_code == status
    body = b"" if response.streaming else response.content
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={path}"
    elif status in {403, 404}:
        assert proposal.title.encode() not in body
    elif "pdf" in path or "documents" in path:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
    elif method == "get":
        assert proposal.title in response.content.decode()


# (name, url, data, roles allowed to change the proposal)
WRITES = [
    (
        "save section",
        "/proposals/{pk}/sections/summary/",
        {
            "summary-title": "Changed title",
            "summary-abstract": "Changed abstract.",
            "summary-keywords": "changed",
        },
        {"confirmed co-investigator", "principal investigator"},
    ),
    (
        "add a member",
        "/proposals/{pk}/team/",
        {
            "member-name": "Dr Changed",
            "member-email": "changed@example.org",
            "member-institution": "Changed Institute",
            "member-country": "DE",
            "member-role": TeamRole.COLLABORATOR,
        },
        {"principal investigator"},
    ),
]


def _state(proposal: Proposal) -> tuple:
    return (
        Proposal.objects.get(pk=proposal.pk).title,
        TeamMember.objects.filter(proposal=proposal).count(),
    )


@pytest.mark.parametrize(
    "case", [case[1:] for case in WRITES], ids=[case[0] for case in WRITES]
)
@pytest.mark.parametrize("role", ROLES)
def test_proposal_write_by_role(client, cast, role, case):
    url, data, allowed = case
    proposal, users = cast
    before = _state(proposal)
    path = url.format(pk=proposal.pk)

    response = _signed_in(client, users[role]).post(path, data)

    if role in allowed:
        assert response.status_code == 302
        assert response["Location"].startswith(f"/proposals/{proposal.pk}/edit/#")
        assert _state(proposal) != before
    else:
        expected = {"anonymous": 302, "other researcher": 404}.get(role, 403)
        assert response.status_code == expected
        assert _state(proposal) == before


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_access_by_role(client, cast, role):
    proposal, users = cast

    response = _signed_in(client, users[role]).get("/proposals/")

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/proposals/"
        return
    listed = [row["proposal"].pk for row in response.context["rows"]]
    on_proposal = role in {
        "unconfirmed co-investigator",
        "confirmed co-investigator",
        "principal investigator",
    }
    assert listed == ([proposal.pk] if on_proposal else [])


# The dashboard -------------------------------------------------------------------


def test_dashboard_lists_led_and_team_proposals_with_status_and_deadline(client):
    user = UserFactory()
    led = ProposalFactory(principal_investigator=user, title="Led by me")
    on_team = ProposalFactory(submitted=True, title="On a team")
    TeamMemberFactory(proposal=on_team, user=user, email=user.email, confirmed=True)
    ProposalFactory(title="Not mine")
    client.force_login(user)

    response = client.get("/proposals/")

    page = response.content.decode()
    assert [row["proposal"].title for row in response.context["rows"]] == [
        "On a team",
        "Led by me",
    ]
    assert [row["role"] for row in response.context["rows"]] == [
        "Co-investigator",
        "Principal investigator",
    ]
    assert "Not mine" not in page
    assert "Submitted" in page
    assert on_team.reference in page
    assert f'data-countdown="{iso_utc(led.deadline)}"' in page
    assert [(row["url"], row["call_url"]) for row in response.context["rows"]] == [
        (p.get_absolute_url(), p.opportunity.get_absolute_url()) for p in (on_team, led)
    ]


def test_dashboard_dates_follow_the_language_of_each_visit(client):
    user = UserFactory()
    ProposalFactory(principal_investigator=user)
    client.force_login(user)

    english = client.get("/proposals/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/proposals/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    cache.clear()  # the rows are rendered again, their dates remembered
    again = client.get("/proposals/", HTTP_ACCEPT_LANGUAGE="en")

    assert english.context["rows"][0]["updated"].endswith("Beijing time (UTC+8)")
    assert chinese.context["rows"][0]["updated"].startswith("北京时间")
    assert again.context["rows"][0]["updated"] == english.context["rows"][0]["updated"]


def test_dashboard_shows_pending_invitations_of_the_user(client):
    user = UserFactory()
    member = TeamMemberFactory(
        user=user, email=user.email, proposal__title="Lunar seismometer"
    )
    client.force_login(user)

    response = client.get("/proposals/")

    assert list(response.context["invitations"]) == [member]
    assert "Lunar seismometer" in response.content.decode()
    assert (
        reverse("proposals:confirm-invitation", kwargs={"member_pk": member.pk})
        in response.content.decode()
    )


def test_confirm_invitation_from_the_dashboard_confirms_it(client):
    user = UserFactory()
    member = TeamMemberFactory(user=user, email=user.email)
    client.force_login(user)

    response = client.post(f"/proposals/team/invitations/{member.pk}/confirm/")

    assert response["Location"] == "/proposals/"
    member.refresh_from_db()
    assert member.is_confirmed


def test_confirm_invitation_of_someone_else_is_not_found(client):
    member = TeamMemberFactory(user=UserFactory())
    client.force_login(UserFactory())

    response = client.post(f"/proposals/team/invitations/{member.pk}/confirm/")

    assert response.status_code == 404
    member.refresh_from_db()
    assert not member.is_confirmed


def _dashboard_rows(user, count):
    for _ in range(count):
        proposal = ProposalFactory(complete=True, principal_investigator=user)
        TeamMemberFactory(proposal=proposal, confirmed=True)
        ProposalDocumentFactory(proposal=proposal)
        invited = ProposalFactory()
        TeamMemberFactory(proposal=invited, user=user, email=user.email)


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_dashboard_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    user = UserFactory()
    _dashboard_rows(user, item_count)
    client.force_login(user)

    # The first visit: the digest of what the rows show (proposals.digests),
    # the rows and their team places, the drafts read whole for their
    # completion figures (seven queries for all), and one query asks whether
    # our emails bounce from the user's address; the digest is read again
    # before the rows are kept. The invitations come from the rows' team places.
    with django_assert_num_queries(13):
        response = client.get("/proposals/")
    # A later visit finds the rows and the address's answer kept: the digest
    # (and the session and the user).
    with django_assert_num_queries(3):
        again = client.get("/proposals/")
    # After a write the rows are rendered again, the figures computed again.
    Proposal.objects.filter(principal_investigator=user).update(title="Renamed")
    with django_assert_num_queries(12):
        renamed = client.get("/proposals/")

    assert len(response.context["rows"]) == 2 * item_count
    assert len(renamed.context["invitations"]) == item_count
    assert again.content.count(b"% complete") == 2 * item_count
    assert [row["progress"] for row in renamed.context["rows"]] == [
        row["progress"] for row in response.context["rows"]
    ]


# Starting from the call's page ----------------------------------------------------


def test_opportunity_page_offers_sign_in_to_anonymous_visitors(client):
    opportunity = OpportunityFactory()

    page = client.get(opportunity.get_absolute_url()).content.decode()

    assert "Sign in to propose" in page
    assert f"/accounts/login/?next={opportunity.get_absolute_url()}" in page
    assert "Start a proposal" not in page


def test_opportunity_page_offers_to_start_a_proposal(client, researcher):
    opportunity = OpportunityFactory()
    client.force_login(researcher)

    page = client.get(opportunity.get_absolute_url()).content.decode()

    assert "Start a proposal" in page
    assert f'action="/proposals/start/{opportunity.slug}/"' in page


def test_opportunity_page_offers_a_letter_of_intent_before_its_deadline(
    client, researcher, letter_call
):
    client.force_login(researcher)

    page = client.get(letter_call.get_absolute_url()).content.decode()

    assert "Submit a letter of intent" in page
    assert "Start a proposal" not in page


@pytest.mark.parametrize("role", ["principal investigator", "team member"])
def test_opportunity_page_offers_to_continue_an_existing_proposal(client, role):
    proposal = ProposalFactory()
    user = proposal.principal_investigator
    if role == "team member":
        user = UserFactory()
        TeamMemberFactory(proposal=proposal, user=user, email=user.email)
    client.force_login(user)

    page = client.get(proposal.opportunity.get_absolute_url()).content.decode()

    assert "Continue your proposal" in page
    assert f'href="/proposals/{proposal.pk}/"' in page
    assert "Start a proposal" not in page


def test_opportunity_page_after_the_letter_deadline_says_letters_are_closed(
    client, researcher
):
    now = timezone.now()
    opportunity = OpportunityFactory(
        opens_at=now - timedelta(days=20),
        loi_deadline=now - timedelta(days=1),
        proposal_deadline=now + timedelta(days=30),
    )
    client.force_login(researcher)

    page = client.get(opportunity.get_absolute_url()).content.decode()

    assert "Letters of intent for this call are closed" in page
    assert "Start a proposal" not in page


def test_opportunity_page_offers_a_new_start_after_a_withdrawal(client):
    proposal = ProposalFactory(status=ProposalStatus.WITHDRAWN)
    client.force_login(proposal.principal_investigator)

    page = client.get(proposal.opportunity.get_absolute_url()).content.decode()

    assert "Start a proposal" in page
    assert "Continue your proposal" not in page


@pytest.mark.parametrize("trait", ["closed", "decided", "cancelled"])
def test_opportunity_page_offers_nothing_when_the_call_is_not_open(
    client, researcher, trait
):
    opportunity = OpportunityFactory(**{trait: True})
    client.force_login(researcher)

    page = client.get(opportunity.get_absolute_url()).content.decode()

    assert 'gap-3 proposal-actions"' not in page
    for offer in ("Start a proposal", "Sign in to propose", "Continue your proposal"):
        assert offer not in page


def test_start_opens_a_draft_led_by_the_user(client, researcher):
    opportunity = OpportunityFactory()
    client.force_login(researcher)

    response = client.post(f"/proposals/start/{opportunity.slug}/")

    proposal = Proposal.objects.get()
    assert response["Location"] == f"/proposals/{proposal.pk}/edit/"
    assert (proposal.principal_investigator, proposal.opportunity) == (
        researcher,
        opportunity,
    )
    assert (proposal.stage, proposal.status) == (
        ProposalStage.FULL,
        ProposalStatus.DRAFT,
    )


def test_start_on_a_letter_call_opens_a_letter(client, researcher, letter_call):
    client.force_login(researcher)

    client.post(f"/proposals/start/{letter_call.slug}/")

    assert Proposal.objects.get().stage == ProposalStage.LETTER_OF_INTENT


def test_start_on_a_closed_call_is_refused_with_a_message(client, researcher):
    opportunity = OpportunityFactory(closed=True)
    client.force_login(researcher)

    response = client.post(f"/proposals/start/{opportunity.slug}/", follow=True)

    assert not Proposal.objects.exists()
    assert "This call is not open for proposals." in response.content.decode()


def test_start_on_a_draft_call_is_not_found(client, researcher):
    opportunity = OpportunityFactory(draft=True)
    client.force_login(researcher)

    response = client.post(f"/proposals/start/{opportunity.slug}/")

    assert response.status_code == 404
    assert not Proposal.objects.exists()


def test_start_by_get_is_not_allowed(client, researcher):
    opportunity = OpportunityFactory()
    client.force_login(researcher)

    response = client.get(f"/proposals/start/{opportunity.slug}/")

    assert response.status_code == 405
    assert not Proposal.objects.exists()


# Submitting -----------------------------------------------------------------------


def test_submit_page_reviews_the_checklist(client, ready_proposal):
    proposal = ready_proposal(abstract="")
    client.force_login(proposal.principal_investigator)

    response = client.get(f"/proposals/{proposal.pk}/submit/")

    page = response.content.decode()
    assert "Summary: fill in abstract." in page
    assert response.context["problems"] == ["Summary: fill in abstract."]


def test_submit_shows_the_reference_number_and_emails_the_team(
    client, ready_proposal, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = ready_proposal()
    pi = proposal.principal_investigator
    client.force_login(pi)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/proposals/{proposal.pk}/submit/", follow=True)

    proposal.refresh_from_db()
    page = response.content.decode()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert f'<strong class="reference-number">{proposal.reference}</strong>' in page
    assert f"Your reference number is {proposal.reference} (version 1)" in page
    assert f"{proposal.reference} v1" in page
    assert pi.email in [message.to[0] for message in mailoutbox]


def test_submit_one_second_late_is_refused_and_the_draft_kept(client, ready_proposal):
    proposal = ready_proposal(title="Late but complete")
    opportunity = proposal.opportunity
    opportunity.proposal_deadline = timezone.now() - timedelta(seconds=1)
    opportunity.save()
    client.force_login(proposal.principal_investigator)

    response = client.post(f"/proposals/{proposal.pk}/submit/")

    page = response.content.decode()
    proposal.refresh_from_db()
    assert response.status_code == 200
    assert "The proposal deadline passed on" in page
    assert (proposal.status, proposal.reference, proposal.title) == (
        ProposalStatus.DRAFT,
        "",
        "Late but complete",
    )
    assert not ProposalVersion.objects.exists()


def test_submit_by_a_co_investigator_is_forbidden(client, ready_proposal):
    proposal = ready_proposal()
    user = UserFactory()
    TeamMemberFactory(proposal=proposal, user=user, email=user.email, confirmed=True)
    client.force_login(user)

    response = client.post(f"/proposals/{proposal.pk}/submit/")

    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_withdraw_by_the_pi_withdraws_with_the_reason(client, cast):
    proposal, users = cast
    client.force_login(users["principal investigator"])

    response = client.post(
        f"/proposals/{proposal.pk}/withdraw/", {"reason": "Not ready in time."}
    )

    proposal.refresh_from_db()
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert proposal.events.last().note == "Not ready in time."


def test_withdraw_by_a_co_investigator_is_forbidden(client, cast):
    proposal, users = cast
    client.force_login(users["confirmed co-investigator"])

    response = client.post(f"/proposals/{proposal.pk}/withdraw/")

    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED


def test_withdrawn_proposal_page_offers_no_edit_and_editor_redirects(client, cast):
    proposal, users = cast
    client.force_login(users["principal investigator"])
    client.post(f"/proposals/{proposal.pk}/withdraw/")

    detail = client.get(f"/proposals/{proposal.pk}/").content.decode()
    response = client.get(f"/proposals/{proposal.pk}/edit/", follow=True)

    assert f'href="/proposals/{proposal.pk}/edit/"' not in detail
    assert response.redirect_chain == [(f"/proposals/{proposal.pk}/", 302)]
    assert "can no longer be changed" in response.content.decode()


# Versions and documents -------------------------------------------------------------


def test_proposal_page_lists_versions_and_status_history(client, cast):
    proposal, users = cast
    client.force_login(users["principal investigator"])

    response = client.get(f"/proposals/{proposal.pk}/")

    page = response.content.decode()
    assert [v.number for v in response.context["versions"]] == [1]
    assert f'href="/proposals/{proposal.pk}/versions/1/"' in page
    assert "Draft → Submitted" in page
    assert "Version 1 submitted." in page


def test_version_page_shows_the_frozen_snapshot(client, cast):
    proposal, users = cast
    client.force_login(users["principal investigator"])
    Proposal.objects.filter(pk=proposal.pk).update(title="Changed after submission")

    page = client.get(f"/proposals/{proposal.pk}/versions/1/").content.decode()

    assert "Radon monitor for the south pole" in page
    assert "Changed after submission" not in page.split("<main")[1].split("<header")[1]


def test_version_pdf_is_an_attachment_named_after_the_reference(client, cast):
    proposal, users = cast
    client.force_login(users["confirmed co-investigator"])

    response = client.get(f"/proposals/{proposal.pk}/versions/1/pdf/")

    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{proposal.reference}-v1.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_document_download_streams_the_stored_file_as_attachment(client, cast):
    proposal, users = cast
    document = proposal.documents.get()
    client.force_login(users["administrator"])

    response = client.get(f"/proposals/documents/{document.pk}/")

    assert b"".join(response.streaming_content) == make_pdf(pages=2)
    assert response["Content-Disposition"] == 'attachment; filename="proposal.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


# The emailed confirmation link --------------------------------------------------------


@pytest.fixture
def invited():
    return TeamMemberFactory(
        token_hash=hash_token("the-token"),
        institution="Politecnico di Milan",
        proposal__title="Dust analyser",
    )


def test_confirmation_link_shows_the_invitation_without_confirming(client, invited):
    response = client.get("/proposals/team/confirm/the-token/")

    page = response.content.decode()
    invited.refresh_from_db()
    assert "Dust analyser" in page
    assert 'value="Politecnico di Milan"' in page
    assert not invited.is_confirmed


def test_confirmation_link_confirms_and_corrects_the_institution(client, invited):
    response = client.post(
        "/proposals/team/confirm/the-token/",
        {"institution": "Politecnico di Milano"},
        follow=True,
    )

    invited.refresh_from_db()
    assert invited.is_confirmed
    assert invited.institution == "Politecnico di Milano"
    assert invited.user is None
    assert "You confirmed your participation on" in response.content.decode()


def test_confirmation_link_signed_in_with_that_email_links_the_account(client, invited):
    user = UserFactory(email=invited.email)
    client.force_login(user)

    client.post(
        "/proposals/team/confirm/the-token/", {"institution": invited.institution}
    )

    invited.refresh_from_db()
    assert (invited.is_confirmed, invited.user) == (True, user)


def test_confirmation_link_unknown_token_is_not_found(client, invited):
    response = client.get("/proposals/team/confirm/another-token/")

    assert response.status_code == 404
    assert "This confirmation link is not valid." in response.content.decode()


def test_confirmation_link_of_a_withdrawn_proposal_is_refused(client, invited):
    Proposal.objects.filter(pk=invited.proposal_id).update(
        status=ProposalStatus.WITHDRAWN
    )

    response = client.post(
        "/proposals/team/confirm/the-token/", {"institution": invited.institution}
    )

    invited.refresh_from_db()
    assert not invited.is_confirmed
    assert "participation can no longer be confirmed" in response.content.decode()
