"""Exact checks around the solver: eligibility, pins, usage of each envelope."""

from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from reviews.manifest.types import (
    _FIELDS,
    _OVER_ENVELOPE,
    _OVER_PAYLOAD_LIMIT,
    _PINS_OVER_COUNTRY_LIMIT,
    _PINS_OVER_ENVELOPE,
    _UNKNOWN_CARRIER,
    Candidate,
    CarrierUsage,
    Envelope,
    Number,
    Resource,
    ResourceUse,
)


def _check_unique(candidates, envelopes) -> None:
    for kind, ids in (
        ("candidate", [c.id for c in candidates]),
        ("carrier", [e.carrier_id for e in envelopes]),
    ):
        duplicates = [key for key, count in Counter(ids).items() if count > 1]
        if duplicates:
            msg = f"Duplicate {kind} ids: {duplicates!r}."
            raise ValueError(msg)


def _decimal(value: Number | None) -> Decimal:
    if value is None:
        return Decimal(0)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number < 0:
        msg = f"A resource figure must be a finite, non-negative number, not {value!r}."
        raise ValueError(msg)
    return number


def _limit(envelope: Envelope, resource: Resource) -> Decimal | None:
    value = getattr(envelope, _FIELDS[resource])
    return None if value is None else _decimal(value)


def _request(candidate: Candidate, resource: Resource) -> Decimal:
    return _decimal(getattr(candidate, _FIELDS[resource]))


def _used(chosen, envelope: Envelope, resource: Resource) -> Decimal:
    on_carrier = (c for c in chosen if c.carrier_id == envelope.carrier_id)
    return sum((_request(c, resource) for c in on_carrier), Decimal(0))


def _usage(envelope: Envelope, chosen) -> CarrierUsage:
    return CarrierUsage(
        carrier_id=envelope.carrier_id,
        name=envelope.name,
        payloads=sum(c.carrier_id == envelope.carrier_id for c in chosen),
        resources=tuple(
            ResourceUse(
                resource=resource,
                used=_used(chosen, envelope, resource),
                limit=_limit(envelope, resource),
            )
            for resource in Resource
        ),
    )


def _format(number: Decimal) -> str:
    """212.500 → "212.5", 2E+2 → "200": figures in messages without noise."""
    return f"{number.normalize():f}"


def _country_name(code: str) -> str:
    return str(countries.name(code) or code) if code else str(_("no country"))


def _ineligibility(candidate: Candidate, envelope: Envelope | None) -> tuple[str, ...]:
    if envelope is None:
        return (str(_UNKNOWN_CARRIER),)
    reasons = []
    mass = _request(candidate, Resource.MASS)
    per_payload = _decimal(envelope.max_payload_mass_kg)
    if envelope.max_payload_mass_kg is not None and mass > per_payload:
        reasons.append(
            _OVER_PAYLOAD_LIMIT
            % {
                "requested": _format(mass),
                "limit": _format(per_payload),
                "carrier": envelope.name,
            }
        )
    for resource in Resource:
        limit = _limit(envelope, resource)
        requested = _request(candidate, resource)
        if limit is not None and requested > limit:
            reasons.append(
                _OVER_ENVELOPE[resource]
                % {
                    "requested": _format(requested),
                    "limit": _format(limit),
                    "carrier": envelope.name,
                }
            )
    return tuple(reasons)


def _pins_contradict(candidates, by_carrier, excluded, constraints) -> str:
    labels = {c.id: c.label or str(c.id) for c in candidates}
    both = sorted(constraints.pinned_in & constraints.pinned_out, key=str)
    if both:
        return _("Proposal %(label)s is pinned both in and out.") % {
            "label": labels.get(both[0], str(both[0]))
        }
    unknown = sorted(constraints.pinned_in - labels.keys(), key=str)
    if unknown:
        return _("Proposal %(label)s is pinned in but is not among the candidates.") % {
            "label": str(unknown[0])
        }
    for candidate in candidates:
        if candidate.id in constraints.pinned_in and candidate.id in excluded:
            reasons = _ineligibility(candidate, by_carrier.get(candidate.carrier_id))
            return _("Proposal %(label)s is pinned in but cannot fly: %(reason)s") % {
                "label": labels[candidate.id],
                "reason": " ".join(reasons),
            }
    return ""


def _pins_overflow(pinned, by_carrier, constraints) -> str:
    for envelope in by_carrier.values():
        for resource in Resource:
            limit = _limit(envelope, resource)
            used = _used(pinned, envelope, resource)
            if limit is not None and used > limit:
                return _PINS_OVER_ENVELOPE[resource] % {
                    "carrier": envelope.name,
                    "used": _format(used),
                    "limit": _format(limit),
                }
    limit = constraints.max_per_country
    for country, count in sorted(Counter(c.country for c in pinned).items()):
        if limit is not None and count > limit:
            return _PINS_OVER_COUNTRY_LIMIT % {
                "count": count,
                "country": _country_name(country),
                "limit": limit,
            }
    return ""


def _too_few_countries(pool, constraints) -> str:
    available = len({c.country for c in pool if c.country})
    if not constraints.min_countries or available >= constraints.min_countries:
        return ""
    return ngettext(
        "Only %(count)s country has eligible proposals, fewer than the "
        "%(minimum)s the diversity limit requires.",
        "Only %(count)s countries have eligible proposals, fewer than the "
        "%(minimum)s the diversity limit requires.",
        available,
    ) % {"count": available, "minimum": constraints.min_countries}
