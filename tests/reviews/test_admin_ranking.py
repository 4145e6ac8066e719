"""The ranking page: figures computed by hand, the disagreement flag, the
statistics and charts, a constant number of queries, the CSV and XLSX exports,
one proposal's reviews and reopening a review."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from proposals.enums import ProposalStage
from reviews.enums import ReviewStatus
from reviews.models import Review, ReviewEvent
from tests.factories import (
    ReviewAssignmentFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.reviews.test_admin_panel import (
    administrator_client,
    closed_call,
    panel_url,
    reviewed_proposal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked_call():
    """Weights 40/30/30. By hand:
    A: (5,4,4) → 4.40 and (3,3,3) → 3.00: mean 3.70, median 3.70, spread 1.40;
    B: 5.00 and 2.00: mean 3.50, spread 3.00 — a disagreement (≥ 1.5);
    C: 4.00 and 4.00: mean 4.00, spread 0.00.
    Ranks: C 1, A 2, B 3."""
    opportunity = closed_call()
    proposals = {
        "A": reviewed_proposal(
            opportunity,
            [(5, 4, 4), (3, 3, 3)],
            title="Radon monitor",
            principal_investigator=UserFactory(country="FR"),
        ),
        "B": reviewed_proposal(
            opportunity,
            [5, 2],
            title="Dust analyser",
            principal_investigator=UserFactory(country="BR"),
        ),
        "C": reviewed_proposal(
            opportunity,
            [4, 4],
            title="Seismometer",
            principal_investigator=UserFactory(country="FR"),
        ),
    }
    return opportunity, proposals


def _cells(page: str, proposal, css_class: str) -> str:
    row = re.search(rf'<tr id="rank-{proposal.pk}".*?</tr>', page, re.S).group(0)
    cell = re.search(rf'<td class="number {css_class}">(.*?)</td>', row, re.S)
    return re.sub(r"<[^>]+>", "", cell.group(1)).split()[0]


def test_ranking_page_shows_the_figures_computed_by_hand(client, ranked_call):
    opportunity, proposals = ranked_call
    administrator_client(client)

    response = client.get(panel_url("ranking", opportunity.pk))

    page = response.content.decode()
    figures = {
        name: (
            _cells(page, proposal, "rank"),
            _cells(page, proposal, "mean"),
            _cells(page, proposal, "median"),
            _cells(page, proposal, "spread"),
            _cells(page, proposal, "reviews"),
        )
        for name, proposal in proposals.items()
    }
    assert figures == {
        "A": ("2", "3.70", "3.70", "1.40", "2"),
        "B": ("3", "3.50", "3.50", "3.00", "2"),
        "C": ("1", "4.00", "4.00", "0.00", "2"),
    }
    order = [line["row"] for line in response.context["lines"]]
    assert order == [proposals["C"], proposals["A"], proposals["B"]]


def test_ranking_page_flags_only_the_disagreement(client, ranked_call):
    opportunity, proposals = ranked_call
    administrator_client(client)

    page = client.get(panel_url("ranking", opportunity.pk)).content.decode()

    flagged = re.findall(r'<tr id="rank-(\d+)" class="disagreement">', page)
    assert flagged == [str(proposals["B"].pk)]
    assert 'id="disagreement-count">1<' in page


def test_ranking_page_counts_reviews_submitted_of_those_assigned(client):
    opportunity = closed_call()
    proposal = reviewed_proposal(opportunity, [4])
    ReviewAssignmentFactory(version=proposal.versions.get())  # invited, no review
    administrator_client(client)

    page = client.get(panel_url("ranking", opportunity.pk)).content.decode()

    assert _cells(page, proposal, "reviews") == "1"
    row = re.search(rf'<tr id="rank-{proposal.pk}".*?</tr>', page, re.S).group(0)
    assert '<td class="number reviews">1 / 2 <span class="panel-flag incomplete">' in (
        row
    )


def test_ranking_page_gives_statistics_by_country_and_region(client, ranked_call):
    opportunity, _proposals = ranked_call
    administrator_client(client)

    response = client.get(panel_url("ranking", opportunity.pk))

    # The statistics are a cached fragment of the page: the context gives
    # them as callables, called only when the fragment is rendered afresh.
    countries = [
        (name, tally.proposals, tally.selected)
        for name, tally in response.context["countries"]()
    ]
    regions = {name: tally.proposals for name, tally in response.context["regions"]()}
    assert countries == [("France", 2, 0), ("Brazil", 1, 0)]
    assert regions == {
        "Africa": 0,
        "Americas": 1,
        "Asia": 0,
        "Europe": 2,
        "Oceania": 0,
    }


def test_ranking_page_draws_accessible_charts_with_their_numbers(client, ranked_call):
    opportunity, proposals = ranked_call
    administrator_client(client)

    page = client.get(panel_url("ranking", opportunity.pk)).content.decode()

    charts = re.findall(r'<svg [^>]*role="img"[^>]*>.*?</svg>', page, re.S)
    titles = [
        re.search(r"<title id=[^>]*>(.*?)</title>", svg).group(1) for svg in charts
    ]
    assert titles == [
        "Score distribution per proposal",
        "Proposals and selections by country",
        "Proposals and selections by region",
    ]
    dots = re.findall(r"<circle [^>]*><title>(.*?)</title>", charts[0])
    assert len(dots) == 6
    assert f"{proposals['B'].reference}, reviewer 2: 2.00" in dots
    assert 'id="by-country"' in page
    assert 'id="by-region"' in page


def test_ranking_shows_identities_to_administrators_in_a_dual_anonymous_call(client):
    opportunity = closed_call(dual_anonymous=True)
    pi = UserFactory(full_name="Amina Haddad", institution="NARSS", country="EG")
    reviewed_proposal(opportunity, [4, 4], principal_investigator=pi)
    administrator_client(client)

    page = client.get(panel_url("ranking", opportunity.pk)).content.decode()

    assert "Amina Haddad" in page
    assert "NARSS" in page
    assert "Egypt" in page


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_ranking_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for number in range(item_count):
        proposal = reviewed_proposal(opportunity, [4, 3])
        TeamMemberFactory(proposal=proposal)
        if number % 2:
            ReviewAssignmentFactory(version=proposal.versions.get())
    administrator_client(client)
    url = panel_url("ranking", opportunity.pk)

    client.get(url)  # the first request after a change computes the figures
    # 9 for one page of proposals (50): the kept figures' set, the call's
    # stamp (under which the summary, the order and the statistics are kept
    # in the cache, the page's review scores and the panel's settings under
    # the set), the page's rows.
    with django_assert_num_queries(9):
        response = client.get(url)

    assert len(response.context["lines"]) == item_count


# --- exports ---------------------------------------------------------------------


def _streamed(response) -> bytes:
    """The CSV export streams (StreamingHttpResponse): its bytes, joined."""
    assert response.streaming
    return b"".join(response.streaming_content)


def test_ranking_exports_to_csv_in_rank_order(client, ranked_call):
    opportunity, proposals = ranked_call
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_streamed(response).decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["Rank", "Reference number", "Title"]
    column = {name: header.index(name) for name in header}
    lines = [
        (
            row[column["Rank"]],
            row[column["Reference number"]],
            row[column["Weighted mean"]],
            row[column["Spread"]],
            row[column["Disagreement"]],
            row[column["Review scores"]],
            row[column["Country"]],
        )
        for row in rows[1:]
    ]
    assert lines == [
        ("1", proposals["C"].reference, "4.00", "0.00", "no", "4.00; 4.00", "FR"),
        ("2", proposals["A"].reference, "3.70", "1.40", "no", "4.40; 3.00", "FR"),
        ("3", proposals["B"].reference, "3.50", "3.00", "yes", "5.00; 2.00", "BR"),
    ]


def test_ranking_exports_to_xlsx_with_numbers_and_statistics(client, ranked_call):
    opportunity, proposals = ranked_call
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "xlsx"))

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Ranking", "Statistics"]
    sheet = workbook["Ranking"]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert (first["Rank"], first["Reference number"], first["Weighted mean"]) == (
        1,
        proposals["C"].reference,
        4.0,
    )
    stats = [[cell.value for cell in row] for row in workbook["Statistics"].rows]
    assert stats[1] == ["Country", "France", 2, 0, 0]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_ranking_exports_neutralise_formulas(client, file_format):
    opportunity = closed_call()
    pi = UserFactory(full_name="-Eve", institution="@Evil Institute")
    reviewed_proposal(
        opportunity,
        [4],
        title='=HYPERLINK("http://evil.example","click")',
        principal_investigator=pi,
    )
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, file_format))

    if file_format == "csv":
        row = list(csv.reader(io.StringIO(_streamed(response).decode("utf-8-sig"))))[1]
    else:
        sheet = load_workbook(io.BytesIO(response.content))["Ranking"]
        row = [cell.value for cell in sheet[2]]
    assert '\'=HYPERLINK("http://evil.example","click")' in row
    assert "'-Eve" in row
    assert "'@Evil Institute" in row
    assert not any(
        isinstance(value, str) and value.startswith(("=", "+", "-", "@"))
        for value in row
    )


def test_ranking_export_of_the_letters_lists_the_letters_only(client):
    opportunity = closed_call(loi_deadline=timezone.now() - timedelta(days=60))
    letter = reviewed_proposal(
        opportunity, [4, 2], stage=ProposalStage.LETTER_OF_INTENT
    )
    reviewed_proposal(opportunity, [3, 3])
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "csv"), {"stage": "loi"})

    rows = list(csv.reader(io.StringIO(_streamed(response).decode("utf-8-sig"))))
    assert [(row[0], row[1], row[11], row[13]) for row in rows[1:]] == [
        ("1", letter.reference, "3.00", "2.00")
    ]
    assert response["Content-Disposition"].endswith('-loi.csv"')


def test_ranking_export_refuses_unknown_formats(client, ranked_call):
    opportunity, _proposals = ranked_call
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "pdf"))

    assert response.status_code == 404
    assert response.get("Content-Disposition") is None


# --- one proposal's reviews, and reopening ------------------------------------------


def test_proposal_reviews_page_shows_names_scores_and_both_comments(
    client, ranked_call
):
    opportunity, proposals = ranked_call
    review = Review.objects.filter(assignment__proposal=proposals["A"]).first()
    administrator_client(client)

    page = client.get(
        panel_url("proposal", opportunity.pk, proposals["A"].pk)
    ).content.decode()

    assert escape(review.assignment.reviewer.get_full_name()) in page
    assert escape(review.comments_for_proposer) in page
    assert escape(review.confidential_comments) in page
    weighted = re.findall(r'<td class="weighted">(.*?)</td>', page)
    assert sorted(weighted) == ["3.00", "4.40"]


def test_reopening_a_review_is_recorded_in_its_history(client, mailoutbox, ranked_call):
    opportunity, proposals = ranked_call
    review = Review.objects.filter(assignment__proposal=proposals["A"]).first()
    administrator_client(client)

    response = client.post(
        panel_url("proposal", opportunity.pk, proposals["A"].pk),
        {"review": review.pk, f"r{review.pk}-reason": "Score the thermal design."},
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.REOPENED
    event = ReviewEvent.objects.get(review=review)
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        ReviewStatus.SUBMITTED,
        ReviewStatus.REOPENED,
        "Score the thermal design.",
        client.user,
    )
    history = client.get(
        panel_url("proposal", opportunity.pk, proposals["A"].pk)
    ).content.decode()
    assert "Score the thermal design." in history


def test_reopening_without_a_reason_is_refused(client, ranked_call):
    opportunity, proposals = ranked_call
    review = Review.objects.filter(assignment__proposal=proposals["A"]).first()
    administrator_client(client)

    response = client.post(
        panel_url("proposal", opportunity.pk, proposals["A"].pk),
        {"review": review.pk, f"r{review.pk}-reason": ""},
        follow=True,
    )

    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert "Give a reason." in [str(m) for m in response.context["messages"]]


def test_reopen_action_on_the_reviews_changelist(client, ranked_call):
    _opportunity, proposals = ranked_call
    reviews = list(Review.objects.filter(assignment__proposal=proposals["B"]))
    administrator_client(client)
    url = reverse("admin:reviews_review_changelist")
    selection = {
        "action": "reopen_reviews",
        "_selected_action": [r.pk for r in reviews],
    }

    asked = client.post(url, selection)
    done = client.post(url, {**selection, "apply": "yes", "reason": "Recheck."})

    assert "Reopen these reviews?" in asked.content.decode()
    assert done.status_code == 302
    assert sorted(
        ReviewEvent.objects.filter(review__in=reviews).values_list("note", "to_status")
    ) == [("Recheck.", "reopened"), ("Recheck.", "reopened")]


def test_ranking_weights_follow_the_criteria(client):
    opportunity = closed_call()
    science, feasibility, collaboration = opportunity.criteria.order_by("order")
    science.weight = Decimal("80")
    science.save()
    feasibility.weight = Decimal("10")
    feasibility.save()
    collaboration.weight = Decimal("10")
    collaboration.save()
    proposal = reviewed_proposal(opportunity, [(5, 1, 1)])
    administrator_client(client)

    page = client.get(panel_url("ranking", opportunity.pk)).content.decode()

    # (5·80 + 1·10 + 1·10) / 100 = 4.20
    assert _cells(page, proposal, "mean") == "4.20"


def test_ranking_switches_to_the_letters_of_intent(client):
    opportunity = closed_call(loi_deadline=timezone.now() - timedelta(days=60))
    letter = reviewed_proposal(
        opportunity, [4, 2], stage=ProposalStage.LETTER_OF_INTENT
    )
    full = reviewed_proposal(opportunity, [3, 3])
    administrator_client(client)

    letters = client.get(panel_url("ranking", opportunity.pk), {"stage": "loi"})
    proposals = client.get(panel_url("ranking", opportunity.pk))

    assert [line["row"] for line in letters.context["lines"]] == [letter]
    assert [line["row"] for line in proposals.context["lines"]] == [full]
    assert letters.context["export_urls"]["csv"].endswith("?stage=loi")
