"""The dashboard's completion figures, kept per draft (proposals.progress): a
kept figure is shown only while what it was computed from has not changed."""

import pytest
from django.core.cache import cache

from accounts.services import update_profile
from proposals import progress, receivers, selectors
from proposals.services import accept_statements, update_section
from proposals.services.team import link_memberships
from tests.factories import (
    ProposalFactory,
    RequiredDocumentFactory,
    StatementFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    """A complete full proposal on a call asking for nothing else: 100 %."""
    return ProposalFactory(complete=True, principal_investigator=UserFactory())


def _figure(client, proposal) -> int:
    client.force_login(proposal.principal_investigator)
    rows = client.get("/proposals/").context["rows"]
    return next(row["progress"] for row in rows if row["proposal"].pk == proposal.pk)


def _reads(proposal) -> list[list[int]]:
    """Calls progress_of_drafts as the dashboard does; what it read whole."""
    read = []

    def reader(ids):
        read.append(sorted(ids))
        return selectors.drafts_for_checklist(ids)

    progress.progress_of_drafts(
        selectors.proposals_for_dashboard(user=proposal.principal_investigator),
        reader=reader,
    )
    return read


def test_a_kept_figure_is_shown_without_reading_the_draft_again(draft):
    assert _reads(draft) == [[draft.pk]]
    assert _reads(draft) == []


def test_only_drafts_have_a_figure(client):
    submitted = ProposalFactory(complete=True, submitted=True)
    client.force_login(submitted.principal_investigator)

    rows = client.get("/proposals/").context["rows"]

    assert [row["progress"] for row in rows] == [None]


def test_a_section_saved_changes_the_figure(client, draft):
    assert _figure(client, draft) == 100

    update_section(
        proposal=draft,
        section="funding",
        data={"funding_statement": ""},
        actor=draft.principal_investigator,
    )

    # 16 units (fields), 15 filled.
    assert _figure(client, draft) == 93


def test_a_document_the_call_now_asks_for_lowers_every_draft(
    client, draft, django_capture_on_commit_callbacks
):
    assert _figure(client, draft) == 100

    with django_capture_on_commit_callbacks(execute=True):
        RequiredDocumentFactory(opportunity=draft.opportunity, is_mandatory=True)

    assert _figure(client, draft) == 94


def test_statements_added_then_accepted(
    client, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statement = StatementFactory(opportunity=draft.opportunity)
    assert _figure(client, draft) == 94

    accept_statements(
        proposal=draft, statement_ids=[statement.pk], actor=draft.principal_investigator
    )

    assert _figure(client, draft) == 100


def test_the_principal_investigators_profile_counts(
    client, draft, django_capture_on_commit_callbacks
):
    pi = draft.principal_investigator
    assert _figure(client, draft) == 100

    with django_capture_on_commit_callbacks(execute=True):
        update_profile(
            user=pi,
            actor=pi,
            full_name=pi.full_name,
            institution="",
            country=str(pi.country),
            orcid="",
            preferred_language="en",
        )

    # Nothing more to fill in, but the checklist's profile item is not done.
    assert _figure(client, draft) == 99


def test_signing_in_keeps_the_figures(draft, django_capture_on_commit_callbacks):
    _reads(draft)

    with django_capture_on_commit_callbacks(execute=True):
        draft.principal_investigator.save(update_fields=["last_login"])

    assert _reads(draft) == []


def test_a_team_member_written_outside_the_services_forgets_its_draft(
    client, draft, django_capture_on_commit_callbacks
):
    assert _figure(client, draft) == 100

    with django_capture_on_commit_callbacks(execute=True):
        TeamMemberFactory(proposal=draft)  # invited, not yet confirmed

    # 17 units, the member's confirmation not done.
    assert _figure(client, draft) == 94


def test_a_new_account_keeps_the_figures(draft, django_capture_on_commit_callbacks):
    _reads(draft)

    with django_capture_on_commit_callbacks(execute=True):
        UserFactory()

    assert _reads(draft) == []


def test_an_account_linked_to_an_invitation_forgets_the_draft(
    draft, django_capture_on_commit_callbacks
):
    """link_memberships writes with an update (no signal); the anonymity check
    reads the linked account's ORCID iD."""
    TeamMemberFactory(proposal=draft, email="m@example.org")
    _reads(draft)

    with django_capture_on_commit_callbacks(execute=True):
        link_memberships(user=UserFactory(email="m@example.org"))

    assert _reads(draft) == [[draft.pk]]


def test_a_figure_computed_from_rows_changed_meanwhile_is_not_kept(draft):
    """A write commits (and forgets the draft) while a visit is computing the
    figure from the rows it read before: what that visit keeps never matches."""

    def reader(ids):
        rows = selectors.drafts_for_checklist(ids)
        progress.forget(ids)  # the write's commit, meanwhile
        return rows

    progress.progress_of_drafts(
        selectors.proposals_for_dashboard(user=draft.principal_investigator),
        reader=reader,
    )

    assert _reads(draft) == [[draft.pk]]


def test_a_migration_forgets_every_figure(draft):
    """Each deploy runs migrate: a release may change the checklist's rules."""
    _reads(draft)

    receivers.after_migrate(sender=None)

    assert _reads(draft) == [[draft.pk]]


def test_a_lost_generation_is_never_taken_for_an_old_one(draft):
    _reads(draft)
    cache.delete(progress.GENERATION_KEY)

    assert _reads(draft) == [[draft.pk]]
    assert _reads(draft) == []


def test_a_lost_version_is_never_taken_for_an_old_one(draft):
    _reads(draft)
    cache.delete(progress.VERSION_KEY.format(pk=draft.pk))

    assert _reads(draft) == [[draft.pk]]
    assert _reads(draft) == []
