"""The payloads' seed: the real calls' public selection lists (seed_catalogue)
and the demonstration payloads in every state (seed_demo, payloads/seed/).

The demonstration is seeded once for the module, inside a transaction rolled
back at its end (as tests/proposals/test_seed_demo.py does); each test runs in
a savepoint of its own on top of it.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    MilestoneKind,
    PayloadStatus,
)
from payloads.models import (
    Agreement,
    CallAgreement,
    CallMilestone,
    Condition,
    DataHandover,
    Delivery,
    Milestone,
    MilestoneSlip,
    Payload,
    PayloadEvent,
    SelectionEntry,
    SelectionList,
)
from payloads.seed.demo_specs import AFTER_SELECTION_SLUG, FLOWN_SLUG

CE6 = "chang-e-6-payloads-2019"
CE7 = "chang-e-7-payloads-2022"
PAYLOAD_MODELS = [
    CallAgreement,
    CallMilestone,
    SelectionList,
    SelectionEntry,
    Payload,
    PayloadEvent,
    Condition,
    Agreement,
    Milestone,
    MilestoneSlip,
    Delivery,
    DataHandover,
]


def _run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def _rows() -> dict:
    """Every payload row and when it was last changed."""
    return {
        "counts": {model.__name__: model.objects.count() for model in PAYLOAD_MODELS},
        "entries": sorted(
            SelectionEntry.objects.values_list(
                "selection_list__opportunity__slug",
                "order",
                "title",
                "lead_institution",
                "country",
            )
        ),
        "published": sorted(
            SelectionList.objects.values_list("opportunity__slug", "published_at")
        ),
        "payloads": sorted(Payload.objects.values_list("pk", "status", "updated_at")),
    }


def _entries(slug: str) -> list[tuple[str, str, str]]:
    return [
        (entry.title, entry.lead_institution, entry.country.code)
        for entry in SelectionEntry.objects.filter(
            selection_list__opportunity__slug=slug
        ).order_by("order")
    ]


# --- the real calls (seed_catalogue) -------------------------------------------------


@pytest.mark.django_db
def test_seed_catalogue_publishes_the_chang_e_6_selection():
    _run("seed_catalogue")

    selection = SelectionList.objects.get(opportunity__slug=CE6)

    assert selection.is_published
    assert timezone.localtime(selection.published_at).date().isoformat() == (
        "2024-05-03"
    )
    assert _entries(CE6) == [
        ("DORN radon detector (lander, 4.5 kg)", "France", "FR"),
        ("NILS negative-ion analyser (lander)", "ESA / Sweden", "SE"),
        ("INRRI laser retroreflector (lander, about 50 g)", "Italy", "IT"),
        ("ICUBE-Q cubesat (orbiter, about 7 kg)", "Pakistan", "PK"),
    ]
    assert SelectionEntry.objects.filter(payload__isnull=False).count() == 0


@pytest.mark.django_db
def test_seed_catalogue_publishes_six_chang_e_7_payloads_from_seven_partners():
    _run("seed_catalogue")

    entries = _entries(CE7)

    assert SelectionList.objects.get(opportunity__slug=CE7).is_published
    assert [institution for _title, institution, _country in entries] == [
        "Egypt with Bahrain",
        "Italy",
        "Russia",
        "Switzerland",
        "Thailand",
        "International Lunar Observatory Association (ILOA)",
    ]
    assert [country for _title, _institution, country in entries] == [
        "EG",
        "IT",
        "RU",
        "CH",
        "TH",
        "",
    ]
    # DOMAIN-FACTS names no Chang'E-7 payload: every title says so.
    assert all("name not given" in title for title, _i, _c in entries)


@pytest.mark.django_db
def test_seed_catalogue_gives_the_real_calls_agreements_and_known_milestones():
    _run("seed_catalogue")

    agreements = {
        slug: list(
            CallAgreement.objects.filter(opportunity__slug=slug)
            .order_by("order")
            .values_list("name", flat=True)
        )
        for slug in (CE6, CE7)
    }
    milestones = list(
        CallMilestone.objects.filter(opportunity__slug=CE6)
        .order_by("order")
        .values_list("kind", "planned_date")
    )

    standard = [
        "Implementing agreement",
        "Interface control document",
        "Export licence",
        "Data policy",
    ]
    assert agreements == {CE6: standard, CE7: standard}
    assert [(kind, day.isoformat()) for kind, day in milestones] == [
        (MilestoneKind.LAUNCH, "2024-05-03"),
        (MilestoneKind.LANDING, "2024-06-02"),
    ]
    # Chang'E-7 has no launch date yet ("about 2026"): no milestone is invented.
    assert CallMilestone.objects.filter(opportunity__slug=CE7).count() == 0


@pytest.mark.django_db
def test_seed_catalogue_twice_changes_no_payload_row():
    _run("seed_catalogue")
    before = _rows()

    output = _run("seed_catalogue")

    assert _rows() == before
    assert "Catalogue seed already up to date." in output


@pytest.mark.django_db
def test_seed_catalogue_restores_an_edited_entry():
    _run("seed_catalogue")
    SelectionEntry.objects.filter(selection_list__opportunity__slug=CE6).update(
        title="Edited"
    )

    _run("seed_catalogue")

    assert _entries(CE6)[0][0] == "DORN radon detector (lander, 4.5 kg)"


@pytest.mark.django_db
def test_public_call_page_lists_the_published_selection(client):
    _run("seed_catalogue")

    response = client.get(reverse("catalogue:opportunity-detail", args=[CE6]))

    ce7 = client.get(reverse("catalogue:opportunity-detail", args=[CE7]))

    body = response.content.decode()
    assert "DORN radon detector (lander, 4.5 kg)" in body
    assert "ICUBE-Q cubesat (orbiter, about 7 kg)" in body
    assert "International Lunar Observatory Association (ILOA)" in ce7.content.decode()


# --- the demonstration (seed_demo) ---------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_catalogue then seed_demo, on-commit callbacks run; rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        with (
            translation.override("en"),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            _run("seed_catalogue")
            output = _run("seed_demo")
        yield output
        transaction.set_rollback(True)


def _demo_payload(email: str, slug: str = AFTER_SELECTION_SLUG) -> Payload:
    return Payload.objects.get(
        opportunity__slug=slug, proposal__principal_investigator__email=email
    )


@pytest.mark.django_db
def test_seed_demo_gives_one_payload_per_state(seeded):
    states = sorted(
        Payload.objects.filter(opportunity__is_demo=True).values_list(
            "opportunity__slug", "proposal__principal_investigator__email", "status"
        )
    )

    assert states == [
        (FLOWN_SLUG, "researcher1@example.org", PayloadStatus.SELECTED),
        (AFTER_SELECTION_SLUG, "researcher1@example.org", PayloadStatus.CONDITIONAL),
        (AFTER_SELECTION_SLUG, "researcher2@example.org", PayloadStatus.SELECTED),
        (AFTER_SELECTION_SLUG, "researcher3@example.org", PayloadStatus.DESELECTED),
    ]


@pytest.mark.django_db
def test_seed_demo_conditional_payload_has_an_answered_and_an_overdue_condition(
    seeded,
):
    payload = _demo_payload("researcher1@example.org")
    conditions = list(payload.conditions.order_by("order", "pk"))

    assert [c.status for c in conditions] == [
        ConditionStatus.ANSWERED,
        ConditionStatus.OPEN,
    ]
    assert conditions[0].documents.count() == 1
    assert [c.is_overdue for c in conditions] == [False, True]
    assert (
        timezone.localdate() - timezone.localtime(payload.created_at).date()
    ).days == (150)


@pytest.mark.django_db
def test_seed_demo_selected_payload_has_agreements_milestones_and_an_overrun(seeded):
    payload = _demo_payload("researcher2@example.org")
    today = timezone.localdate()
    milestones = {m.kind: m for m in payload.milestones.prefetch_related("slips")}
    delivery = payload.deliveries.get()

    assert sorted(payload.agreements.values_list("status", flat=True)) == sorted(
        [
            AgreementStatus.SIGNED,
            AgreementStatus.NEGOTIATION,
            AgreementStatus.DRAFT,
            AgreementStatus.DRAFT,
        ]
    )
    assert milestones[MilestoneKind.PDR].is_done
    assert milestones[MilestoneKind.PDR].slip_days == 0
    assert milestones[MilestoneKind.CDR].is_done
    assert milestones[MilestoneKind.CDR].slip_days == 12
    assert milestones[MilestoneKind.QM_DELIVERY].is_overdue(today)
    assert milestones[MilestoneKind.FM_DELIVERY].slip_days == 20
    assert (delivery.status, delivery.overrun) == (DeliveryStatus.RECORDED, True)
    assert payload.proposal.team_members.filter(
        user__email="researcher1@example.org"
    ).exists()


@pytest.mark.django_db
def test_seed_demo_deselected_payload_has_its_letter(seeded):
    payload = _demo_payload("researcher3@example.org")

    assert payload.deselected_at is not None
    assert "Dear Dr. Ayesha Siddiqui" in payload.deselection_letter
    assert payload.conditions.get().status == ConditionStatus.RETURNED


@pytest.mark.django_db
def test_seed_demo_flown_payload_has_every_milestone_done_and_its_data(seeded):
    payload = _demo_payload("researcher1@example.org", FLOWN_SLUG)
    landing = payload.milestones.get(kind=MilestoneKind.LANDING)
    handover = payload.handovers.get()

    assert payload.milestones.filter(actual_date__isnull=True).count() == 0
    assert landing.actual_date.isoformat() == "2024-06-02"
    assert (handover.delivered_on - landing.actual_date).days == 30
    assert set(payload.agreements.values_list("status", flat=True)) == {
        AgreementStatus.SIGNED
    }
    assert payload.deliveries.get().status == DeliveryStatus.ACCEPTED
    # Its history is dated when each thing happened, from the release to the data.
    days = [timezone.localtime(e.at).date() for e in payload.events.order_by("at")]
    assert (days[0].isoformat(), days[-1].isoformat()) == ("2020-03-31", "2024-07-02")


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_twice(seeded):
    before = _rows()

    _run("seed_demo")

    assert _rows() == before


@pytest.mark.django_db
def test_seed_demo_prints_the_payloads(seeded):
    lines = seeded.splitlines()

    assert lines.count("Demonstration payloads (after selection):") == 1
    assert f"  {AFTER_SELECTION_SLUG} — decided" in lines


@pytest.mark.django_db
def test_demo_researcher_opens_their_payloads(seeded):
    researcher = User.objects.get(email="researcher1@example.org")
    mine = Payload.objects.filter(
        proposal__principal_investigator=researcher
    ) | Payload.objects.filter(proposal__team_members__user=researcher)
    client = Client()
    client.force_login(researcher)

    listing = client.get(reverse("payloads:list")).content.decode()
    pages = {payload.name: client.get(payload.get_absolute_url()) for payload in mine}

    assert sorted(pages) == sorted(
        [
            "Lunar south pole dust and radon monitor",
            "Ground-penetrating radar for south pole ice",
            "Far-side regolith thermal probe",
        ]
    )
    assert all(name in listing for name in pages)
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(
        pages, 200
    )
    assert all(name in page.content.decode() for name, page in pages.items())


@pytest.mark.django_db
def test_other_demo_researcher_cannot_open_researcher1s_payload(seeded):
    payload = _demo_payload("researcher1@example.org")
    client = Client()
    client.force_login(User.objects.get(email="researcher4@example.org"))

    response = client.get(payload.get_absolute_url())

    assert response.status_code == 404
