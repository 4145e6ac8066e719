"""What keeps the researcher's signed-in pages light: the dashboard's and the
editor's narrower read, and a section save that renders the card from the
proposal it locked and saved instead of reading it a third time."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from proposals import selectors
from proposals.forms import SectionForm
from proposals.models import Proposal, SectionVersion
from proposals.permissions import can_edit_proposal
from tests.factories import (
    CarrierFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _save(client, proposal, version: int | None, title: str):
    data = {"summary-title": title, "summary-abstract": "An abstract."}
    if version is not None:
        data["summary-version"] = str(version)
    return client.post(
        reverse("proposals:save-section", args=[proposal.pk, "summary"]),
        data,
        **HTMX,
    )


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_dashboard_reads_the_same_rows_narrower(django_assert_num_queries, item_count):
    user = UserFactory()
    for _ in range(item_count):
        proposal = ProposalFactory(principal_investigator=user)
        proposal.carrier = CarrierFactory(opportunity=proposal.opportunity)
        proposal.save()
    TeamMemberFactory(proposal=ProposalFactory(), user=user, confirmed=True)

    wide = list(selectors.proposals_for_user(user=user))
    with django_assert_num_queries(2):  # the rows, their team places
        narrow = selectors.proposals_for_dashboard(user=user)

    assert [p.pk for p in narrow] == [p.pk for p in wide]
    # What a row shows and what its permission predicates read: no query more.
    with django_assert_num_queries(0):
        shown = [
            (p.title, p.deadline, str(p.opportunity.title), can_edit_proposal(user, p))
            for p in narrow
        ]
    assert shown == [
        (p.title, p.deadline, str(p.opportunity.title), can_edit_proposal(user, p))
        for p in wide
    ]


def test_section_save_counts_the_first_version_then_the_next(client):
    proposal = ProposalFactory(title="Radon monitor")
    client.force_login(proposal.principal_investigator)
    assert not SectionVersion.objects.filter(proposal=proposal).exists()

    first = _save(client, proposal, 0, "Radon monitor, first")

    # The card comes back with the version now stored, ready for the next save.
    assert first.context["saved_section"] == "summary"
    assert first.context["form"]["version"].value() == 1
    second = _save(client, proposal, 1, "Radon monitor, second")
    assert second.context["form"]["version"].value() == 2
    row = SectionVersion.objects.get(proposal=proposal, section="summary")
    assert (row.number, row.saved_by) == (2, proposal.principal_investigator)
    assert 'value="Radon monitor, second"' in second.content.decode()


def test_section_save_from_an_old_version_saves_nothing(client):
    proposal = ProposalFactory(title="Radon monitor")
    client.force_login(proposal.principal_investigator)
    _save(client, proposal, 0, "Saved first")

    response = _save(client, proposal, 0, "Saved from the old version")

    assert response.context["conflict"] is not None
    proposal.refresh_from_db()
    assert proposal.title == "Saved first"
    assert SectionVersion.objects.get(proposal=proposal, section="summary").number == 1


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_section_save_reads_the_proposal_twice_whatever_its_size(
    client, django_assert_num_queries, item_count
):
    proposal = ProposalFactory(title="Radon monitor")
    proposal.carrier = CarrierFactory(opportunity=proposal.opportunity)
    proposal.save()
    for _ in range(item_count):
        TeamMemberFactory(proposal=proposal, confirmed=True)
    client.force_login(proposal.principal_investigator)
    _save(client, proposal, 0, "First")

    # Session, account; the view's read that authorises (the proposal and its
    # call: the principal investigator needs no team places); in one
    # transaction (2) the lock's read (6), the sections' versions and two
    # writes. The card is rendered from the locked proposal.
    with django_assert_num_queries(14):
        response = _save(client, proposal, 1, "Second")

    assert response.context["form"]["version"].value() == 2
    # The saved card and the checklist (out of band), from the locked proposal;
    # the editor's other cards and forms are not built.
    assert [card.section for card in response.context["cards"]] == ["summary"]
    assert len(response.context["checklist"]) > 0
    page = response.content.decode()
    assert 'id="section-summary"' in page
    assert 'hx-swap-oob="true"' in page


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_section_save_by_a_co_investigator_costs_the_same_whatever_the_team(
    client, django_assert_num_queries, item_count
):
    proposal = ProposalFactory(title="Radon monitor")
    for _ in range(item_count - 1):
        TeamMemberFactory(proposal=proposal, confirmed=True)
    co_investigator = UserFactory()
    TeamMemberFactory(proposal=proposal, user=co_investigator, confirmed=True)
    client.force_login(co_investigator)
    _save(client, proposal, 0, "First")

    # As the principal investigator's save, and one query more: the team places
    # of the read that authorises (the predicates decide a co-investigator's
    # rights from them; the lock reads them again with the rest).
    with django_assert_num_queries(15):
        response = _save(client, proposal, 1, "Second")

    assert response.context["saved_section"] == "summary"
    row = SectionVersion.objects.get(proposal=proposal, section="summary")
    assert (row.number, row.saved_by) == (2, co_investigator)


def test_a_posted_section_form_reads_nothing_of_the_proposal(
    django_assert_num_queries,
):
    proposal = ProposalFactory(title="Stored title")
    # As the save's authorising read brings it: the rest of its columns deferred.
    bare = selectors.proposal_for_user(
        user=proposal.principal_investigator, pk=proposal.pk, bare=True
    )
    data = {
        "summary-title": "Posted title",
        "summary-abstract": "Posted.",
        "summary-version": "4",
    }

    with django_assert_num_queries(0):
        form = SectionForm(data, proposal=bare, section="summary")
        valid = form.is_valid()

    assert valid
    assert form.base_version == 4
    assert form.section_data() == {
        "title": "Posted title",
        "abstract": "Posted.",
        "keywords": "",
    }
    # Unposted, it starts from what is stored, with the section's version.
    SectionVersion.objects.create(
        proposal=proposal, section="summary", number=3, saved_at=timezone.now()
    )
    unposted = SectionForm(
        proposal=Proposal.objects.get(pk=proposal.pk), section="summary"
    )
    assert unposted["title"].value() == "Stored title"
    assert unposted["version"].value() == 3


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_refused_resources_save_names_the_carrier_without_reading_its_call_again(
    client, django_assert_num_queries, item_count
):
    proposal = ProposalFactory(complete=True)
    for _ in range(item_count):
        TeamMemberFactory(proposal=proposal, confirmed=True)
    client.force_login(proposal.principal_investigator)
    data = {
        "resources-carrier": str(proposal.carrier_id),
        "resources-mass_kg": "-2",
        "resources-version": "0",
    }

    # Session, account, the read that authorises; the form's carrier; the
    # proposal read whole (with its call and mission, six relations and the
    # sections' versions) for the card with its errors. The carrier is named
    # from that call: nothing of the call or its mission is read again.
    with django_assert_num_queries(12):
        response = client.post(
            reverse("proposals:save-section", args=[proposal.pk, "resources"]),
            data,
            **HTMX,
        )

    assert list(response.context["form"].errors) == ["mass_kg"]
    assert response.context["carrier"].opportunity is response.context["opportunity"]
    assert (
        f"What the {escape(proposal.carrier.name)} offers" in response.content.decode()
    )
