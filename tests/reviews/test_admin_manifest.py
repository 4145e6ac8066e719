"""The manifest recommendation page: the best selection within the carrier's
envelope, pins in and out, diversity limits, the bars and the slack."""

import re
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.utils import timezone

from proposals.enums import ProposalStatus
from proposals.models import Proposal
from reviews.manifest import Candidate, Constraints
from reviews.models import Decision
from reviews.panel import manifest as manifest_module
from reviews.selectors import manifest_candidates, ranking
from reviews.selectors.panel import _decimal, _pi_country
from tests.factories import (
    CarrierFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    UserFactory,
)
from tests.reviews.test_admin_panel import (
    administrator_client,
    closed_call,
    criteria_of,
    panel_url,
    reviewed_proposal,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest_call():
    """A lander of 10 kg, 30 W, 500 MB per day (the factory's) and three
    proposals asking 8 W and 50 MB per day each:
    P1 6 kg, mean 4.50 (France); P2 5 kg, mean 4.00 (France); P3 4 kg, mean 3.00
    (Kenya). Best within 10 kg: P1 + P3 (total 7.50)."""
    opportunity = closed_call()
    france = UserFactory(country="FR")
    proposals = {
        "P1": reviewed_proposal(
            opportunity, [5, 4], mass_kg=Decimal("6.000"), principal_investigator=france
        ),
        "P2": reviewed_proposal(
            opportunity,
            [4, 4],
            mass_kg=Decimal("5.000"),
            principal_investigator=UserFactory(country="FR"),
        ),
        "P3": reviewed_proposal(
            opportunity,
            [3, 3],
            mass_kg=Decimal("4.000"),
            principal_investigator=UserFactory(country="KE"),
        ),
    }
    return opportunity, proposals


def _pins(proposals, **pins):
    return {f"pin_{proposals[name].pk}": value for name, value in pins.items()}


def _selected(response) -> set:
    return {row["line"].proposal for row in response.context["selected_rows"]}


def test_manifest_chooses_the_best_selection_within_the_envelope(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(panel_url("manifest", opportunity.pk))

    assert _selected(response) == {proposals["P1"], proposals["P3"]}
    assert response.context["total_score"] == Decimal("7.50")
    page = response.content.decode()
    assert 'id="manifest-total">7.50<' in page
    assert 'id="manifest-status">Optimal<' in page


def test_manifest_shows_each_resource_as_a_bar_with_its_slack(client, manifest_call):
    opportunity, _proposals = manifest_call
    administrator_client(client)

    response = client.get(panel_url("manifest", opportunity.pk))

    (lander,) = response.context["usage"]
    figures = [
        (r["label"], r["used"], r["limit"], r["slack"], r["percent"])
        for r in lander["resources"]
    ]
    assert figures == [
        ("Mass", "10", "10", "0", 100.0),
        ("Power", "16", "30", "14", 53.3),
        ("Data volume", "100", "500", "400", 20.0),
    ]
    page = response.content.decode()
    assert re.findall(r'<rect width="([\d.]+)%"', page) == [
        "100.0",
        "53.3",
        "20.0",
    ]
    assert page.count('role="meter"') == 3
    assert "14 W" in page


def test_manifest_respects_a_proposal_pinned_in(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", **_pins(proposals, P2="in")},
    )

    assert _selected(response) == {proposals["P2"], proposals["P3"]}


def test_manifest_respects_a_proposal_pinned_out(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", **_pins(proposals, P3="out")},
    )

    assert _selected(response) == {proposals["P1"]}
    (lander,) = response.context["usage"]
    assert lander["resources"][0]["slack"] == "4"


def test_manifest_applies_the_limit_per_country(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", "max_per_country": "1", **_pins(proposals, P3="out")},
    )

    assert _selected(response) == {proposals["P1"]}


def test_manifest_reports_pins_that_cannot_fit(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", **_pins(proposals, P1="in", P2="in")},
    )

    assert _selected(response) == set()
    page = response.content.decode()
    assert 'id="manifest-status">Infeasible<' in page
    assert "need 11 kg of mass, more than its 10 kg" in page
    assert 'class="panel-bar over"' in page


def test_manifest_lists_proposals_that_cannot_fly_and_those_unscored(client):
    opportunity = closed_call()
    heavy = reviewed_proposal(opportunity, [5], mass_kg=Decimal("12.000"))
    waiting = submitted_proposal(opportunity)
    administrator_client(client)

    response = client.get(panel_url("manifest", opportunity.pk))

    page = response.content.decode()
    assert [row["line"].proposal for row in response.context["ineligible_rows"]] == [
        heavy
    ]
    assert "Requests 12 kg, more than the 10 kg one payload may take" in page
    assert list(response.context["unscored"]) == [waiting]


def test_manifest_prefills_the_decisions_with_its_selection(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)
    manifest = client.get(panel_url("manifest", opportunity.pk))
    link = manifest.context["decisions_url"]

    response = client.get(link)

    initial = {
        row["row"]: row["form"]["outcome"].value() for row in response.context["rows"]
    }
    assert initial == {
        proposals["P1"]: "selected",
        proposals["P2"]: "not_selected",
        proposals["P3"]: "selected",
    }


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_manifest_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        reviewed_proposal(opportunity, [4, 3], mass_kg=Decimal("1.000"))
    administrator_client(client)
    url = panel_url("manifest", opportunity.pk)
    client.get(url)  # the ranking's figures and the snapshots' parts are kept

    # session, user, second factor, permissions (2), call; the candidates
    # kept: the ranking's figure set, the released decisions' stamp, the
    # carriers
    with django_assert_num_queries(9):
        response = client.get(url)

    assert len(response.context["candidate_rows"]) == item_count


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_manifest_page_query_count_with_pins_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    made = [
        reviewed_proposal(opportunity, [4, 3], mass_kg=Decimal("1.000"))
        for _ in range(item_count)
    ]
    administrator_client(client)
    url = panel_url("manifest", opportunity.pk)
    query = {"solve": "1", "max_per_country": "3", f"pin_{made[0].pk}": "out"}

    # first request: the figures computed, the snapshots read, the solver run
    client.get(url, query)
    with django_assert_num_queries(9):
        response = client.get(url, query)

    assert response.context["constraints"].pinned_out == {made[0].pk}


def test_manifest_reads_the_whole_call_in_constant_queries(
    client, django_assert_max_num_queries
):
    """The first request after a change: the kept figures and the snapshots'
    parts are made again, still without a query per proposal."""
    opportunity = closed_call()
    for _ in range(12):
        reviewed_proposal(opportunity, [4, 3], mass_kg=Decimal("1.000"))
    submitted_proposal(opportunity)
    administrator_client(client)

    with django_assert_max_num_queries(25):
        response = client.get(panel_url("manifest", opportunity.pk))

    assert len(response.context["candidate_rows"]) == 12
    assert len(response.context["unscored"]) == 1


def test_manifest_pages_the_candidates_and_carries_the_other_pins(client, settings):
    opportunity = closed_call()
    made = [
        reviewed_proposal(opportunity, [score], mass_kg=Decimal("1.000"))
        for score in (5, 5, 4, 4, 3, 3)
    ]
    administrator_client(client)
    url = panel_url("manifest", opportunity.pk)

    with _per_page(2):
        bare = client.get(url)
        pinned = client.get(
            url, {"solve": "1", "page": "2", f"pin_{made[5].pk}": "out"}
        )

    assert len(bare.context["candidate_rows"]) == 2
    assert bare.context["other_pins"] == []
    assert 'type="hidden" name="pin_' not in bare.content.decode()
    assert [row["candidate"].id for row in pinned.context["candidate_rows"]] == [
        made[2].pk,
        made[3].pk,
    ]
    assert pinned.context["other_pins"] == [(f"pin_{made[5].pk}", "out")]
    assert (
        f'<input type="hidden" name="pin_{made[5].pk}" value="out">'
        in pinned.content.decode()
    )
    assert made[5].pk not in pinned.context["manifest"].selected


def test_manifest_shows_a_pin_as_checked(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", **_pins(proposals, P2="in")},
    )

    page = response.content.decode()
    pk = proposals["P2"].pk
    assert f'name="pin_{pk}" value="in" id="id_pin_{pk}_1" checked>' in page
    assert f'name="pin_{pk}" value="auto" id="id_pin_{pk}_0">' in page


def test_manifest_pages_the_unscored_proposals(client):
    opportunity = closed_call()
    reviewed_proposal(opportunity, [4])
    waiting = [submitted_proposal(opportunity) for _ in range(3)]
    administrator_client(client)
    url = panel_url("manifest", opportunity.pk)

    with _per_page(2):
        first = client.get(url)
        second = client.get(url, {"unscored_page": "2"})

    assert list(first.context["unscored"]) == waiting[:2]
    assert list(second.context["unscored"]) == waiting[2:]
    assert first.context["unscored_pages"]["next_url"] == "?unscored_page=2"
    assert waiting[2].reference not in first.content.decode()


def test_manifest_solves_once_for_the_same_inputs(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)
    url = panel_url("manifest", opportunity.pk)

    first = client.get(url)
    again = client.get(url)
    key = _cache_key(opportunity)
    ReviewFactory(
        assignment__version=proposals["P2"].versions.get(),
        submitted=True,
        scores=dict.fromkeys(criteria_of(opportunity), 5),
    )
    rescored = client.get(url)

    assert cache.get(key) == first.context["manifest"]
    assert again.context["manifest"] == first.context["manifest"]
    # P2's mean is now 4.33: another key, solved again
    assert _cache_key(opportunity) != key
    assert cache.get(_cache_key(opportunity)) == rescored.context["manifest"]
    assert [row["line"].mean for row in rescored.context["candidate_rows"]] == [
        Decimal("4.50"),
        Decimal("3.00"),
        Decimal("4.33"),
    ]


def _cache_key(opportunity):
    return manifest_module.CACHE_PREFIX + manifest_module.manifest_fingerprint(
        opportunity_pk=opportunity.pk,
        inputs=manifest_candidates(opportunity=opportunity),
        constraints=Constraints(),
    )


# --- the candidates in SQL are the in-memory ranking's -------------------------


def _in_memory_candidates(opportunity):
    """The candidates as reviews.selectors.panel.manifest_candidates built
    them from the whole in-memory ranking before they were read in SQL."""
    candidates, unscored, lines = [], [], {}
    for row in ranking(opportunity=opportunity):
        if row.decision is not None and row.decision.is_released:
            continue
        if row.mean is None or row.version is None:
            unscored.append(row.proposal)
            continue
        resources = row.version.snapshot.get("resources", {})
        carrier = resources.get("carrier") or {}
        candidates.append(
            Candidate(
                id=row.proposal.pk,
                score=float(row.mean),
                carrier_id=carrier.get("id"),
                country=_pi_country(row),
                mass_kg=_decimal(resources.get("mass_kg")) or Decimal(0),
                power_w=_decimal(resources.get("power_avg_w")),
                data_mb_per_day=_decimal(resources.get("data_mb_per_day")),
                label=row.proposal.reference,
            )
        )
        lines[row.proposal.pk] = (
            row.mean,
            row.reviews_submitted,
            row.reviews_assigned,
            # the carrier's name as submitted, else the proposal's now
            carrier.get("name_en")
            or (row.proposal.carrier.name if row.proposal.carrier else ""),
        )
    return candidates, unscored, lines


def test_manifest_candidates_in_sql_equal_the_in_memory_ones():
    opportunity = closed_call()
    criteria = criteria_of(opportunity)
    orbiter = CarrierFactory(opportunity=opportunity, name_en="Orbiter")
    kenyan = UserFactory(country="KE")
    reviewed_proposal(
        opportunity,
        [5, (4, 3, 2)],
        mass_kg=Decimal("6.500"),
        principal_investigator=kenyan,
    )
    reviewed_proposal(
        opportunity,
        [3],
        carrier=orbiter,
        power_avg_w=None,
        data_mb_per_day=Decimal("12.5"),
    )
    # the investigator had no country when submitting: their account's now
    stateless = reviewed_proposal(
        opportunity, [4], principal_investigator=UserFactory(country="")
    )
    type(stateless.principal_investigator).objects.filter(
        pk=stateless.principal_investigator_id
    ).update(country="BR")
    # changed after submission: the reviewed version's requests count
    changed = reviewed_proposal(opportunity, [4, 4], mass_kg=Decimal("2.000"))
    Proposal.objects.filter(pk=changed.pk).update(mass_kg=Decimal(9))
    # resubmitted and assigned again: the latest assignment's version counts
    resubmitted = reviewed_proposal(opportunity, [2], mass_kg=Decimal("1.000"))
    Proposal.objects.filter(pk=resubmitted.pk).update(mass_kg=Decimal("3.250"))
    resubmitted.refresh_from_db()
    newer = ProposalVersionFactory(proposal=resubmitted)
    ReviewAssignmentFactory(version=newer, accepted=True)
    # decided: recorded counts, released does not
    recorded = reviewed_proposal(opportunity, [5])
    Decision.objects.create(
        proposal=recorded, outcome="selected", letter="x", decided_at=timezone.now()
    )
    released = reviewed_proposal(opportunity, [5])
    Decision.objects.create(
        proposal=released,
        outcome="selected",
        letter="x",
        decided_at=timezone.now(),
        released_at=timezone.now(),
    )
    # not scored: no review, a draft, a review on a declined assignment
    submitted_proposal(opportunity)
    drafted = submitted_proposal(opportunity)
    ReviewFactory(
        assignment__version=drafted.versions.get(),
        scores=dict.fromkeys(criteria, 4),
    )
    withdrawn = reviewed_proposal(opportunity, [5])
    Proposal.objects.filter(pk=withdrawn.pk).update(status=ProposalStatus.WITHDRAWN)
    expected, expected_unscored, expected_lines = _in_memory_candidates(opportunity)

    found = manifest_candidates(opportunity=opportunity)

    assert sorted(found.candidates, key=lambda c: c.id) == sorted(
        expected, key=lambda c: c.id
    )
    assert len(found.candidates) == 6
    assert list(found.unscored) == expected_unscored
    assert len(found.unscored) == 2
    assert [(p.reference, p.title) for p in found.unscored] == [
        (p.reference, p.title) for p in expected_unscored
    ]
    assert {
        pk: (row.mean, row.reviews_in, row.reviews_assigned, row.carrier)
        for pk, row in found.rows.items()
    } == expected_lines
    by_id = {c.id: c for c in found.candidates}
    assert by_id[stateless.pk].country == "BR"
    assert by_id[changed.pk].mass_kg == Decimal("2.000")
    assert by_id[resubmitted.pk].mass_kg == Decimal("3.250")


def test_manifest_candidates_keep_the_snapshots_parts_per_version(
    django_assert_num_queries,
):
    opportunity = closed_call()
    proposal = reviewed_proposal(opportunity, [4], mass_kg=Decimal("2.000"))
    manifest_candidates(opportunity=opportunity)

    # kept: the ranking's figure set, the released decisions' stamp, the
    # carriers — no row and no version is read again
    with django_assert_num_queries(3):
        again = manifest_candidates(opportunity=opportunity)
    Proposal.objects.filter(pk=proposal.pk).update(mass_kg=Decimal("4.000"))
    proposal.refresh_from_db()
    ReviewAssignmentFactory(version=ProposalVersionFactory(proposal=proposal))
    resubmitted = manifest_candidates(opportunity=opportunity)

    assert again.candidates[0].mass_kg == Decimal("2.000")
    assert resubmitted.candidates[0].mass_kg == Decimal("4.000")


def _per_page(count):
    return patch.object(manifest_module, "PER_PAGE", count)
