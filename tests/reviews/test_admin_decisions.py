"""Decisions from the panel: letters of intent, outcomes with their letters,
the call's letter templates, and the release — emails to the investigator and
the team, the call decided, and what the proposer then reads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from catalogue.enums import OpportunityStatus
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal
from reviews import services
from reviews.models import Decision, DecisionLetterTemplate, Review
from reviews.panel.base import PROBLEMS_SHOWN
from tests.factories import ProposalFactory, TeamMemberFactory, UserFactory
from tests.mfa import login_with_mfa
from tests.reviews.test_admin_panel import (
    administrator_client,
    closed_call,
    panel_url,
    reviewed_proposal,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided_call():
    """Two reviewed proposals, the first with a team member; a letter template
    of the call for "selected"."""
    opportunity = closed_call()
    pi = UserFactory(full_name="Amina Haddad", email="amina@narss.example.org")
    first = reviewed_proposal(opportunity, [5, 4], principal_investigator=pi)
    TeamMemberFactory(proposal=first, email="luca@inaf.example.org")
    second = reviewed_proposal(opportunity, [2, 3])
    return opportunity, first, second


def _outcomes(proposals, **values):
    data = {}
    for proposal, (outcome, conditions) in zip(proposals, values.values(), strict=True):
        data[f"p{proposal.pk}-outcome"] = outcome
        data[f"p{proposal.pk}-conditions"] = conditions
    return data


def test_decisions_page_records_outcomes_with_the_call_letter(client, decided_call):
    opportunity, first, second = decided_call
    administrator_client(client)
    services.set_letter_template(
        opportunity=opportunity,
        outcome="selected",
        body="Dear {pi_name}, {reference} is selected.",
        actor=client.user,
    )

    response = client.post(
        panel_url("decisions", opportunity.pk),
        _outcomes([first, second], a=("selected", ""), b=("not_selected", "")),
    )

    assert response.status_code == 302
    decisions = {d.proposal: d for d in Decision.objects.select_related("proposal")}
    assert decisions[first].outcome == "selected"
    assert (
        decisions[first].letter == f"Dear Amina Haddad, {first.reference} is selected."
    )
    assert decisions[first].decided_by == client.user
    assert decisions[second].outcome == "not_selected"
    assert decisions[second].letter.startswith("Dear ")
    assert decisions[first].released_at is None


def test_decisions_page_requires_conditions_for_a_conditional_selection(
    client, decided_call
):
    opportunity, first, second = decided_call
    administrator_client(client)

    response = client.post(
        panel_url("decisions", opportunity.pk),
        _outcomes([first, second], a=("conditionally_selected", ""), b=("", "")),
    )

    assert response.status_code == 200
    assert not Decision.objects.exists()
    assert "A conditional selection states its conditions." in response.content.decode()


def test_letter_page_prefills_the_template_and_saves_the_edited_letter(
    client, decided_call
):
    opportunity, first, _second = decided_call
    administrator_client(client)
    services.set_letter_template(
        opportunity=opportunity,
        outcome="conditionally_selected",
        body="Dear {pi_name}, conditions: {conditions}",
        actor=client.user,
    )
    url = panel_url("letter", opportunity.pk, first.pk)

    shown = client.get(url, {"outcome": "conditionally_selected"})
    client.post(
        url,
        {
            "outcome": "conditionally_selected",
            "conditions": "Thermal tests by 2027.",
            "letter": "Dear Dr Haddad, conditions: Thermal tests by 2027. Welcome.",
        },
    )

    assert shown.context["form"]["letter"].value() == "Dear Amina Haddad, conditions: "
    decision = Decision.objects.get(proposal=first)
    assert (decision.outcome, decision.conditions, decision.letter) == (
        "conditionally_selected",
        "Thermal tests by 2027.",
        "Dear Dr Haddad, conditions: Thermal tests by 2027. Welcome.",
    )


def test_templates_page_sets_and_restores_the_call_letters(client, decided_call):
    opportunity, _first, _second = decided_call
    administrator_client(client)
    url = panel_url("templates", opportunity.pk)

    client.post(url, {"selected": "Congratulations, {pi_name}.", "not_selected": ""})
    saved = list(
        DecisionLetterTemplate.objects.values_list("outcome", "body", "updated_by")
    )
    client.post(url, {"selected": "", "not_selected": ""})

    assert saved == [("selected", "Congratulations, {pi_name}.", client.user.pk)]
    assert not DecisionLetterTemplate.objects.exists()


def _decide_all(opportunity, first, second, actor):
    services.record_decision(proposal=first, outcome="selected", actor=actor)
    services.record_decision(proposal=second, outcome="not_selected", actor=actor)


def test_release_page_lists_the_counts_before_releasing(client, decided_call):
    opportunity, first, second = decided_call
    administrator_client(client)
    _decide_all(opportunity, first, second, client.user)

    response = client.get(panel_url("release", opportunity.pk))

    summary = response.context["summary"]
    assert summary.outcomes == (
        ("Selected", 1),
        ("Conditionally selected", 0),
        ("Not selected", 1),
    )
    assert summary.recipients == 3
    assert Decision.objects.filter(released_at__isnull=True).count() == 2


def test_release_emails_the_investigator_and_team_and_decides_the_call(
    client, mailoutbox, django_capture_on_commit_callbacks, decided_call
):
    opportunity, first, second = decided_call
    administrator_client(client)
    _decide_all(opportunity, first, second, client.user)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(panel_url("release", opportunity.pk))

    assert response.status_code == 302
    to_first = sorted(
        address
        for message in mailoutbox
        if first.reference in message.body
        for address in message.to
    )
    assert to_first == ["amina@narss.example.org", "luca@inaf.example.org"]
    assert sorted(address for m in mailoutbox for address in m.to) == sorted(
        [
            "amina@narss.example.org",
            "luca@inaf.example.org",
            second.principal_investigator.email,
        ]
    )
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.DECIDED
    statuses = dict(Proposal.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk]) == (
        ProposalStatus.SELECTED,
        ProposalStatus.NOT_SELECTED,
    )
    assert not Decision.objects.filter(released_at__isnull=True).exists()


def test_release_is_refused_while_a_proposal_is_undecided(
    client, mailoutbox, django_capture_on_commit_callbacks, decided_call
):
    opportunity, first, second = decided_call
    administrator_client(client)
    services.record_decision(proposal=first, outcome="selected", actor=client.user)

    shown = client.get(panel_url("release", opportunity.pk))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(panel_url("release", opportunity.pk))

    assert shown.context["problems"] == [f"{second.reference} has no decision."]
    assert mailoutbox == []
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.CLOSED


def test_proposer_sees_the_letter_and_comments_but_no_confidential_or_names(
    client, decided_call
):
    opportunity, first, second = decided_call
    administrator = UserFactory(superuser=True)
    _decide_all(opportunity, first, second, administrator)
    services.release_decisions(opportunity=opportunity, actor=administrator)
    reviews = list(Review.objects.filter(assignment__proposal=first))
    client.force_login(first.principal_investigator)

    page = client.get(first.get_absolute_url()).content.decode()

    letter = Decision.objects.get(proposal=first).letter
    assert escape(letter) in page
    assert 'Decision: <span class="decision-outcome">Selected</span>' in page
    for review in reviews:
        assert escape(review.comments_for_proposer) in page
        assert escape(review.confidential_comments) not in page
        assert escape(review.assignment.reviewer.get_full_name()) not in page
        assert review.assignment.reviewer.email not in page
    assert "Reviewer 2" in page


def test_proposer_sees_no_decision_before_release(client, decided_call):
    opportunity, first, second = decided_call
    administrator = UserFactory(superuser=True)
    _decide_all(opportunity, first, second, administrator)
    client.force_login(first.principal_investigator)

    page = client.get(first.get_absolute_url()).content.decode()

    assert "proposal-decision" not in page
    assert Decision.objects.get(proposal=first).letter not in page


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_decisions_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        reviewed_proposal(opportunity, [4, 3])
    administrator_client(client)
    url = panel_url("decisions", opportunity.pk)
    client.get(url)  # the first reader of a call keeps its ranking figures

    with django_assert_num_queries(DECISIONS_QUERIES):
        response = client.get(url)

    assert len(response.context["rows"]) == item_count


# With the lookups of the call's kept ranking figures and of its stamp; the
# order of the proposals, the counts and the release's problems are kept in
# the cache under them.
DECISIONS_QUERIES = 9


def test_decisions_page_writes_the_posted_values_back_after_an_error(
    client, decided_call
):
    opportunity, first, second = decided_call
    administrator_client(client)

    response = client.post(
        panel_url("decisions", opportunity.pk),
        _outcomes(
            [first, second],
            a=("conditionally_selected", ""),
            b=("not_selected", "Not <yet> funded"),
        ),
    )

    page = response.content.decode()
    assert (
        f'<textarea name="p{first.pk}-conditions" cols="30" maxlength="5000" '
        f'rows="2" id="id_p{first.pk}-conditions" aria-invalid="true">\n</textarea>'
    ) in page
    assert '<option value="conditionally_selected" selected>' in page
    assert '<option value="not_selected" selected>' in page
    assert (
        f'<textarea name="p{second.pk}-conditions" cols="30" maxlength="5000" '
        f'rows="2" id="id_p{second.pk}-conditions">\nNot &lt;yet&gt; funded</textarea>'
    ) in page


def test_decisions_page_preselects_the_manifest_selection(client, decided_call):
    opportunity, first, second = decided_call
    administrator_client(client)
    services.record_decision(
        proposal=second,
        outcome="conditionally_selected",
        conditions="Tests.",
        actor=client.user,
    )

    response = client.get(
        panel_url("decisions", opportunity.pk), {"selected": f"{first.pk},x"}
    )

    selected = {
        item["row"]: (item["outcome"], item["conditions"])
        for item in response.context["rows"]
    }
    assert selected == {
        first: ("selected", ""),
        second: ("conditionally_selected", "Tests."),
    }
    assert '<option value="selected" selected>' in response.content.decode()


def test_decisions_page_lists_the_first_problems_and_counts_the_rest(client):
    opportunity = closed_call()
    undecided = sorted(
        (submitted_proposal(opportunity) for _ in range(PROBLEMS_SHOWN + 2)),
        key=lambda proposal: proposal.reference,
    )
    administrator_client(client)

    response = client.get(panel_url("decisions", opportunity.pk))

    assert response.context["problems"] == [
        f"{proposal.reference} has no decision."
        for proposal in undecided[:PROBLEMS_SHOWN]
    ]
    assert response.context["more_problems"] == 2
    assert "and 2 more" in response.content.decode()


# --- letters of intent --------------------------------------------------------------


def _letter_call(letter_count):
    opportunity = closed_call(loi_deadline=timezone.now() - timedelta(days=30))
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.proposal_deadline = timezone.now() + timedelta(days=30)
    opportunity.save()
    letters = [
        ProposalFactory(
            opportunity=opportunity,
            stage=ProposalStage.LETTER_OF_INTENT,
            submitted=True,
        )
        for _ in range(letter_count)
    ]
    return opportunity, letters


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_letters_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity, _letters = _letter_call(item_count)
    administrator_client(client)
    url = panel_url("letters", opportunity.pk)
    client.get(url)  # the first reader of a call keeps its ranking figures

    with django_assert_num_queries(LETTERS_QUERIES):
        response = client.get(url)

    assert len(response.context["rows"]) == item_count


LETTERS_QUERIES = 10  # with the lookup of the call's kept ranking figures


def test_letters_page_writes_the_posted_values_back_after_an_error(client):
    opportunity, (kept, dropped) = _letter_call(2)
    administrator_client(client)

    response = client.post(
        panel_url("letters", opportunity.pk),
        {
            f"p{kept.pk}-choice": "shortlist",
            f"p{kept.pk}-note": "",
            f"p{dropped.pk}-choice": "decline",
            f"p{dropped.pk}-note": "x" * 2001,
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="shortlist" selected>' in page
    assert '<option value="decline" selected>' in page
    assert (
        f'<textarea name="p{dropped.pk}-note" cols="30" maxlength="2000" rows="2" '
        f'id="id_p{dropped.pk}-note" aria-invalid="true">\n{"x" * 2001}</textarea>'
    ) in page
    assert Proposal.objects.get(pk=kept.pk).status == ProposalStatus.SUBMITTED


def test_letters_page_shortlists_and_declines_letters(client, admin_user):
    opportunity = closed_call(loi_deadline=timezone.now() - timedelta(days=30))
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.proposal_deadline = timezone.now() + timedelta(days=30)
    opportunity.save()
    kept, dropped = (
        ProposalFactory(
            opportunity=opportunity,
            stage=ProposalStage.LETTER_OF_INTENT,
            submitted=True,
        )
        for _ in range(2)
    )
    login_with_mfa(client, admin_user)

    shown = client.get(panel_url("letters", opportunity.pk))
    client.post(
        panel_url("letters", opportunity.pk),
        {
            f"p{kept.pk}-choice": "shortlist",
            f"p{kept.pk}-note": "",
            f"p{dropped.pk}-choice": "decline",
            f"p{dropped.pk}-note": "Outside the call's scope.",
        },
    )

    assert len(shown.context["rows"]) == 2
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert (kept.stage, kept.status) == (ProposalStage.FULL, ProposalStatus.DRAFT)
    assert dropped.status == ProposalStatus.DECLINED


def test_decision_admin_changes_an_unreleased_decision_through_the_service(
    client, decided_call
):
    opportunity, first, second = decided_call
    administrator_client(client)
    _decide_all(opportunity, first, second, client.user)
    decision = Decision.objects.get(proposal=second)

    client.post(
        reverse("admin:reviews_decision_change", args=[decision.pk]),
        {"outcome": "selected", "conditions": "", "letter": "Good news."},
    )

    decision.refresh_from_db()
    assert (decision.outcome, decision.letter) == ("selected", "Good news.")


def test_decision_admin_shows_a_released_decision_read_only(client, decided_call):
    opportunity, first, second = decided_call
    administrator_client(client)
    _decide_all(opportunity, first, second, client.user)
    services.release_decisions(opportunity=opportunity, actor=client.user)
    decision = Decision.objects.get(proposal=second)

    client.post(
        reverse("admin:reviews_decision_change", args=[decision.pk]),
        {"outcome": "selected", "conditions": "", "letter": "Changed."},
    )

    decision.refresh_from_db()
    assert decision.outcome == "not_selected"
