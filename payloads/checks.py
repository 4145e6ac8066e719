"""A payload's allocation and its delivered hardware checked against the carrier.

`allocation_findings(payload, proposed)` checks an allocation the way the
manifest checks a selection: the payload's own figures against the carrier's
per-payload limits, and the sum over the call's other payloads on the same
carrier that are still on board (not de-selected) against the carrier's totals.

`delivery_findings(delivery)` compares what was measured on a delivered unit
with the payload's allocation, and with the carrier's envelope through the check
the proposal editor runs (proposals.resources.check_resources).

Findings are kept as codes and figures (`Finding.as_data()`, stored in
Delivery.findings) and rendered as a sentence in the reader's language when
shown (`Finding.message`, `render_finding`). Pure but for one query: the other
payloads' allocations.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from payloads.enums import PayloadStatus
from proposals.resources import (
    ResourceRequest,
    _fits,
    check_resources,
    format_number,
    format_size,
    parse_size_mm,
)

# Allocation against the carrier: one payload's limits and the carrier's totals.
PAYLOAD_MASS_LIMIT = "payload_mass_limit"
CARRIER_MASS = "carrier_mass"
CARRIER_POWER = "carrier_power"
CARRIER_DATA = "carrier_data"
CARRIER_SIZE = "carrier_size"
# A delivered unit against its allocation.
MASS_OVER_ALLOCATION = "mass_over_allocation"
POWER_OVER_ALLOCATION = "power_over_allocation"
SIZE_OVER_ALLOCATION = "size_over_allocation"
# A delivered unit against the carrier's envelope (check_resources).
MASS_OVER_ENVELOPE = "mass_over_envelope"
POWER_OVER_ENVELOPE = "power_over_envelope"
SIZE_OVER_ENVELOPE = "size_over_envelope"

_ENVELOPE_CODES = {
    "mass_kg": MASS_OVER_ENVELOPE,
    "power_avg_w": POWER_OVER_ENVELOPE,
    "size_mm": SIZE_OVER_ENVELOPE,
}


@dataclass(frozen=True)
class Allocation:
    """The resources allocated to one payload (figures may be missing)."""

    mass_kg: Decimal | None = None
    power_w: Decimal | None = None
    data_mb_per_day: Decimal | None = None
    size_mm: str = ""

    @classmethod
    def of(cls, payload) -> "Allocation":
        return cls(
            mass_kg=payload.allocated_mass_kg,
            power_w=payload.allocated_power_w,
            data_mb_per_day=payload.allocated_data_mb_per_day,
            size_mm=payload.allocated_size_mm,
        )

    def as_data(self) -> dict:
        """JSON-ready figures, for a PayloadEvent's before and after."""
        return {
            "mass_kg": _text(self.mass_kg),
            "power_w": _text(self.power_w),
            "data_mb_per_day": _text(self.data_mb_per_day),
            "size_mm": self.size_mm,
        }


@dataclass(frozen=True)
class Finding:
    """One figure over its limit: a code, the field, the figures as text, and
    the carrier's name where it matters. `used` is the carrier's total with
    this payload (for the CARRIER_* codes)."""

    code: str
    field: str
    value: str
    limit: str
    carrier: str = ""

    def as_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> "Finding":
        return cls(
            code=data["code"],
            field=data.get("field", ""),
            value=str(data.get("value", "")),
            limit=str(data.get("limit", "")),
            carrier=data.get("carrier", ""),
        )

    @property
    def message(self) -> str:
        return render_finding(self)


def _text(value) -> str | None:
    return None if value is None else format_number(value)


def _messages() -> dict[str, str]:
    """The sentence of each code, in the active language."""
    return {
        PAYLOAD_MASS_LIMIT: _(
            "The allocation gives %(value)s kg; the %(carrier)s takes at most "
            "%(limit)s kg per payload. Lower the mass allocated."
        ),
        CARRIER_MASS: _(
            "With this allocation the payloads on the %(carrier)s take %(value)s kg, "
            "more than its %(limit)s kg in all. Lower the mass allocated or reduce "
            "another payload's first."
        ),
        CARRIER_POWER: _(
            "With this allocation the payloads on the %(carrier)s take %(value)s W, "
            "more than the %(limit)s W it supplies. Lower the power allocated or "
            "reduce another payload's first."
        ),
        CARRIER_DATA: _(
            "With this allocation the payloads on the %(carrier)s return %(value)s "
            "MB per day, more than its %(limit)s MB per day. Lower the data volume "
            "allocated or reduce another payload's first."
        ),
        CARRIER_SIZE: _(
            "The allocated size %(value)s mm does not fit the %(limit)s mm the "
            "%(carrier)s accepts. Give a smaller size."
        ),
        MASS_OVER_ALLOCATION: _(
            "The unit weighs %(value)s kg, more than the %(limit)s kg allocated."
        ),
        POWER_OVER_ALLOCATION: _(
            "The unit draws %(value)s W, more than the %(limit)s W allocated."
        ),
        SIZE_OVER_ALLOCATION: _(
            "The unit measures %(value)s mm and does not fit the %(limit)s mm "
            "allocated."
        ),
        MASS_OVER_ENVELOPE: _(
            "The unit weighs %(value)s kg; the %(carrier)s takes at most %(limit)s "
            "kg per payload."
        ),
        POWER_OVER_ENVELOPE: _(
            "The unit draws %(value)s W; the %(carrier)s supplies at most %(limit)s W."
        ),
        SIZE_OVER_ENVELOPE: _(
            "The unit measures %(value)s mm; the %(carrier)s accepts at most "
            "%(limit)s mm."
        ),
    }


def render_finding(finding: "Finding | dict") -> str:
    """The finding as a sentence in the active language (a stored dict too)."""
    if isinstance(finding, dict):
        finding = Finding.from_data(finding)
    template = _messages().get(finding.code)
    if template is None:
        return finding.code
    return template % {
        "value": finding.value,
        "limit": finding.limit,
        "carrier": finding.carrier,
    }


def size_text(sides) -> str:
    return format_size(sides) if sides else ""


# --- allocation -------------------------------------------------------------


def other_payloads_totals(payload) -> dict[str, Decimal]:
    """What the call's other payloads on the same carrier, still on board, take."""
    totals = (
        type(payload)
        .objects.filter(
            carrier_id=payload.carrier_id, status__in=PayloadStatus.active()
        )
        .exclude(pk=payload.pk)
        .aggregate(
            mass=Sum("allocated_mass_kg"),
            power=Sum("allocated_power_w"),
            data=Sum("allocated_data_mb_per_day"),
        )
    )
    return {key: value or Decimal(0) for key, value in totals.items()}


def allocation_findings(payload, proposed: Allocation) -> list[Finding]:
    """What is wrong with allocating `proposed` to `payload` on its carrier.

    Missing figures are skipped, on either side. Empty when it fits.
    """
    carrier = payload.carrier
    if carrier is None:
        return []
    name = str(carrier)
    findings: list[Finding] = []
    per_payload = carrier.max_payload_mass_kg
    if (
        proposed.mass_kg is not None
        and per_payload is not None
        and proposed.mass_kg > per_payload
    ):
        findings.append(
            Finding(
                PAYLOAD_MASS_LIMIT,
                "mass_kg",
                format_number(proposed.mass_kg),
                format_number(per_payload),
                name,
            )
        )
    others = other_payloads_totals(payload)
    for code, field, own, limit, key in (
        (CARRIER_MASS, "mass_kg", proposed.mass_kg, carrier.total_mass_kg, "mass"),
        (CARRIER_POWER, "power_w", proposed.power_w, carrier.power_w, "power"),
        (
            CARRIER_DATA,
            "data_mb_per_day",
            proposed.data_mb_per_day,
            carrier.data_mb_per_day,
            "data",
        ),
    ):
        if own is None or limit is None:
            continue
        used = others[key] + own
        if used > limit:
            findings.append(
                Finding(code, field, format_number(used), format_number(limit), name)
            )
    size = parse_size_mm(proposed.size_mm) if proposed.size_mm else None
    envelope = parse_size_mm(carrier.max_size_mm)
    if size is not None and envelope is not None and not _fits(size, envelope):
        findings.append(
            Finding(
                CARRIER_SIZE, "size_mm", format_size(size), format_size(envelope), name
            )
        )
    return findings


# --- deliveries -------------------------------------------------------------


def delivery_findings(delivery) -> list[Finding]:
    """What a delivered unit exceeds: its payload's allocation (mass, power,
    size), then the carrier's envelope as the proposal editor checks it."""
    payload = delivery.payload
    findings: list[Finding] = []
    measured_size = parse_size_mm(delivery.size_mm) if delivery.size_mm else None
    for code, field, measured, allocated in (
        (MASS_OVER_ALLOCATION, "mass_kg", delivery.mass_kg, payload.allocated_mass_kg),
        (
            POWER_OVER_ALLOCATION,
            "power_w",
            delivery.power_w,
            payload.allocated_power_w,
        ),
    ):
        if measured is not None and allocated is not None and measured > allocated:
            findings.append(
                Finding(code, field, format_number(measured), format_number(allocated))
            )
    allocated_size = (
        parse_size_mm(payload.allocated_size_mm) if payload.allocated_size_mm else None
    )
    if (
        measured_size is not None
        and allocated_size is not None
        and not _fits(measured_size, allocated_size)
    ):
        findings.append(
            Finding(
                SIZE_OVER_ALLOCATION,
                "size_mm",
                format_size(measured_size),
                format_size(allocated_size),
            )
        )
    findings.extend(_envelope_findings(delivery, measured_size))
    return findings


def _envelope_findings(delivery, measured_size) -> list[Finding]:
    carrier = delivery.payload.carrier
    if carrier is None:
        return []
    request = ResourceRequest(
        mass_kg=delivery.mass_kg,
        power_avg_w=delivery.power_w,
        size_mm=measured_size,
    )
    limits = {
        "mass_kg": carrier.payload_mass_limit_kg,
        "power_avg_w": carrier.power_w,
        "size_mm": parse_size_mm(carrier.max_size_mm),
    }
    values = {
        "mass_kg": delivery.mass_kg,
        "power_avg_w": delivery.power_w,
        "size_mm": measured_size,
    }
    findings = []
    for found in check_resources(carrier, request):
        code = _ENVELOPE_CODES.get(found.field)
        if code is None or not found.is_error:
            continue
        as_text = format_size if found.field == "size_mm" else format_number
        findings.append(
            Finding(
                code,
                found.field,
                as_text(values[found.field]),
                as_text(limits[found.field]),
                str(carrier),
            )
        )
    return findings
