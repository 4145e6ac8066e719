"""Who a message to proposers goes to, and its placeholders."""

import pytest

from messaging.enums import Audience
from messaging.placeholders import problems
from messaging.selectors import audience
from proposals.enums import ProposalStage, ProposalStatus
from tests.factories import ProposalFactory, TeamMemberFactory
from tests.messaging.builders import administrator, message, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _who(msg) -> list[tuple[str, str, list[int]]]:
    return [
        (a.email, a.language, [ref.pk for ref in a.proposals])
        for a in audience(message=msg)
    ]


def test_every_draft_not_yet_submitted_to_principal_investigators(w):
    msg = message(
        w.call,
        author=administrator(),
        statuses=[ProposalStatus.DRAFT],
        audience=Audience.PRINCIPAL_INVESTIGATORS,
    )

    assert _who(msg) == [
        ("amina@lab.example.org", "en", [w.draft.pk]),
        ("li@lab.example.cn", "zh-hans", [w.letter.pk]),
    ]


def test_drafts_at_the_full_stage_to_whole_teams(w):
    msg = message(
        w.call,
        author=administrator(),
        statuses=[ProposalStatus.DRAFT],
        stage=ProposalStage.FULL,
    )

    assert _who(msg) == [
        ("amina@lab.example.org", "en", [w.draft.pk]),
        ("wang@lab.example.cn", "zh-hans", [w.draft.pk]),
    ]


def test_letters_of_intent_only(w):
    msg = message(
        w.call,
        author=administrator(),
        statuses=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED],
        stage=ProposalStage.LETTER_OF_INTENT,
    )

    assert _who(msg) == [("li@lab.example.cn", "zh-hans", [w.letter.pk])]


def test_every_selected_team(w):
    msg = message(
        w.call,
        author=administrator(),
        statuses=[ProposalStatus.SELECTED, ProposalStatus.CONDITIONALLY_SELECTED],
    )

    assert _who(msg) == [
        ("pi.selected@lab.example.org", "en", [w.selected.pk]),
        ("wang@lab.example.cn", "zh-hans", [w.selected.pk]),
    ]


def test_a_member_of_two_chosen_proposals_is_one_recipient_with_both(w):
    msg = message(
        w.call,
        author=administrator(),
        statuses=[ProposalStatus.DRAFT, ProposalStatus.SELECTED],
        stage=ProposalStage.FULL,
    )

    assert _who(msg) == [
        ("amina@lab.example.org", "en", [w.draft.pk]),
        ("wang@lab.example.cn", "zh-hans", [w.draft.pk, w.selected.pk]),
        ("pi.selected@lab.example.org", "en", [w.selected.pk]),
    ]


def test_a_member_without_an_account_in_the_proposals_language(w):
    w.submitted.principal_investigator.preferred_language = "zh-hans"
    w.submitted.principal_investigator.save()
    msg = message(w.call, author=administrator(), statuses=[ProposalStatus.SUBMITTED])

    assert _who(msg) == [
        ("pi.submitted@lab.example.org", "zh-hans", [w.submitted.pk]),
        ("marie@lab.example.org", "zh-hans", [w.submitted.pk]),
    ]


@pytest.mark.parametrize("proposal_count", [1, 5])
def test_audience_reads_in_two_queries(w, proposal_count, django_assert_num_queries):
    for _ in range(proposal_count):
        proposal = ProposalFactory(opportunity=w.call, submitted=True)
        TeamMemberFactory(proposal=proposal, confirmed=True)
    msg = message(w.call, author=administrator(), statuses=[ProposalStatus.SUBMITTED])

    with django_assert_num_queries(2):
        found = audience(message=msg)

    assert len(found) == 2 + 2 * proposal_count


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Dear {name}, {title} {reference} {deadline}", []),
        ("Braces themselves: {{ and }}", []),
        (
            "Dear {nmae}",
            [
                "Unknown placeholder {nmae}: use {name}, {title}, {reference}, "
                "{deadline}."
            ],
        ),
        (
            "{name.__class__} {title!r} {deadline:>30} {0}",
            [
                f"Unknown placeholder {written}: use {{name}}, {{title}}, "
                "{reference}, {deadline}."
                for written in (
                    "{name.__class__}",
                    "{title!r}",
                    "{deadline:>30}",
                    "{0}",
                )
            ],
        ),
        (
            "An open { brace",
            [
                "A brace is unmatched. Placeholders are written {name}, {title}, "
                "{reference}, {deadline}; write {{ or }} for a brace itself."
            ],
        ),
    ],
)
def test_placeholders_known_and_refused(text, found):
    assert problems(text) == found


def test_a_deselected_payloads_team_is_no_selected_team(w):
    """Its proposal keeps its final status, but the team is left out of a
    message to the selected teams."""
    from payloads.enums import PayloadStatus  # noqa: PLC0415
    from tests.payloads.factories import PayloadFactory  # noqa: PLC0415

    gone = PayloadFactory(deselected=True, version__proposal__opportunity=w.call)
    msg = message(
        w.call,
        author=administrator(),
        statuses=[ProposalStatus.SELECTED, ProposalStatus.CONDITIONALLY_SELECTED],
    )

    addresses = [email for email, _language, _proposals in _who(msg)]

    assert gone.status == PayloadStatus.DESELECTED
    assert gone.proposal.status in {
        ProposalStatus.SELECTED,
        ProposalStatus.CONDITIONALLY_SELECTED,
    }
    assert gone.proposal.principal_investigator.email not in addresses
    assert "pi.selected@lab.example.org" in addresses
