"""Status history and frozen versions shown in the reader's language, whatever
the language they were written in."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone, translation

from proposals import workflow
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import ProposalEvent, StatementAcceptance
from proposals.services import submit_proposal
from tests.factories import (
    ProposalFactory,
    ProposalVersionFactory,
    StatementFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FULL = ProposalStage.FULL
CODE_NOTES = importlib.import_module("proposals.migrations.0004_event_messages")


def _history(client, proposal, language: str) -> str:
    client.force_login(proposal.principal_investigator)
    page = client.get(
        f"/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    start = page.index('id="history-heading"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize(
    ("written_in", "read_in", "shown"),
    [
        ("en", "zh-hans", "第 1 版已提交。"),
        ("zh-hans", "en", "Version 1 submitted."),
        ("zh-hans", "zh-hans", "第 1 版已提交。"),
    ],
)
def test_submission_note_is_shown_in_the_readers_language(
    client, ready_proposal, written_in, read_in, shown
):
    proposal = ready_proposal()
    with translation.override(written_in):
        submit_proposal(proposal=proposal, actor=proposal.principal_investigator)

    history = _history(client, proposal, read_in)

    assert shown in history
    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.message, event.params, event.note) == (
        ProposalEvent.Message.VERSION_SUBMITTED,
        {"number": 1},
        "Version 1 submitted.",
    )


def test_decision_note_names_the_outcome_in_the_readers_language(client):
    proposal = ProposalFactory(submitted=True)
    with translation.override("en"):
        workflow.transition(
            proposal,
            to=ProposalStatus.UNDER_REVIEW,
            actor=None,
            message=ProposalEvent.Message.REVIEW_STARTED,
        )
        workflow.transition(
            proposal,
            to=ProposalStatus.NOT_SELECTED,
            actor=None,
            message=ProposalEvent.Message.DECISION_RELEASED,
            params={"outcome": ProposalStatus.NOT_SELECTED},
        )

    chinese = _history(client, proposal, "zh-hans")
    english = _history(client, proposal, "en")

    assert ("评审已开始。" in chinese, "遴选决定已发布：未入选。" in chinese) == (
        True,
        True,
    )
    assert "Decision released: Not selected." in english
    assert "Decision released" not in chinese


def test_a_persons_note_is_shown_as_typed(client):
    proposal = ProposalFactory()
    workflow.transition(
        proposal,
        to=ProposalStatus.WITHDRAWN,
        actor=proposal.principal_investigator,
        note="Our instrument will not be ready in time.",
    )

    chinese = _history(client, proposal, "zh-hans")

    assert "Our instrument will not be ready in time." in chinese
    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.message, event.text) == (
        "",
        "Our instrument will not be ready in time.",
    )


def test_admin_status_history_is_in_the_administrators_language(client, admin_user):
    proposal = ProposalFactory(submitted=True)
    state = workflow.state_of(proposal)
    workflow.record_event(
        proposal,
        actor=None,
        before=state,
        after=state,
        message=ProposalEvent.Message.VERSION_SUBMITTED,
        params={"number": 2},
    )
    client.force_login(admin_user)

    page = client.get(
        f"/admin/proposals/proposal/{proposal.pk}/change/",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()

    assert "第 2 版已提交。" in page


def _old_event(proposal, note: str) -> ProposalEvent:
    return ProposalEvent.objects.create(
        proposal=proposal,
        at=timezone.now(),
        from_stage=FULL,
        from_status=ProposalStatus.SUBMITTED,
        to_stage=FULL,
        to_status=ProposalStatus.SUBMITTED,
        note=note,
    )


def test_migration_codes_the_known_notes_in_both_languages():
    proposal = ProposalFactory(submitted=True)
    notes = [
        "Version 3 submitted.",
        "第 2 版已提交。",
        "评审已开始。",
        "Decision released: Conditionally selected.",
        "遴选决定已发布：入选。",
        "意向书已入围。",
        "We withdraw: the instrument is late.",
    ]
    events = [_old_event(proposal, note) for note in notes]

    CODE_NOTES.code_known_notes(django_apps, None)

    coded = [
        ProposalEvent.objects.values_list("message", "params", "note").get(pk=e.pk)
        for e in events
    ]
    assert coded == [
        ("version_submitted", {"number": 3}, "Version 3 submitted."),
        ("version_submitted", {"number": 2}, "Version 2 submitted."),
        ("review_started", {}, "Review started."),
        (
            "decision_released",
            {"outcome": "conditionally_selected"},
            "Decision released: Conditionally selected.",
        ),
        ("decision_released", {"outcome": "selected"}, "Decision released: Selected."),
        ("letter_shortlisted", {}, "Letter of intent shortlisted."),
        ("", {}, "We withdraw: the instrument is late."),
    ]


# --- the frozen version ------------------------------------------------------


def _version_page(client, version, language: str) -> str:
    client.force_login(version.proposal.principal_investigator)
    return client.get(
        f"/proposals/{version.proposal.pk}/versions/{version.number}/",
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()


@pytest.fixture
def bilingual_version(db):
    """A version whose statement, document and team are worded in both
    languages, submitted by a PI in New Zealand with a member in Iceland."""
    pi = UserFactory(country="NZ")
    proposal = ProposalFactory(complete=True, submitted=True, principal_investigator=pi)
    statement = StatementFactory(
        opportunity=proposal.opportunity,
        text_en="We fund our own payload.",
        text_zh_hans="我们自筹载荷经费。",
    )
    StatementAcceptance.objects.create(
        proposal=proposal, statement=statement, accepted_by=pi
    )
    TeamMemberFactory(proposal=proposal, country="IS", confirmed=True)
    return ProposalVersionFactory(proposal=proposal)


def test_version_page_shows_statements_and_countries_in_chinese(
    client, bilingual_version
):
    chinese = _version_page(client, bilingual_version, "zh-hans")
    english = _version_page(client, bilingual_version, "en")

    assert [text in chinese for text in ("我们自筹载荷经费。", "新西兰", "冰岛")] == [
        True,
        True,
        True,
    ]
    assert [
        text in english for text in ("We fund our own payload.", "New Zealand")
    ] == [True, True]
    assert "我们自筹载荷经费。" not in english


def test_version_stored_in_english_only_is_shown_from_the_unchanged_statement(
    client, bilingual_version
):
    snapshot = bilingual_version.snapshot
    for item in snapshot["statements"]:
        item.pop("text_zh_hans")
    type(bilingual_version).objects.filter(pk=bilingual_version.pk).update(
        snapshot=snapshot
    )

    chinese = _version_page(client, bilingual_version, "zh-hans")

    assert "我们自筹载荷经费。" in chinese


def test_version_shows_the_accepted_wording_once_the_statement_changed(
    client, bilingual_version
):
    snapshot = bilingual_version.snapshot
    for item in snapshot["statements"]:
        item.pop("text_zh_hans")
    type(bilingual_version).objects.filter(pk=bilingual_version.pk).update(
        snapshot=snapshot
    )
    bilingual_version.proposal.opportunity.statements.update(
        text_en="We fund everything.", text_zh_hans="我们承担全部费用。"
    )

    chinese = _version_page(client, bilingual_version, "zh-hans")

    assert ("We fund our own payload." in chinese, "我们承担全部费用。" in chinese) == (
        True,
        False,
    )
