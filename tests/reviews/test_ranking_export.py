"""The ranking export read from SQL a chunk at a time (reviews.exports): the
same bytes as the export built from the whole in-memory ranking
(reviews.selectors.panel.ranking) on a call with ties, missing reviews, an
unreviewed and a withdrawn proposal, decisions, recommendations, an account
changed since submission and a letter-of-intent stage; a query count that grows
per chunk only; a CSV that streams."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from proposals.enums import ProposalStage, ProposalStatus
from proposals.exports import neutralise
from proposals.models import Proposal, ProposalVersion
from reviews import exports
from reviews.enums import DecisionOutcome, Recommendation
from reviews.models import Decision, Review
from reviews.scoring import region_for
from reviews.selectors.panel import country_statistics, ranking
from tests.factories import ReviewAssignmentFactory, UserFactory
from tests.reviews.test_admin_panel import (
    administrator_client,
    closed_call,
    panel_url,
    reviewed_proposal,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db

OLD_HEADERS = [
    "Rank",
    "Reference number",
    "Title",
    "Principal investigator",
    "Institution",
    "Country",
    "Country name",
    "Region",
    "Carrier",
    "Reviews submitted",
    "Reviews assigned",
    "Weighted mean",
    "Median",
    "Spread",
    "Standard deviation",
    "Disagreement",
    "Review scores",
    "Recommendations",
    "Decision",
]


def _old_cells(row) -> list:
    """One line's cells as the export built them from a RankingRow of
    reviews.selectors.panel.ranking (the former reviews.exports.ranking_lines
    and COLUMNS), kept here as the reference."""
    proposal = row.proposal
    snapshot = row.version.snapshot if row.version is not None else {}
    pi = snapshot.get("principal_investigator", {})
    carrier = snapshot.get("resources", {}).get("carrier") or {}
    account = proposal.principal_investigator
    country = pi.get("country") or account.country.code or ""
    values = [
        row.rank,
        proposal.reference,
        proposal.title,
        pi.get("name") or account.get_full_name(),
        pi.get("institution") or account.institution,
        country,
        exports.country_name(country),
        exports.region_name(region_for(country)),
        carrier.get("name_en") or (proposal.carrier.name if proposal.carrier else ""),
        row.reviews_submitted,
        row.reviews_assigned,
        row.mean,
        row.median,
        row.spread,
        row.score.std_dev,
        "yes" if row.disagreement else "no",
        "; ".join(str(score) for score in row.score.review_scores),
        "; ".join(
            f"{Recommendation(value).label}: {count}"
            for value, count in row.recommendations
        ),
        str(DecisionOutcome(row.decision.outcome).label) if row.decision else "",
    ]
    return ["" if value is None else neutralise(value) for value in values]


def _old_csv(opportunity, stage) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(OLD_HEADERS)
    for row in ranking(opportunity=opportunity, stage=stage):
        writer.writerow(_old_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode()


def _old_workbook_rows(opportunity, stage) -> list[list]:
    """The old Ranking sheet, written and read back as the export's is."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ranking")
    sheet.append(OLD_HEADERS)
    for row in ranking(opportunity=opportunity, stage=stage):
        sheet.append([exports._cell(value) for value in _old_cells(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _sheet_rows(buffer.getvalue(), "Ranking")


def _sheet_rows(content: bytes, name: str) -> list[list]:
    sheet = load_workbook(io.BytesIO(content))[name]
    return [[cell.value for cell in row] for row in sheet.rows]


def _streamed(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def export_call():
    """Weights 40/30/30; a call with letters of intent. Full stage:
    C 4.00 and D 4.00 tie at rank 1; A 3.70 (decided: selected, one review
    recommends not selecting, its investigator renamed since submission);
    B 3.50 (a disagreement; decided: not selected; a formula for a title);
    E 3.00 with a review missing; H three reviews, no country; F assigned,
    never reviewed (unranked); W withdrawn (absent). Letters: L 3.00."""
    opportunity = closed_call(loi_deadline=timezone.now() - timedelta(days=60))
    made = {
        "A": reviewed_proposal(
            opportunity,
            [(5, 4, 4), (3, 3, 3)],
            title="Radon monitor",
            principal_investigator=UserFactory(country="FR", full_name="Ada Li"),
        ),
        "B": reviewed_proposal(
            opportunity,
            [5, 2],
            title="=HYPERLINK(1)",
            principal_investigator=UserFactory(country="BR"),
        ),
        "C": reviewed_proposal(opportunity, [4, 4], title="Seismometer"),
        "D": reviewed_proposal(opportunity, [(4, 4, 4)], title="Magnetometer"),
        "E": reviewed_proposal(opportunity, [3], title="Spectrometer"),
        "H": reviewed_proposal(
            opportunity,
            [(5, 5, 5), (2, 3, 4), (1, 1, 1)],
            title="Camera",
            principal_investigator=UserFactory(country=""),
        ),
        "F": submitted_proposal(opportunity, title="Never reviewed"),
        "W": reviewed_proposal(opportunity, [5, 5], title="Withdrawn"),
        "L": reviewed_proposal(
            opportunity, [4, 2], stage=ProposalStage.LETTER_OF_INTENT
        ),
    }
    ReviewAssignmentFactory(version=made["E"].versions.get())  # invited
    ReviewAssignmentFactory(version=made["F"].versions.get())
    Review.objects.filter(
        pk=Review.objects.filter(assignment__proposal=made["A"])
        .order_by("pk")
        .values("pk")[:1]
    ).update(recommendation=Recommendation.DO_NOT_SELECT)
    for key, outcome in (
        ("A", DecisionOutcome.SELECTED),
        ("B", DecisionOutcome.NOT_SELECTED),
    ):
        Decision.objects.create(
            proposal=made[key],
            outcome=outcome,
            letter="Dear team",
            decided_at=timezone.now(),
        )
    made["A"].principal_investigator.full_name = "Renamed Since"
    made["A"].principal_investigator.save()
    Proposal.objects.filter(pk=made["W"].pk).update(status=ProposalStatus.WITHDRAWN)
    return opportunity, made


@pytest.mark.parametrize("stage", [ProposalStage.FULL, ProposalStage.LETTER_OF_INTENT])
def test_ranking_csv_export_equals_the_in_memory_export(client, export_call, stage):
    opportunity, _made = export_call
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "csv"), {"stage": stage})

    assert _streamed(response) == _old_csv(opportunity, stage)


def test_ranking_csv_export_shows_the_figures_in_rank_order(client, export_call):
    opportunity, made = export_call
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "csv"))

    rows = list(csv.reader(io.StringIO(_streamed(response).decode("utf-8-sig"))))
    lines = [
        (row[0], row[1], row[3], row[9], row[10], row[11], row[12]) for row in rows
    ]
    name = {
        key: proposal.principal_investigator.get_full_name()
        for key, proposal in made.items()
    }
    expected = [
        ("1", "C", name["C"], "2", "2", "4.00", "4.00"),
        ("1", "D", name["D"], "1", "1", "4.00", "4.00"),
        ("3", "A", "Ada Li", "2", "2", "3.70", "3.70"),
        ("4", "B", name["B"], "2", "2", "3.50", "3.50"),
        ("5", "E", name["E"], "1", "2", "3.00", "3.00"),
        ("6", "H", name["H"], "3", "3", "2.97", "2.90"),
        ("", "F", name["F"], "0", "1", "", ""),
    ]
    assert lines[1:] == [
        (rank, made[key].reference, *figures) for rank, key, *figures in expected
    ]
    assert rows[3][17:] == ["Select: 1; Do not select: 1", "Selected"]
    assert rows[4][2] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("stage", [ProposalStage.FULL, ProposalStage.LETTER_OF_INTENT])
def test_ranking_xlsx_export_equals_the_in_memory_export(client, export_call, stage):
    opportunity, _made = export_call
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "xlsx"), {"stage": stage})

    assert _sheet_rows(response.content, "Ranking") == _old_workbook_rows(
        opportunity, stage
    )


def test_ranking_xlsx_statistics_equal_the_in_memory_statistics(client, export_call):
    opportunity, _made = export_call
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "xlsx"))

    old = country_statistics(opportunity=opportunity)
    expected = [
        exports.statistics_headers(),
        *[
            [exports._cell(value) for value in row]
            for row in exports.statistics_rows(old)
        ],
    ]
    assert _sheet_rows(response.content, "Statistics") == [
        [None if value == "" else _number(value) for value in row] for row in expected
    ]


def _number(value):
    return float(value) if hasattr(value, "as_tuple") else value


def _ranked_call(item_count: int):
    opportunity = closed_call()
    for number in range(item_count):
        proposal = reviewed_proposal(opportunity, [1 + number % 5, 3])
        if number % 2:
            Decision.objects.create(
                proposal=proposal,
                outcome=DecisionOutcome.SELECTED,
                letter="Dear team",
                decided_at=timezone.now(),
            )
    return opportunity


def _export_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        _streamed(response)
    return len(captured)


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_ranking_csv_export_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = _ranked_call(item_count)
    administrator_client(client)
    url = panel_url("export", opportunity.pk, "csv")
    _streamed(client.get(url))  # the first export after a change keeps the figures

    # 11: the session, the user, their second factor and permissions (5), the
    # call, the kept figures' set, the criteria, the rows (one cursor), and per
    # chunk of proposals their reviews' scores and their versions' parts.
    with django_assert_num_queries(11):
        content = _streamed(client.get(url))

    assert len(content.decode("utf-8-sig").splitlines()) == 1 + item_count


@pytest.mark.parametrize(("item_count", "chunks"), [(1, 1), (4, 2), (10, 5)])
def test_ranking_csv_export_queries_grow_per_chunk_only(
    client, monkeypatch, item_count, chunks
):
    opportunity = _ranked_call(item_count)
    administrator_client(client)
    url = panel_url("export", opportunity.pk, "csv")
    _streamed(client.get(url))
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)

    queries = _export_queries(client, url)

    assert queries == 9 + 2 * chunks


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_ranking_xlsx_export_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = _ranked_call(item_count)
    administrator_client(client)
    url = panel_url("export", opportunity.pk, "xlsx")
    client.get(url)

    # The CSV's 11, and the statistics: their stamp (1), then the cache.
    with django_assert_num_queries(12):
        response = client.get(url)

    assert len(_sheet_rows(response.content, "Ranking")) == 1 + item_count


def test_ranking_csv_export_streams_its_header_before_reading_a_row(client):
    opportunity = _ranked_call(3)
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "csv"))
    with CaptureQueriesContext(connection) as captured:
        first = next(iter(response.streaming_content))

    assert response.streaming
    assert len(captured) == 0
    assert first.decode("utf-8-sig").startswith("Rank,Reference number,Title,")


def test_ranking_csv_export_falls_back_to_the_accounts_without_more_queries(
    client, django_assert_num_queries
):
    opportunity = _ranked_call(3)
    ProposalVersion.objects.filter(proposal__opportunity=opportunity).update(
        snapshot={}
    )
    administrator_client(client)
    url = panel_url("export", opportunity.pk, "csv")
    _streamed(client.get(url))

    with django_assert_num_queries(11):
        content = _streamed(client.get(url))

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    proposals = Proposal.objects.filter(opportunity=opportunity).select_related(
        "principal_investigator", "carrier"
    )
    assert sorted((row[1], row[3], row[4], row[8]) for row in rows[1:]) == sorted(
        (
            proposal.reference,
            proposal.principal_investigator.get_full_name(),
            proposal.principal_investigator.institution,
            proposal.carrier.name,
        )
        for proposal in proposals
    )


def test_ranking_export_medians_come_from_the_unrounded_scores(client):
    """Equal weights: (5, 5, 4) → 4.666…, (3, 3, 3) → 3.00. The median of the
    exact scores is 3.833… → 3.83 (of the rounded ones it would be 3.84), as
    reviews.scoring computes it; the standard deviation likewise (0.83)."""
    opportunity = closed_call()
    opportunity.criteria.update(weight=Decimal(1))
    reviewed_proposal(opportunity, [(5, 5, 4), (3, 3, 3)])
    administrator_client(client)

    response = client.get(panel_url("export", opportunity.pk, "csv"))

    content = _streamed(response)
    row = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1]
    assert (row[11], row[12], row[14], row[16]) == (
        "3.83",
        "3.83",
        "0.83",
        "4.67; 3.00",
    )
    assert content == _old_csv(opportunity, ProposalStage.FULL)
