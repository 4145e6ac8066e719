"""A payload's resource request checked against its carrier's envelope.

Pure functions: `check_resources` reads only the carrier and the request given
(the carrier's name comes from its mission, so select it with the carrier), and
is called while the proposal is written (the UI shows the findings) and by
submit_proposal. The opportunity's resource policy decides whether an error
blocks submission (`blocks_submission`).
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from catalogue.enums import ResourcePolicy
from proposals.enums import Severity

_SIZE_SEPARATOR = re.compile(r"\s*[×xX*]\s*")


@dataclass(frozen=True)
class ResourceRequest:
    mass_kg: Decimal | None = None
    power_avg_w: Decimal | None = None
    power_peak_w: Decimal | None = None
    data_mb_per_day: Decimal | None = None
    size_mm: tuple[int, int, int] | None = None

    @classmethod
    def from_proposal(cls, proposal) -> "ResourceRequest":
        return cls(
            mass_kg=proposal.mass_kg,
            power_avg_w=proposal.power_avg_w,
            power_peak_w=proposal.power_peak_w,
            data_mb_per_day=proposal.data_mb_per_day,
            size_mm=proposal.size_mm,
        )


@dataclass(frozen=True)
class Finding:
    field: str
    severity: str
    message: str
    # A figure that is not one (a word, a negative mass, 1e9 W): named, never
    # silently left out of the check.
    invalid: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


def format_number(value: Decimal | int) -> str:
    """10.000 → "10", 12.50 → "12.5": the figure as a person writes it."""
    return format(Decimal(value).normalize(), "f")


@dataclass(frozen=True)
class Figure:
    """What one figure of the request may be: the unit it is given in, the most
    the form accepts and how many decimal places.

    The maxima are what proposals.models.Proposal's columns hold (max_digits,
    decimal_places; tests/proposals/test_editor_trust.py keeps them in step),
    except the sides, bounded at 100 m: nothing a lander or a station carries is
    longer.
    """

    label: Promise
    unit: Promise
    maximum: Decimal
    places: int


_KG = pgettext_lazy("unit", "kg")
_W = pgettext_lazy("unit", "W")
_MB_PER_DAY = pgettext_lazy("unit", "MB per day")
_MM = pgettext_lazy("unit", "mm")
SIDE_MAXIMUM_MM = Decimal(100_000)
FIGURES: dict[str, Figure] = {
    "mass_kg": Figure(gettext_lazy("Mass"), _KG, Decimal("99999.999"), 3),
    "power_avg_w": Figure(gettext_lazy("Average power"), _W, Decimal("9999999.9"), 1),
    "power_peak_w": Figure(gettext_lazy("Peak power"), _W, Decimal("9999999.9"), 1),
    "data_mb_per_day": Figure(
        gettext_lazy("Data volume"), _MB_PER_DAY, Decimal("999999999.9"), 1
    ),
    "length_mm": Figure(gettext_lazy("Length"), _MM, SIDE_MAXIMUM_MM, 0),
    "width_mm": Figure(gettext_lazy("Width"), _MM, SIDE_MAXIMUM_MM, 0),
    "height_mm": Figure(gettext_lazy("Height"), _MM, SIDE_MAXIMUM_MM, 0),
}


def format_figure(value: Decimal | int) -> str:
    """A figure for a sentence, grouped as the language writes it: 1,000,000,000."""
    return number_format(
        Decimal(format_number(value)), use_l10n=True, force_grouping=True
    )


def figure_problem(name: str, value: Decimal | int) -> str:
    """What is wrong with a figure of FIGURES[name], "" when nothing.

    Each sentence names the unit and the limit the figure broke.
    """
    rule = FIGURES[name]
    values = {
        "value": format_figure(value),
        "unit": rule.unit,
        "maximum": format_figure(rule.maximum),
    }
    if value < 0:
        return (
            _(
                "%(value)s %(unit)s is below zero: enter a figure from 0 to "
                "%(maximum)s %(unit)s."
            )
            % values
        )
    if value > rule.maximum:
        return (
            _(
                "%(value)s %(unit)s is more than %(maximum)s %(unit)s, the most "
                "this form accepts."
            )
            % values
        )
    places = max(0, -Decimal(value).normalize().as_tuple().exponent)
    if places > rule.places:
        if rule.places == 0:
            return _("Enter a whole number of %(unit)s, without decimals.") % values
        return ngettext(
            "Give at most %(places)s decimal place (steps of %(step)s %(unit)s).",
            "Give at most %(places)s decimal places (steps of %(step)s %(unit)s).",
            rule.places,
        ) % {
            **values,
            "places": rule.places,
            "step": format_figure(Decimal(1).scaleb(-rule.places)),
        }
    return ""


def read_figure(name: str, text: str) -> tuple[Decimal | None, str]:
    """A figure as typed: its value (None when empty or not a number) and what is
    wrong with it ("" when nothing). "1e9", "-3" and "abc" are all answered."""
    cleaned = (text or "").strip().replace("\u2212", "-")
    if not cleaned:
        return None, ""
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        rule = FIGURES[name]
        return None, _(
            "“%(text)s” is not a number: enter a figure in %(unit)s, "
            "from 0 to %(maximum)s."
        ) % {
            "text": cleaned,
            "unit": rule.unit,
            "maximum": format_figure(rule.maximum),
        }
    return value, figure_problem(name, value)


def invalid_figure(name: str, problem: str) -> Finding:
    """A figure the check could not use, named with its problem."""
    return Finding(
        name,
        Severity.ERROR,
        _("%(figure)s: %(problem)s")
        % {"figure": FIGURES[name].label, "problem": problem},
        invalid=True,
    )


def format_size(sides) -> str:
    return " × ".join(format_number(side) for side in sides)


def parse_size_mm(text: str) -> tuple[Decimal, Decimal, Decimal] | None:
    """Read "300 × 300 × 200" (× or x, optional "mm"); None when it is not that."""
    cleaned = text.strip().removesuffix("mm").strip()
    parts = _SIZE_SEPARATOR.split(cleaned) if cleaned else []
    if len(parts) != 3:  # noqa: PLR2004 — length, width, height
        return None
    try:
        sides = tuple(Decimal(part) for part in parts)
    except InvalidOperation:
        return None
    if any(side <= 0 for side in sides):
        return None
    return sides


def _fits(request: tuple, limit: tuple) -> bool:
    """A box fits another when, turned as best it can be, no side is longer."""
    return all(
        Decimal(want) <= have
        for want, have in zip(sorted(request), sorted(limit), strict=True)
    )


def check_resources(carrier, request: ResourceRequest) -> list[Finding]:
    """Compare the request with the carrier's envelope; missing figures are skipped.

    Errors: mass above the per-payload limit (or the carrier's total when no
    per-payload limit is set), average power above the carrier's supply, data
    volume above its downlink, a size that does not fit. Warning: a peak power
    above the supply.
    """
    if carrier is None:
        return []
    name = str(carrier)
    findings: list[Finding] = []
    mass_limit = carrier.payload_mass_limit_kg
    if (
        request.mass_kg is not None
        and mass_limit is not None
        and request.mass_kg > mass_limit
    ):
        values = {
            "requested": format_number(request.mass_kg),
            "carrier": name,
            "limit": format_number(carrier.payload_mass_limit_kg),
        }
        if carrier.max_payload_mass_kg is not None:
            message = (
                _(
                    "The payload requests %(requested)s kg; the %(carrier)s offers "
                    "at most %(limit)s kg per payload."
                )
                % values
            )
        else:
            message = (
                _(
                    "The payload requests %(requested)s kg; the %(carrier)s carries "
                    "%(limit)s kg in all."
                )
                % values
            )
        findings.append(Finding("mass_kg", Severity.ERROR, message))
    if carrier.power_w is not None:
        values = {"carrier": name, "limit": format_number(carrier.power_w)}
        if request.power_avg_w is not None and request.power_avg_w > carrier.power_w:
            findings.append(
                Finding(
                    "power_avg_w",
                    Severity.ERROR,
                    _(
                        "The payload needs %(requested)s W on average; the "
                        "%(carrier)s supplies at most %(limit)s W."
                    )
                    % {**values, "requested": format_number(request.power_avg_w)},
                )
            )
        if request.power_peak_w is not None and request.power_peak_w > carrier.power_w:
            findings.append(
                Finding(
                    "power_peak_w",
                    Severity.WARNING,
                    _(
                        "The payload's peak of %(requested)s W is above the "
                        "%(limit)s W the %(carrier)s supplies; peaks must be agreed "
                        "with the mission."
                    )
                    % {**values, "requested": format_number(request.power_peak_w)},
                )
            )
    if (
        carrier.data_mb_per_day is not None
        and request.data_mb_per_day is not None
        and request.data_mb_per_day > carrier.data_mb_per_day
    ):
        findings.append(
            Finding(
                "data_mb_per_day",
                Severity.ERROR,
                _(
                    "The payload produces %(requested)s MB per day; the %(carrier)s "
                    "returns at most %(limit)s MB per day."
                )
                % {
                    "requested": format_number(request.data_mb_per_day),
                    "carrier": name,
                    "limit": format_number(carrier.data_mb_per_day),
                },
            )
        )
    limit = parse_size_mm(carrier.max_size_mm)
    if (
        limit is not None
        and request.size_mm is not None
        and not _fits(request.size_mm, limit)
    ):
        findings.append(
            Finding(
                "size_mm",
                Severity.ERROR,
                _(
                    "The payload measures %(requested)s mm; the %(carrier)s "
                    "accepts at most %(limit)s mm."
                )
                % {
                    "requested": format_size(request.size_mm),
                    "carrier": name,
                    "limit": format_size(limit),
                },
            )
        )
    return findings


def blocks_submission(findings: list[Finding], *, policy: str) -> bool:
    """Under the "block" policy an error stops submission; "warn" only shows it."""
    return policy == ResourcePolicy.BLOCK and any(f.is_error for f in findings)
