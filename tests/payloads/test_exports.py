"""The overview's exports: CSV (streamed, UTF-8 with a byte-order mark) and
XLSX, one row per payload late items first, formulas neutralised, numbers
kept as numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from payloads import exports
from proposals.exports import CSV_TYPE, XLSX_TYPE
from tests.payloads.admin_builders import (
    decided_call,
    late_payload,
    payload_on,
    sign_in_administrator,
)

pytestmark = pytest.mark.django_db


def _export(client, file_format: str, **query):
    return client.get(reverse("admin:payloads_export", args=[file_format]), query)


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def _column(name: str) -> int:
    return exports.headers().index(name)


def test_csv_export_of_a_call_streams_its_payloads_late_first(client):
    sign_in_administrator(client)
    opportunity = decided_call(slug="change-7")
    payload_on(opportunity, name="On time")
    late_payload(opportunity, name="Late", late=2)
    payload_on(decided_call(), name="Another call's")

    response = _export(client, "csv", opportunity=opportunity.pk)

    rows = _csv_rows(response)
    assert response["Content-Type"] == CSV_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="payloads-change-7.csv"'
    )
    assert rows[0] == exports.headers()
    assert [row[0] for row in rows[1:]] == ["Late", "On time"]
    assert [row[_column("Late milestones")] for row in rows[1:]] == ["2", "0"]
    assert rows[1][_column("Allocated mass (kg)")] == "5.000"


def test_csv_export_neutralises_formulas(client):
    sign_in_administrator(client)
    opportunity = decided_call()
    payload_on(opportunity, name='=HYPERLINK("http://evil.example","x")')

    rows = _csv_rows(_export(client, "csv", opportunity=opportunity.pk))

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","x")'


def test_xlsx_export_keeps_numbers_and_neutralises_text(client):
    sign_in_administrator(client)
    opportunity = decided_call(slug="change-6")
    payload_on(opportunity, name="+cmd|' /C calc'!A0")
    late_payload(opportunity, name="DORN", late=1)

    response = _export(client, "xlsx", opportunity=opportunity.pk)

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="payloads-change-6.xlsx"'
    )
    assert rows[0] == exports.headers()
    assert [row[0] for row in rows[1:]] == ["DORN", "'+cmd|' /C calc'!A0"]
    assert rows[1][_column("Late milestones")] == 1
    assert Decimal(str(rows[1][_column("Allocated mass (kg)")])) == Decimal(5)


def test_export_of_a_mission_covers_its_calls(client):
    sign_in_administrator(client)
    first = decided_call()
    second = decided_call(mission=first.mission)
    payload_on(first, name="DORN")
    payload_on(second, name="NILS")
    payload_on(decided_call(), name="Elsewhere")

    rows = _csv_rows(_export(client, "csv", mission=first.mission_id))

    assert sorted(row[0] for row in rows[1:]) == ["DORN", "NILS"]


def test_export_in_another_format_is_not_found(client):
    sign_in_administrator(client)

    response = _export(client, "pdf")

    assert response.status_code == 404
