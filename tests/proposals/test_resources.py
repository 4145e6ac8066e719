from decimal import Decimal

import pytest

from catalogue.enums import ResourcePolicy
from proposals.enums import Severity
from proposals.resources import (
    Finding,
    ResourceRequest,
    blocks_submission,
    check_resources,
    parse_size_mm,
)
from tests.factories import CarrierFactory, MissionFactory, OpportunityFactory


def _lander(**overrides):
    """Chang'E-7's lander, built in memory: check_resources needs no database."""
    mission = MissionFactory.build(name_en="Chang'E-7")
    values = {
        "name_en": "lander",
        "total_mass_kg": Decimal("10.000"),
        "max_payload_mass_kg": Decimal("10.000"),
        "power_w": Decimal("30.0"),
        "data_mb_per_day": Decimal("500.0"),
        "max_size_mm": "300 × 300 × 200",
        **overrides,
    }
    return CarrierFactory.build(
        opportunity=OpportunityFactory.build(mission=mission), **values
    )


def test_check_resources_mass_above_per_payload_limit():
    findings = check_resources(_lander(), ResourceRequest(mass_kg=Decimal("12.5")))

    assert findings == [
        Finding(
            "mass_kg",
            Severity.ERROR,
            "The payload requests 12.5 kg; the Chang'E-7 lander offers at most 10 kg "
            "per payload.",
        )
    ]


def test_check_resources_mass_above_total_without_per_payload_limit():
    carrier = _lander(
        name_en="orbiter", total_mass_kg=Decimal("15"), max_payload_mass_kg=None
    )

    findings = check_resources(carrier, ResourceRequest(mass_kg=Decimal("15.2")))

    assert [f.message for f in findings] == [
        "The payload requests 15.2 kg; the Chang'E-7 orbiter carries 15 kg in all."
    ]


def test_check_resources_per_payload_limit_below_total():
    carrier = _lander(total_mass_kg=Decimal("200"), max_payload_mass_kg=Decimal("100"))

    findings = check_resources(carrier, ResourceRequest(mass_kg=Decimal("120")))

    assert [(f.field, f.severity) for f in findings] == [("mass_kg", Severity.ERROR)]
    assert "at most 100 kg per payload" in findings[0].message


def test_check_resources_within_the_envelope_finds_nothing():
    request = ResourceRequest(
        mass_kg=Decimal("10"),
        power_avg_w=Decimal("30"),
        power_peak_w=Decimal("30"),
        data_mb_per_day=Decimal("500"),
        size_mm=(300, 300, 200),
    )

    assert check_resources(_lander(), request) == []


def test_check_resources_average_power_above_supply_is_an_error():
    findings = check_resources(
        _lander(),
        ResourceRequest(power_avg_w=Decimal("31.5"), power_peak_w=Decimal("40")),
    )

    assert findings == [
        Finding(
            "power_avg_w",
            Severity.ERROR,
            "The payload needs 31.5 W on average; the Chang'E-7 lander supplies at "
            "most 30 W.",
        ),
        Finding(
            "power_peak_w",
            Severity.WARNING,
            "The payload's peak of 40 W is above the 30 W the Chang'E-7 lander "
            "supplies; peaks must be agreed with the mission.",
        ),
    ]


def test_check_resources_peak_power_alone_only_warns():
    findings = check_resources(
        _lander(),
        ResourceRequest(power_avg_w=Decimal("10"), power_peak_w=Decimal("45")),
    )

    assert [(f.field, f.severity) for f in findings] == [
        ("power_peak_w", Severity.WARNING)
    ]


def test_check_resources_data_volume_above_downlink():
    findings = check_resources(
        _lander(), ResourceRequest(data_mb_per_day=Decimal("750.0"))
    )

    assert [f.message for f in findings] == [
        "The payload produces 750 MB per day; the Chang'E-7 lander returns at most "
        "500 MB per day."
    ]


def test_check_resources_size_that_does_not_fit():
    findings = check_resources(_lander(), ResourceRequest(size_mm=(400, 250, 150)))

    assert [f.message for f in findings] == [
        "The payload measures 400 × 250 × 150 mm; the Chang'E-7 lander accepts at "
        "most 300 × 300 × 200 mm."
    ]


def test_check_resources_size_that_fits_when_turned():
    findings = check_resources(_lander(), ResourceRequest(size_mm=(200, 300, 300)))

    assert findings == []


def test_check_resources_skips_limits_the_carrier_does_not_state():
    carrier = _lander(power_w=None, data_mb_per_day=None, max_size_mm="")
    request = ResourceRequest(
        power_avg_w=Decimal("900"),
        data_mb_per_day=Decimal("99999"),
        size_mm=(5000, 5000, 5000),
    )

    assert check_resources(carrier, request) == []


def test_check_resources_without_carrier_finds_nothing():
    assert check_resources(None, ResourceRequest(mass_kg=Decimal("999"))) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("300 × 300 × 200", (300, 300, 200)),
        ("300x300x200", (300, 300, 200)),
        ("300 X 300 X 200 mm", (300, 300, 200)),
        ("250.5 * 100 * 80", (Decimal("250.5"), 100, 80)),
        ("", None),
        ("300 × 300", None),
        ("about a shoebox", None),
        ("300 × 0 × 200", None),
    ],
)
def test_parse_size_mm(text, expected):
    parsed = parse_size_mm(text)

    assert parsed == (None if expected is None else tuple(Decimal(v) for v in expected))


@pytest.mark.parametrize(
    ("policy", "severities", "blocks"),
    [
        (ResourcePolicy.BLOCK, [Severity.ERROR], True),
        (ResourcePolicy.BLOCK, [Severity.WARNING], False),
        (ResourcePolicy.BLOCK, [], False),
        (ResourcePolicy.WARN, [Severity.ERROR, Severity.WARNING], False),
    ],
)
def test_blocks_submission_follows_the_policy(policy, severities, blocks):
    findings = [Finding("mass_kg", severity, "message") for severity in severities]

    assert blocks_submission(findings, policy=policy) is blocks
