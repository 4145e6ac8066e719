"""The editor's cards and the dashboard's rows kept for each person until
anything they show changes (proposals/views/kept.py, proposals/digests.py)."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.timesince import timeuntil

from accounts.models import User
from catalogue.models import Carrier, Opportunity, RequiredDocument, Statement
from catalogue.page_cache import CSRF_PLACEHOLDER, countdown_changes, release
from proposals.digests import shown_in_editor, shown_on_dashboard
from proposals.enums import TeamRole
from proposals.models import Proposal, SectionVersion, TeamMember
from proposals.selectors import proposal_for_user
from proposals.views import kept
from proposals.views.access import proposal_to_change
from tests.factories import (
    CarrierFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    RequiredDocumentFactory,
    StatementFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db,
    # Off PostgreSQL there is no digest and nothing is kept.
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Needs PostgreSQL (DATABASE_URL)."
    ),
]

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def draft():
    proposal = ProposalFactory(title="Radon monitor", abstract="First abstract.")
    CarrierFactory(opportunity=proposal.opportunity, name_en="Lander")
    RequiredDocumentFactory(opportunity=proposal.opportunity, name_en="Full proposal")
    StatementFactory(opportunity=proposal.opportunity, text_en="We share our data.")
    TeamMemberFactory(proposal=proposal, name="Zhang Wei", institution="NAOC")
    return proposal


def _edit(client, proposal, **headers):
    return client.get(f"/proposals/{proposal.pk}/edit/", **headers)


def test_second_visit_serves_the_kept_cards(client, draft):
    client.force_login(draft.principal_investigator)

    first = _edit(client, draft)
    again = _edit(client, draft)

    assert "cards" in first.context
    assert "cards" not in again.context  # not rendered again
    # The same page, each form's CSRF token aside (masked anew each time).
    assert TOKEN.sub(b"", again.content) == TOKEN.sub(b"", first.content)


def test_a_placeholder_in_someones_text_never_shows_the_visitors_token(client):
    """A co-investigator writes the placeholder into a section: the principal
    investigator's page shows those letters as written, not their token."""
    draft = ProposalFactory(abstract=f"Token: {CSRF_PLACEHOLDER}")
    client.force_login(draft.principal_investigator)
    _edit(client, draft)

    page = _edit(client, draft).content.decode()
    token = TOKEN.findall(page.encode())[-1].decode()

    assert f"Token: {CSRF_PLACEHOLDER}" in page
    assert f"Token: {token}" not in page


def test_pages_rendered_while_a_document_cannot_be_read_are_not_kept(client):
    """In a dual-anonymous call the checklist reads each document; a file that
    cannot be read (storage down, file lost) is read again at the next visit
    rather than its empty reading kept."""
    draft = ProposalFactory(opportunity__dual_anonymous=True)
    required = RequiredDocumentFactory(opportunity=draft.opportunity)
    document = ProposalDocumentFactory(proposal=draft, required_document=required)
    document.file.storage.delete(document.file.name)  # the file is lost
    client.force_login(draft.principal_investigator)
    _edit(client, draft)
    client.get("/proposals/")

    editor = _edit(client, draft)
    dashboard = client.get("/proposals/")

    assert "cards" in editor.context  # rendered again, not served kept
    assert "rows" in dashboard.context


def test_kept_cards_carry_the_visitors_own_csrf_token(draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(draft.principal_investigator)
    _edit(client, draft)
    client.force_login(draft.principal_investigator)  # a new CSRF secret

    page = _edit(client, draft).content
    token = TOKEN.findall(page)[-1].decode()
    saved = client.post(
        f"/proposals/{draft.pk}/sections/summary/",
        {"csrfmiddlewaretoken": token, "summary-title": "Radon and dust monitor"},
    )

    assert CSRF_PLACEHOLDER.encode() not in page
    assert saved.status_code == 302
    assert Proposal.objects.get(pk=draft.pk).title == "Radon and dust monitor"


def _write(draft, what: str) -> str:  # noqa: PLR0911 (one branch per table)
    """A write that sends no signal (QuerySet.update), and the text it shows."""
    opportunity = draft.opportunity
    if what == "section":
        Proposal.objects.filter(pk=draft.pk).update(abstract="Second abstract.")
        return "Second abstract."
    if what == "team":
        TeamMember.objects.filter(proposal=draft).update(institution="PMO")
        return "PMO"
    if what == "investigator":
        User.objects.filter(pk=draft.principal_investigator_id).update(
            full_name="Ouyang Ziyuan"
        )
        return "Ouyang Ziyuan"
    if what == "required document":
        RequiredDocument.objects.filter(opportunity=opportunity).update(
            name="Technical annex", name_en="Technical annex"
        )
        return "Technical annex"
    if what == "statement":
        Statement.objects.filter(opportunity=opportunity).update(
            text="We publish within a year.", text_en="We publish within a year."
        )
        return "We publish within a year."
    if what == "carrier":
        Carrier.objects.filter(opportunity=opportunity).update(
            name="Rover", name_en="Rover"
        )
        return "Rover"
    if what == "call":
        Opportunity.objects.filter(pk=opportunity.pk).update(
            title="Lunar south pole payloads", title_en="Lunar south pole payloads"
        )
        return "Lunar south pole payloads"
    if what == "saved by":
        SectionVersion.objects.create(
            proposal=draft,
            section="summary",
            number=1,
            saved_by=draft.principal_investigator,
            saved_at=timezone.now(),
        )
        return 'name="summary-version" value="1"'
    msg = what
    raise ValueError(msg)


@pytest.mark.parametrize(
    "what",
    [
        "section",
        "team",
        "investigator",
        "required document",
        "statement",
        "carrier",
        "call",
        "saved by",
    ],
)
def test_a_write_without_a_signal_shows_at_the_next_visit(client, draft, what):
    client.force_login(draft.principal_investigator)
    before = _edit(client, draft).content.decode()

    shown = _write(draft, what)
    after = _edit(client, draft)

    assert shown not in before
    assert shown in after.content.decode()
    assert "cards" in after.context  # rendered again


def test_cards_are_kept_for_each_person(client, draft):
    member = UserFactory()
    TeamMemberFactory(proposal=draft, user=member, email=member.email, confirmed=True)
    client.force_login(draft.principal_investigator)
    _edit(client, draft)
    _edit(client, draft)

    client.force_login(member)
    page = _edit(client, draft).content.decode()

    assert "Add and send the invitation" not in page
    assert "Only the principal investigator manages the team." in page


def test_cards_are_kept_for_each_language(client, draft):
    client.force_login(draft.principal_investigator)
    _edit(client, draft, HTTP_ACCEPT_LANGUAGE="en")

    chinese = _edit(client, draft, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "保存" in chinese
    assert "Save summary" not in chinese


def test_a_closed_proposal_is_refused_though_its_cards_are_kept(client):
    submitted = ProposalFactory(submitted=True)  # revisable until the deadline
    client.force_login(submitted.principal_investigator)
    assert _edit(client, submitted).status_code == 200
    Opportunity.objects.filter(pk=submitted.opportunity_id).update(
        proposal_deadline=timezone.now() - timedelta(minutes=1)
    )

    response = _edit(client, submitted)

    assert response.status_code == 302
    assert response.url == submitted.get_absolute_url()


def test_countdown_is_part_of_the_stamp(rf, draft):
    user = draft.principal_investigator
    proposal = proposal_for_user(user=user, pk=draft.pk, bare=True)
    cards = kept.editor_cards(pk=draft.pk, user_id=user.pk)
    assert cards.look_up(timeuntil(proposal.deadline)) is None
    cards.keep("<p>cards</p>")

    later = kept.editor_cards(pk=draft.pk, user_id=user.pk)
    unchanged = later.look_up(timeuntil(proposal.deadline))
    # Time alone moves the countdown on ("1 month, 4 weeks" and so on).
    moved = later.look_up(timeuntil(proposal.deadline - timedelta(weeks=3)))

    assert unchanged == "<p>cards</p>"
    assert moved is None


def test_cards_rendered_from_rows_written_meanwhile_are_never_served(client, draft):
    # The digest is read before the rows: cards rendered after a write that
    # followed it are kept under the old digest.
    user = draft.principal_investigator
    cards = kept.editor_cards(pk=draft.pk, user_id=user.pk)
    Proposal.objects.filter(pk=draft.pk).update(abstract="Written meanwhile.")
    proposal = proposal_for_user(user=user, pk=draft.pk, bare=True)
    assert cards.look_up(timeuntil(proposal.deadline)) is None
    cards.keep("<p>stale cards</p>")
    client.force_login(user)

    page = _edit(client, draft).content.decode()

    assert "stale cards" not in page
    assert "Written meanwhile." in page


# The dashboard's rows ---------------------------------------------------------------


@pytest.fixture
def researcher(draft):
    """The draft's principal investigator, on another team too, invited to a
    third proposal."""
    user = draft.principal_investigator
    other = ProposalFactory(submitted=True, title="Lunar seismometer")
    TeamMemberFactory(proposal=other, user=user, email=user.email, confirmed=True)
    invited = ProposalFactory(title="Dust analyser")
    TeamMemberFactory(proposal=invited, user=user, email=user.email)
    return user


def test_dashboard_second_visit_serves_the_kept_rows(
    client, researcher, django_assert_num_queries
):
    client.force_login(researcher)
    first = client.get("/proposals/")

    # The session, the user, the digest; the address's flag is kept too.
    with django_assert_num_queries(3):
        again = client.get("/proposals/")

    assert "rows" in first.context
    assert "rows" not in again.context
    assert TOKEN.sub(b"", again.content) == TOKEN.sub(b"", first.content)


def _dashboard_write(draft, researcher, what: str) -> str:
    """A write that sends no signal (QuerySet.update), and the text it shows."""
    if what == "title":
        Proposal.objects.filter(pk=draft.pk).update(title="Radon and dust monitor")
        return "Radon and dust monitor"
    if what == "call":
        Opportunity.objects.filter(pk=draft.opportunity_id).update(
            title="Lunar south pole payloads", title_en="Lunar south pole payloads"
        )
        return "Lunar south pole payloads"
    if what == "confirmed":
        TeamMember.objects.filter(user=researcher, confirmed_at=None).update(
            confirmed_at=timezone.now()
        )
        return "Invitations to confirm"  # shown before, not after
    if what == "inviter":
        invited = Proposal.objects.get(title="Dust analyser")
        User.objects.filter(pk=invited.principal_investigator_id).update(
            full_name="Ye Peijian"
        )
        return "Ye Peijian"
    if what == "figure":
        # Keywords written: the draft's completion figure rises.
        Proposal.objects.filter(pk=draft.pk).update(keywords="radon, dust")
        return "figure"
    msg = what
    raise ValueError(msg)


@pytest.mark.parametrize("what", ["title", "call", "confirmed", "inviter", "figure"])
def test_dashboard_shows_a_write_without_a_signal_at_the_next_visit(
    client, draft, researcher, what, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    before = client.get("/proposals/")

    with django_capture_on_commit_callbacks(execute=True):
        shown = _dashboard_write(draft, researcher, what)
    after = client.get("/proposals/")

    assert "rows" in after.context  # rendered again
    if what == "figure":
        figure = {row["proposal"].pk: row["progress"] for row in before.context["rows"]}
        fresh = {row["proposal"].pk: row["progress"] for row in after.context["rows"]}
        assert fresh[draft.pk] > figure[draft.pk]
    elif what == "confirmed":
        assert shown in before.content.decode()
        assert shown not in after.content.decode()
    else:
        assert shown not in before.content.decode()
        assert shown in after.content.decode()


def test_dashboard_rows_are_kept_for_each_person_and_language(client, researcher):
    client.force_login(researcher)
    client.get("/proposals/", HTTP_ACCEPT_LANGUAGE="en")

    chinese = client.get("/proposals/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory())
    someone_else = client.get("/proposals/")

    assert "北京时间" in chinese.content.decode()
    assert "Radon monitor" not in someone_else.content.decode()
    assert someone_else.context["rows"] == []


def test_dashboard_rows_are_kept_until_a_countdown_changes(client, researcher):
    client.force_login(researcher)
    first = client.get("/proposals/")
    key = kept.DASHBOARD_KEY.format(
        release=release(), user=researcher.pk, language="en"
    )
    slot = cache.get(key)
    deadlines = [row["proposal"].deadline for row in first.context["rows"]]
    now = timezone.now()

    assert slot[1] is not None
    # The next moment one of the countdowns shown reads differently.
    assert slot[1] == pytest.approx(
        min(
            countdown_changes(deadline, now=now).timestamp()
            for deadline in deadlines
            if deadline and deadline > now
        ),
        abs=5,
    )
    cache.set(key, (slot[0], now.timestamp() - 1, *slot[2:]))
    assert "rows" in client.get("/proposals/").context  # past it: rendered again


def test_dashboard_invitation_form_carries_the_visitors_own_token(draft, researcher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    client.get("/proposals/")
    client.force_login(researcher)  # a new CSRF secret

    page = client.get("/proposals/").content
    invitation = TeamMember.objects.get(user=researcher, confirmed_at=None)
    token = TOKEN.findall(page)[-1].decode()
    confirmed = client.post(
        f"/proposals/team/invitations/{invitation.pk}/confirm/",
        {"csrfmiddlewaretoken": token},
    )

    assert confirmed.status_code == 302
    invitation.refresh_from_db()
    assert invitation.is_confirmed


# The digests --------------------------------------------------------------------------


def test_digest_is_prepared_logged_and_counted(draft):
    with CaptureQueriesContext(connection) as captured:
        first = shown_in_editor(pk=draft.pk)
        again = shown_in_editor(pk=draft.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%md5(%"],
        )
        prepared = cursor.fetchone()[0]

    assert first == again
    assert [query["sql"][:11] for query in captured.captured_queries] == [
        "SELECT md5(",
        "SELECT md5(",
    ]
    assert f"WHERE p.id = {draft.pk}" in captured.captured_queries[0]["sql"]
    assert prepared == 1


def test_digest_of_a_proposal_that_does_not_exist_is_none(db):
    assert shown_in_editor(pk=987654321) is None


def test_dashboard_digest_of_a_person_with_no_proposal_is_steady(db):
    user = UserFactory()

    assert shown_on_dashboard(user_id=user.pk) == "-"


# Authorising from the rows the kept cards were rendered with ----------------------


def test_a_member_removed_after_their_cards_were_kept_gets_a_404(client, draft):
    member = UserFactory()
    place = TeamMemberFactory(
        proposal=draft, user=member, email=member.email, confirmed=True
    )
    client.force_login(member)
    assert _edit(client, draft).status_code == 200
    assert _edit(client, draft).status_code == 200  # served kept

    TeamMember.objects.filter(pk=place.pk).delete()

    assert _edit(client, draft).status_code == 404


def test_a_deadline_passing_with_no_write_closes_the_kept_editor(client, monkeypatch):
    submitted = ProposalFactory(submitted=True)  # revisable until the deadline
    client.force_login(submitted.principal_investigator)
    assert _edit(client, submitted).status_code == 200
    deadline = submitted.opportunity.proposal_deadline

    # The permissions' clock, at the edge of the world: a minute past the
    # deadline (the session's own clock is left alone).
    later = SimpleNamespace(now=lambda: deadline + timedelta(minutes=1))
    monkeypatch.setattr("proposals.permissions.timezone", later)
    response = _edit(client, submitted)

    assert response.status_code == 302
    assert response.url == submitted.get_absolute_url()


def test_someone_else_never_authorises_from_anothers_kept_rows(client, draft):
    client.force_login(draft.principal_investigator)
    _edit(client, draft)
    _edit(client, draft)

    client.force_login(UserFactory())

    assert _edit(client, draft).status_code == 404


def test_a_write_undone_after_a_visit_read_around_it_leaves_nothing_kept(
    client, monkeypatch
):
    """A write lands between a visit's digest and its reads, and is undone
    later: the old digest would match again, so that visit keeps nothing (not
    its cards, not the rows it authorised from)."""
    draft = ProposalFactory()
    collaborator = UserFactory()
    place = TeamMemberFactory(
        proposal=draft,
        user=collaborator,
        email=collaborator.email,
        confirmed=True,
        role=TeamRole.COLLABORATOR,
    )
    client.force_login(collaborator)
    assert _edit(client, draft).status_code == 403  # a collaborator only reads
    real = kept.shown_in_editor

    def digest_then_a_write(*, pk):
        digest = real(pk=pk)
        TeamMember.objects.filter(pk=place.pk).update(role=TeamRole.CO_INVESTIGATOR)
        return digest

    monkeypatch.setattr(kept, "shown_in_editor", digest_then_a_write)
    assert _edit(client, draft).status_code == 200  # a co-investigator now
    monkeypatch.setattr(kept, "shown_in_editor", real)
    TeamMember.objects.filter(pk=place.pk).update(role=TeamRole.COLLABORATOR)

    assert _edit(client, draft).status_code == 403


def test_kept_rows_of_another_proposal_are_never_authorised_from(rf, draft):
    other = ProposalFactory(principal_investigator=draft.principal_investigator)
    request = rf.get("/")
    request.user = draft.principal_investigator
    known = proposal_for_user(user=request.user, pk=other.pk, bare=True)

    authorised = proposal_to_change(request, draft.pk, bare=True, known=known)

    assert authorised.pk == draft.pk
