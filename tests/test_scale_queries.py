"""What keeps the signed-in and staff pages as fast at 100,000 proposals as on
the demo data: the dashboard's proposals read by two index look-ups, big
changelists counted by PostgreSQL's estimate, filters offering calls from the
calls' own table, the editor's and a section save's queries pinned, and the
hand-written widgets, changelist rows and navigation sidebar the same markup as
Django's."""

import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from config.admin_lists import ESTIMATE_FROM, EstimatedCountPaginator, LeanChangeList
from proposals.forms import TeamMemberForm
from proposals.models import Proposal
from proposals.selectors import proposals_for_user
from tests.factories import (
    CarrierFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    RequiredDocumentFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.mfa import login_with_mfa

pytestmark = pytest.mark.django_db

PROPOSALS = reverse("admin:proposals_proposal_changelist")


def _pretend_rows(model, rows: int) -> None:
    """Set the planner's row estimate of `model`'s table, as an ANALYZE of a
    big table would (undone with the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = %s WHERE oid = to_regclass(%s)",
            [rows, model._meta.db_table],
        )


# The dashboard's selector ----------------------------------------------------------


def test_proposals_for_user_are_led_and_team_ones_once_each(db):
    user = UserFactory()
    led = ProposalFactory(principal_investigator=user)
    led_and_on_team = ProposalFactory(principal_investigator=user)
    TeamMemberFactory(proposal=led_and_on_team, user=user, email=user.email)
    on_team = ProposalFactory()
    TeamMemberFactory(proposal=on_team, user=user, email=user.email)
    ProposalFactory()  # someone else's
    Proposal.objects.filter(pk=led.pk).update(updated_at=led.updated_at.replace(2030))

    found = [proposal.pk for proposal in proposals_for_user(user=user)]

    assert found[0] == led.pk  # newest first
    assert sorted(found) == sorted([led.pk, led_and_on_team.pk, on_team.pk])


def test_proposals_for_user_reads_no_proposal_but_by_its_key(db):
    """A UNION of two index look-ups, never `principal_investigator = … OR pk IN
    (…)`, which PostgreSQL can only answer by reading every proposal."""
    user = UserFactory()

    sql = str(proposals_for_user(user=user).query)

    assert " UNION " in sql
    assert " OR " not in sql


# Signed-in pages: queries pinned ---------------------------------------------------


def _draft_with(count: int, user):
    proposal = ProposalFactory(complete=True, principal_investigator=user)
    CarrierFactory(opportunity=proposal.opportunity)
    for index in range(count):
        TeamMemberFactory(proposal=proposal, confirmed=True)
        required = RequiredDocumentFactory(
            opportunity=proposal.opportunity, name_en=f"Annex {index}"
        )
        ProposalDocumentFactory(proposal=proposal, required_document=required)
    return proposal


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_editor_query_count_is_constant(client, django_assert_num_queries, item_count):
    user = UserFactory()
    proposal = _draft_with(item_count, user)
    client.force_login(user)

    # The first visit: the digest of what the cards show, the proposal with
    # its call (which authorises its principal investigator), then the
    # proposal whole (the five section forms share one read of the sections'
    # versions).
    # (and the digest again before the cards are kept: nothing changed meanwhile).
    with django_assert_num_queries(13):
        response = client.get(reverse("proposals:edit", args=[proposal.pk]))
    # Later visits find the cards kept and, the digest unchanged, the rows
    # the first visit authorised from: only the digest is read (and the
    # session and the user); the rights are decided again from those rows.
    with django_assert_num_queries(3):
        again = client.get(reverse("proposals:edit", args=[proposal.pk]))
    # A co-investigator's rights are decided from the team places too.
    member = UserFactory()
    TeamMemberFactory(proposal=proposal, user=member, confirmed=True)
    client.force_login(member)
    client.get(reverse("proposals:edit", args=[proposal.pk]))
    with django_assert_num_queries(3):
        kept = client.get(reverse("proposals:edit", args=[proposal.pk]))

    assert kept.status_code == 200
    assert b'id="section-summary"' in kept.content

    assert len(response.context["members"]) == item_count
    assert len(response.context["documents"]) == item_count
    assert "members" not in again.context
    assert again.content.count(b"member-") == response.content.count(b"member-")


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_section_save_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    user = UserFactory()
    proposal = _draft_with(item_count, user)
    client.force_login(user)

    # As the editor saves: with htmx, the card and the checklist come back,
    # rendered from the proposal the save locked (no third read).
    with django_assert_num_queries(15):
        response = client.post(
            reverse("proposals:save-section", args=[proposal.pk, "funding"]),
            {
                "funding-funding_statement": "Funded by the agency.",
                "funding-version": "0",
            },
            HTTP_HX_REQUEST="true",
        )

    assert response.context["saved_section"] == "funding"
    proposal.refresh_from_db()
    assert proposal.funding_statement == "Funded by the agency."


# Staff lists: counted by estimate, filters from small tables ----------------------


@pytest.fixture
def staff_client(client, admin_user):
    login_with_mfa(client, admin_user)
    return client


@pytest.mark.parametrize(
    ("estimate", "counted"), [(123_456, 123_456), (ESTIMATE_FROM - 1, 3)]
)
def test_changelist_counts_a_big_table_by_the_planners_estimate(
    staff_client, django_assert_num_queries, estimate, counted
):
    ProposalFactory.create_batch(3)
    _pretend_rows(Proposal, estimate)

    # The same queries either way: PostgreSQL counts only a small table.
    with django_assert_num_queries(7):
        response = staff_client.get(PROPOSALS)

    assert response.context["cl"].result_count == counted
    assert len(response.context["cl"].result_list) == 3
    assert f"{counted} proposals" in response.content.decode()


def test_changelist_page_past_an_estimated_end_is_empty_not_an_error(staff_client):
    ProposalFactory.create_batch(3)
    _pretend_rows(Proposal, ESTIMATE_FROM + 5_000)

    response = staff_client.get(PROPOSALS, {"p": "10"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_estimated_page_is_never_cut_at_an_estimate_below_the_truth():
    paginator = EstimatedCountPaginator(list(range(10)), per_page=4)
    # The planner's estimate says 5 rows; the table holds 10.
    paginator.__dict__["count"] = 5
    paginator.estimated = True

    assert list(paginator.page(2).object_list) == [4, 5, 6, 7]
    assert list(paginator.page(3).object_list) == [8, 9]


def test_changelist_filtered_or_small_is_counted_exactly(staff_client):
    mine = ProposalFactory()
    ProposalFactory.create_batch(2)
    _pretend_rows(Proposal, 123_456)

    filtered = staff_client.get(
        PROPOSALS, {"opportunity__id__exact": mine.opportunity_id}
    )
    _pretend_rows(Proposal, ESTIMATE_FROM - 1)
    small = staff_client.get(PROPOSALS)

    assert filtered.context["cl"].result_count == 1
    assert small.context["cl"].result_count == 3


def test_proposals_filter_offers_every_call_from_the_calls_table(staff_client):
    with_proposals = ProposalFactory().opportunity
    without = OpportunityFactory()

    response = staff_client.get(PROPOSALS)

    spec = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", "") == "opportunity__id__exact"
    )
    offered = {value for value, _label in spec.lookup_choices}
    assert offered == {str(with_proposals.pk), str(without.pk)}


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:proposals_proposal_changelist",
        "admin:reviews_reviewassignment_changelist",
        "admin:reviews_review_changelist",
        "admin:reviews_decision_changelist",
        "admin:proposals_proposalversion_changelist",
        "admin:notifications_outboundemail_changelist",
        "admin:accounts_user_changelist",
    ],
)
def test_big_changelists_count_once(staff_client, url_name):
    response = staff_client.get(reverse(url_name))

    changelist = response.context["cl"]
    assert changelist.full_result_count is None  # no second COUNT(*)
    assert changelist.model_admin.paginator.__name__ == "EstimatedCountPaginator"


def test_row_checkbox_is_the_markup_django_writes(staff_client):
    proposal = ProposalFactory(title="Radon & dust")
    model_admin = admin.site.get_model_admin(Proposal)

    ours = model_admin.action_checkbox(proposal)
    django = admin.ModelAdmin.action_checkbox(model_admin, proposal)

    assert ours == django


# Staff lists: rows and the sidebar written in one pass, Django's markup -------------

LEAN_LISTS = {
    "admin:proposals_proposal_changelist": lambda: [
        ProposalFactory(title="Radon & <dust>"),
        ProposalFactory(submitted=True),
    ],
    "admin:reviews_reviewassignment_changelist": lambda: [
        ReviewAssignmentFactory(),
        ReviewFactory().assignment,
    ],
    "admin:reviews_review_changelist": lambda: ReviewFactory.create_batch(2),
    "admin:proposals_proposalversion_changelist": lambda: (
        ProposalVersionFactory.create_batch(2)
    ),
    "admin:accounts_user_changelist": lambda: UserFactory.create_batch(2),
}


@pytest.mark.parametrize("query", [{}, {"o": "-2", "q": "a"}])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("url_name", sorted(LEAN_LISTS))
def test_lean_changelist_rows_are_the_markup_django_writes(
    staff_client, url_name, language, query
):
    LEAN_LISTS[url_name]()

    response = staff_client.get(reverse(url_name), query, HTTP_ACCEPT_LANGUAGE=language)

    changelist = response.context["cl"]
    ours = ["".join(row) for row in changelist.result_table["results"]]
    with translation.override(language):
        django = ["".join(row) for row in results(changelist)]
    assert ours == django
    assert len(ours) == changelist.result_count
    assert all(row in response.content.decode() for row in ours)


def _spaced(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _filter_column(html: str) -> str:
    return _spaced(re.search(r'<nav id="changelist-filter".*?</nav>', html, re.S)[0])


@pytest.mark.parametrize("query", [{}, {"status__exact": "submitted"}])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_lean_changelist_filters_are_the_markup_django_writes(
    staff_client, monkeypatch, language, query
):
    ProposalFactory(submitted=True)

    ours = staff_client.get(PROPOSALS, query, HTTP_ACCEPT_LANGUAGE=language)
    monkeypatch.setattr(LeanChangeList, "filter_nav", "")
    django = staff_client.get(PROPOSALS, query, HTTP_ACCEPT_LANGUAGE=language)

    column = _filter_column(ours.content.decode())
    assert column == _filter_column(django.content.decode())
    assert column == _spaced(ours.context["cl"].filter_nav)
    assert '<li class="selected">' in column
    assert ("Clear all filters" in column) == (bool(query) and language == "en")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_nav_sidebar_is_the_markup_django_writes(staff_client, language):
    response = staff_client.get(PROPOSALS, HTTP_ACCEPT_LANGUAGE=language)

    ours = response.context["nav_sidebar"]
    with translation.override(language):
        django = render_to_string(
            "admin/nav_sidebar.html",
            {"available_apps": response.context["available_apps"]},
            request=response.wsgi_request,
        )
    assert _spaced(ours) == _spaced(django)
    assert 'aria-current="page">' in ours  # the proposals, the page shown
    assert ours in response.content.decode()


# The editor's long select ----------------------------------------------------------


@pytest.mark.parametrize("data", [None, {"member-country": "FR"}, {"member-name": ""}])
def test_country_select_offers_what_djangos_select_offers(db, data):
    form = TeamMemberForm(data)
    if data is not None:
        form.is_valid()
    ours = str(form["country"])
    form.fields["country"].widget = forms.Select(choices=form.fields["country"].choices)
    django = str(form["country"])

    def normalised(html: str) -> list[str]:  # the <select> tag's attributes aside
        lines = (line.strip() for line in html.splitlines())
        return [line for line in lines if line and not line.startswith("<select")]

    assert normalised(ours) == normalised(django)
    assert ours.count("<option") == django.count("<option")
    assert (' value="FR" selected' in ours) == (data == {"member-country": "FR"})
