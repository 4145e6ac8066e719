"""The administrators' CSV and XLSX export of proposals."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from proposals import exports
from proposals.models import Proposal
from tests.factories import (
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DANGEROUS = {
    "title": '=HYPERLINK("http://evil.example","click")',
    "keywords": "+cmd|' /C calc'!A0",
    "abstract": "-2+3",
}


@pytest.fixture
def proposal():
    pi = UserFactory(
        full_name="Dr Amina Haddad",
        email="amina@uni.example.org",
        institution="@SUM(1+1)*cmd",
        country="TN",
    )
    proposal = ProposalFactory(
        complete=True,
        principal_investigator=pi,
        submitted=True,
        reference="CE7-2026-0042",
        submitted_at=datetime(2026, 8, 31, 15, 30, tzinfo=UTC),
        **DANGEROUS,
    )
    TeamMemberFactory(
        proposal=proposal,
        name="\tTabbed Name",
        institution="INAF",
        country="IT",
        confirmed=True,
    )
    TeamMemberFactory(proposal=proposal, name="Dr Second", institution="\rCR Inst")
    ProposalDocumentFactory(proposal=proposal)
    return proposal


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_neutralise_prefixes_every_formula_trigger():
    values = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain", "", 5, None]

    assert [exports.neutralise(value) for value in values] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "'\tx",
        "'\rx",
        "plain",
        "",
        5,
        None,
    ]


def test_csv_export_has_a_header_and_one_row_per_proposal(proposal):
    response = exports.csv_response(Proposal.objects.all(), filename="proposals")

    header, row = csv_rows(response)
    values = dict(zip(header, row, strict=True))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="proposals.csv"'
    assert values["Reference number"] == "CE7-2026-0042"
    assert values["Principal investigator"] == "Dr Amina Haddad"
    assert values["Email"] == "amina@uni.example.org"
    assert values["Country"] == "TN"
    assert values["Mass (kg)"] == "4.500"
    assert values["Size (mm)"] == "200 × 150 × 100"
    assert (values["Team members"], values["Confirmed members"]) == ("2", "1")
    assert values["Documents"] == "1"
    assert values["Last submitted (Beijing time)"] == "2026-08-31 23:30"


def test_csv_export_neutralises_formula_injection(proposal):
    response = exports.csv_response(Proposal.objects.all(), filename="proposals")

    header, row = csv_rows(response)
    values = dict(zip(header, row, strict=True))
    assert values["Title"] == "'" + DANGEROUS["title"]
    assert values["Keywords"] == "'" + DANGEROUS["keywords"]
    assert values["Abstract"] == "'-2+3"
    assert values["Institution"] == "'@SUM(1+1)*cmd"
    assert values["Team"].startswith("'\tTabbed Name (Co-investigator, INAF, IT)")


def test_xlsx_export_neutralises_formula_injection_and_keeps_numbers(proposal):
    response = exports.xlsx_response(Proposal.objects.all(), filename="ce7")

    header, row = xlsx_rows(response)
    values = dict(zip(header, row, strict=True))
    assert response["Content-Disposition"] == 'attachment; filename="ce7.xlsx"'
    assert values["Title"] == "'" + DANGEROUS["title"]
    assert values["Keywords"] == "'" + DANGEROUS["keywords"]
    assert values["Abstract"] == "'-2+3"
    assert values["Institution"] == "'@SUM(1+1)*cmd"
    assert values["Mass (kg)"] == Decimal("4.5")
    assert values["TRL"] == 6
    assert values["Team members"] == 2


def test_xlsx_export_cells_are_never_formulas(proposal):
    response = exports.xlsx_response(Proposal.objects.all(), filename="ce7")

    workbook = load_workbook(io.BytesIO(response.content))
    kinds = {cell.data_type for row in workbook.active.iter_rows() for cell in row}
    assert "f" not in kinds


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_export_query_count_is_constant(django_assert_num_queries, item_count):
    opportunity = OpportunityFactory()
    for _ in range(item_count):
        proposal = ProposalFactory(complete=True, opportunity=opportunity)
        TeamMemberFactory(proposal=proposal)
        ProposalDocumentFactory(proposal=proposal)

    with django_assert_num_queries(3):
        response = exports.csv_response(Proposal.objects.all(), filename="x")

    assert len(csv_rows(response)) == item_count + 1
