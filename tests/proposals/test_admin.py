"""Proposals in the Django admin: administrators only, read only, letters decided
through the services, exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.utils import timezone
from openpyxl import load_workbook

from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, ProposalVersion
from proposals.services import submit_proposal
from tests.factories import (
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.mfa import enable_totp, login_with_mfa

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/proposals/proposal/"


def staff(*, group: str = "", codenames=()):
    user = UserFactory(staff=True)
    enable_totp(user)
    if group:
        members, _created = Group.objects.get_or_create(name=group)
        members.permissions.set(
            Permission.objects.filter(
                content_type__app_label="proposals", codename__in=codenames
            )
        )
        user.groups.add(members)
    return user


@pytest.fixture
def administrator():
    user = staff(group="Administrators", codenames=["view_proposal", "change_proposal"])
    # Letters are decided with the one permission of every decision,
    # reviews.manage_reviews, which migration 0002 grants the Administrators.
    user.groups.get().permissions.add(
        Permission.objects.get(
            content_type__app_label="reviews", codename="manage_reviews"
        )
    )
    return user


@pytest.fixture
def admin_client(client, administrator):
    login_with_mfa(client, administrator)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who sees proposals here --------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("administrator", 200),
        ("superuser", 200),
        ("reviewer", 403),
        ("staff with view only", 200),
    ],
)
def test_changelist_is_for_administrators_only(client, who, status):
    proposal = ProposalFactory(title="Seen by administrators")
    user = {
        "administrator": lambda: staff(
            group="Administrators", codenames=["view_proposal", "change_proposal"]
        ),
        "superuser": lambda: UserFactory(superuser=True),
        "reviewer": lambda: staff(group="Reviewers"),
        "staff with view only": lambda: staff(
            group="Auditors", codenames=["view_proposal"]
        ),
    }[who]()
    if who == "superuser":
        enable_totp(user)
    login_with_mfa(client, user)

    response = client.get(CHANGELIST)

    assert response.status_code == status
    assert (proposal.title in response.content.decode()) == (status == 200)


def test_reviewer_does_not_see_proposals_on_the_admin_index(client):
    ProposalFactory()
    reviewer = staff(group="Reviewers")
    login_with_mfa(client, reviewer)

    response = client.get("/admin/")

    assert "/admin/proposals/proposal/" not in response.content.decode()


def test_reviewer_cannot_open_a_proposal_or_a_version(client, ready_proposal):
    proposal = ready_proposal()
    version = submit_proposal(proposal=proposal, actor=proposal.principal_investigator)
    login_with_mfa(client, staff(group="Reviewers"))

    change = client.get(f"{CHANGELIST}{proposal.pk}/change/")
    frozen = client.get(f"/admin/proposals/proposalversion/{version.pk}/change/")

    assert (change.status_code, frozen.status_code) == (403, 403)
    assert proposal.title not in change.content.decode()


# The changelist ------------------------------------------------------------------


def _proposals(count):
    opportunity = OpportunityFactory()
    for _ in range(count):
        proposal = ProposalFactory(opportunity=opportunity, complete=True)
        TeamMemberFactory(proposal=proposal)


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_changelist_query_count_is_constant(
    admin_client, django_assert_num_queries, item_count
):
    _proposals(item_count)

    # The same for any number of rows (reviewers have their own site: the
    # administrators' sidebar no longer asks whether the user reviews).
    with django_assert_num_queries(9):
        response = admin_client.get(CHANGELIST)

    assert response.context["cl"].result_count == item_count


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=CE7-2026-0042", ["Radon monitor"]),
        ("q=seismometer", ["Lunar seismometer"]),
        ("q=amina@uni-tunis", ["Radon monitor"]),
        ("q=Haddad", ["Radon monitor"]),
        ("q=INAF", ["Lunar seismometer"]),
        ("status__exact=submitted", ["Radon monitor"]),
        ("status__exact=draft", ["Lunar seismometer"]),
    ],
)
def test_changelist_searches_and_filters(admin_client, query, expected):
    ProposalFactory(
        title="Radon monitor",
        submitted=True,
        reference="CE7-2026-0042",
        principal_investigator=UserFactory(
            email="amina@uni-tunis.example.org", full_name="Dr Amina Haddad"
        ),
    )
    ProposalFactory(
        title="Lunar seismometer",
        principal_investigator=UserFactory(institution="INAF Roma"),
    )

    response = admin_client.get(f"{CHANGELIST}?{query}")

    assert [p.title for p in response.context["cl"].result_list] == expected


def test_changelist_filters_by_opportunity_and_offers_its_export(admin_client):
    mine = ProposalFactory(title="In this call")
    ProposalFactory(title="In another call")

    response = admin_client.get(
        f"{CHANGELIST}?opportunity__id__exact={mine.opportunity_id}"
    )

    page = response.content.decode()
    assert [p.title for p in response.context["cl"].result_list] == ["In this call"]
    assert f"/admin/proposals/proposal/export/{mine.opportunity_id}/csv/" in page
    assert f"/admin/proposals/proposal/export/{mine.opportunity_id}/xlsx/" in page


# Read only -------------------------------------------------------------------------


def test_change_page_is_read_only_with_documents_through_the_checked_view(
    admin_client, ready_proposal
):
    proposal = ready_proposal(title="Radon monitor")
    document = proposal.documents.get()

    response = admin_client.get(f"{CHANGELIST}{proposal.pk}/change/")
    posted = admin_client.post(
        f"{CHANGELIST}{proposal.pk}/change/", {"title": "Edited in the admin"}
    )

    page = response.content.decode()
    assert 'name="title"' not in page
    assert 'name="_save"' not in page
    assert f'href="/proposals/documents/{document.pk}/"' in page
    assert posted.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == "Radon monitor"


def test_versions_cannot_be_added_changed_or_deleted(admin_client, ready_proposal):
    proposal = ready_proposal()
    version = submit_proposal(proposal=proposal, actor=proposal.principal_investigator)
    url = f"/admin/proposals/proposalversion/{version.pk}"

    view = admin_client.get(f"{url}/change/")
    add = admin_client.get("/admin/proposals/proposalversion/add/")
    delete = admin_client.post(f"{url}/delete/", {"post": "yes"})

    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert f"/proposals/{proposal.pk}/versions/1/pdf/" in view.content.decode()
    assert (add.status_code, delete.status_code) == (403, 403)
    assert ProposalVersion.objects.filter(pk=version.pk).exists()


def test_add_and_delete_proposals_are_refused(admin_client):
    proposal = ProposalFactory()

    add = admin_client.get(f"{CHANGELIST}add/")
    delete = admin_client.post(f"{CHANGELIST}{proposal.pk}/delete/", {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Proposal.objects.filter(pk=proposal.pk).exists()


# Letters of intent ---------------------------------------------------------------


@pytest.fixture
def submitted_letter():
    """A submitted letter of intent whose deadline has passed."""
    now = timezone.now()
    opportunity = OpportunityFactory(
        opens_at=now - timedelta(days=20),
        loi_deadline=now - timedelta(days=1),
        proposal_deadline=now + timedelta(days=30),
    )
    return ProposalFactory(opportunity=opportunity, letter=True, submitted=True)


def run_action(client, action, proposals, **extra):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [p.pk for p in proposals],
            **extra,
        },
    )


def test_shortlist_action_asks_for_confirmation_first(admin_client, submitted_letter):
    response = run_action(admin_client, "shortlist_letters", [submitted_letter])

    assert "These letters of intent will be shortlisted" in response.content.decode()
    assert (
        Proposal.objects.get(pk=submitted_letter.pk).stage
        == ProposalStage.LETTER_OF_INTENT
    )


def test_shortlist_action_makes_the_letter_a_full_draft(
    admin_client, submitted_letter, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            admin_client, "shortlist_letters", [submitted_letter], post="yes"
        )

    proposal = Proposal.objects.get(pk=submitted_letter.pk)
    assert (proposal.stage, proposal.status) == (
        ProposalStage.FULL,
        ProposalStatus.DRAFT,
    )
    assert messages_of(response) == [
        "1 letter shortlisted; the team now writes the full proposal."
    ]
    assert [m.to for m in mailoutbox] == [[proposal.principal_investigator.email]]


def test_decline_action_sends_the_note(
    admin_client, submitted_letter, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_action(
            admin_client,
            "decline_letters",
            [submitted_letter],
            post="yes",
            note="The payload does not fit the lander.",
        )

    proposal = Proposal.objects.get(pk=submitted_letter.pk)
    assert proposal.status == ProposalStatus.DECLINED
    assert proposal.events.get().note == "The payload does not fit the lander."
    assert "The payload does not fit the lander." in mailoutbox[0].body


def test_decline_action_before_the_letter_deadline_is_refused_with_a_message(
    admin_client, letter_call
):
    letter = ProposalFactory(opportunity=letter_call, letter=True, submitted=True)

    response = run_action(admin_client, "decline_letters", [letter], post="yes")

    assert Proposal.objects.get(pk=letter.pk).status == ProposalStatus.SUBMITTED
    assert messages_of(response)[0].startswith(f"{letter}: Letters are shortlisted")


def test_letter_actions_need_the_change_permission(client, submitted_letter):
    viewer = staff(group="Auditors", codenames=["view_proposal"])
    login_with_mfa(client, viewer)

    response = client.get(CHANGELIST)
    run_action(client, "shortlist_letters", [submitted_letter], post="yes")

    actions = [
        value
        for value, _label in response.context["action_form"].fields["action"].choices
    ]
    assert "shortlist_letters" not in actions
    assert "export_csv" in actions
    assert (
        Proposal.objects.get(pk=submitted_letter.pk).stage
        == ProposalStage.LETTER_OF_INTENT
    )


# Exports ---------------------------------------------------------------------------


def test_export_of_an_opportunity_lists_its_proposals(admin_client):
    mine = ProposalFactory(title="In this call", submitted=True, reference="CE7-1")
    ProposalDocumentFactory(proposal=mine)
    ProposalFactory(title="In another call")

    response = admin_client.get(
        f"/admin/proposals/proposal/export/{mine.opportunity_id}/csv/"
    )

    rows = list(
        csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff")))
    )
    assert [row[:2] for row in rows[1:]] == [["CE7-1", "In this call"]]
    assert response["Content-Disposition"] == (
        f'attachment; filename="proposals-{mine.opportunity.slug}.csv"'
    )


def test_export_xlsx_action_exports_the_selection(admin_client):
    first = ProposalFactory(title="First")
    ProposalFactory(title="Second")

    response = run_action(admin_client, "export_xlsx", [first])

    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[1] for row in rows[1:]] == ["First"]


def test_export_is_refused_to_a_reviewer(client):
    proposal = ProposalFactory()
    login_with_mfa(client, staff(group="Reviewers"))

    response = client.get(
        f"/admin/proposals/proposal/export/{proposal.opportunity_id}/csv/"
    )

    assert response.status_code == 403
    assert proposal.title not in response.content.decode()
