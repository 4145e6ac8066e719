"""Charts for the ranking page, drawn on the server as inline SVG.

No JavaScript and no chart library: each function returns the markup of one
`<svg role="img">` with a `<title>` and a `<desc>` (referenced by
aria-labelledby), and every mark carries its own `<title>` as a tooltip. The
page shows the same numbers in a table next to each chart, for screen readers
and for anyone who would rather read.

- `dot_plot`: a strip of dots per proposal — each reviewer's weighted score on
  the 1–5 scale, the mean as a bar across the strip, rows where the reviewers
  disagree shaded;
- `bar_chart`: horizontal grouped bars, e.g. proposals and selections by country.

Text takes the page's colour (`currentColor`), so the admin's dark theme works;
the two series colours are the Okabe–Ito blue and orange, told apart by people
with any common colour blindness.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BLUE = "#0072B2"
ORANGE = "#D55E00"
SERIES_COLOURS = (BLUE, ORANGE)
FLAG_FILL = "#E69F00"
GRID = "#999999"

LABEL_WIDTH = 190
PLOT_WIDTH = 440
RIGHT_MARGIN = 60
ROW_HEIGHT = 24
TOP = 34
BOTTOM = 30
FONT = 'font-family="sans-serif" font-size="12"'


def _number(value) -> str:
    """A coordinate or figure without float noise: 12.0 → "12", 3.25 → "3.25"."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _truncate(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _svg(*, chart_id: str, width: int, height: int, title: str, desc: str, body):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="panel-chart" role="img" '
        'aria-labelledby="{id}-title {id}-desc" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" {font}>'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{body}</svg>",
        id=chart_id,
        w=width,
        h=height,
        font=mark_safe(FONT),  # noqa: S308 — a constant of this module
        title=title,
        desc=desc,
        body=body,
    )


@dataclass(frozen=True)
class DotRow:
    """One proposal on the dot plot."""

    label: str
    values: tuple[Decimal, ...]
    mean: Decimal | None = None
    flagged: bool = False


def dot_plot(
    rows: Sequence[DotRow],
    *,
    chart_id: str,
    title: str,
    desc: str,
    low: int = 1,
    high: int = 5,
) -> SafeString:
    """Each row's values as dots on one shared scale from `low` to `high`."""
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + BOTTOM
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT_MARGIN

    def x(value) -> str:
        share = (float(value) - low) / (high - low)
        return _number(LABEL_WIDTH + share * PLOT_WIDTH)

    bottom = height - BOTTOM
    parts = [
        format_html(
            '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{grid}" '
            'stroke-dasharray="2 3"/>'
            '<text x="{x}" y="{label_y}" text-anchor="middle" fill="currentColor">'
            "{tick}</text>",
            x=x(tick),
            top=TOP - 6,
            bottom=bottom,
            grid=GRID,
            label_y=bottom + 16,
            tick=tick,
        )
        for tick in range(low, high + 1)
    ]
    parts.append(
        format_html(
            '<text x="{x}" y="14" fill="currentColor">{legend}</text>',
            x=LABEL_WIDTH,
            legend=_("● one reviewer's weighted score   | mean   shaded: disagreement"),
        )
    )
    # Each tip's words translated once, not once per dot.
    disagree_tip = _("%(label)s: the reviewers disagree")
    score_tip = _("%(label)s, reviewer %(number)s: %(score)s")
    mean_tip = _("%(label)s: mean %(mean)s")
    for index, row in enumerate(rows):
        middle = TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2
        if row.flagged:
            parts.append(
                format_html(
                    '<rect x="0" y="{y}" width="{w}" height="{h}" fill="{fill}" '
                    'fill-opacity="0.25"><title>{tip}</title></rect>',
                    y=_number(middle - ROW_HEIGHT / 2),
                    w=width,
                    h=ROW_HEIGHT,
                    fill=FLAG_FILL,
                    tip=disagree_tip % {"label": row.label},
                )
            )
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="end" fill="currentColor">'
                "{label}</text>",
                x=LABEL_WIDTH - 10,
                y=_number(middle + 4),
                label=_truncate(row.label),
            )
        )
        parts.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="6" fill="{}" fill-opacity="0.7" '
                'stroke="{}"><title>{}</title></circle>',
                (
                    (
                        x(value),
                        _number(middle),
                        BLUE,
                        BLUE,
                        score_tip
                        % {"label": row.label, "number": number, "score": value},
                    )
                    for number, value in enumerate(row.values, start=1)
                ),
            )
        )
        if row.mean is not None:
            parts.append(
                format_html(
                    '<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" '
                    'stroke="currentColor" stroke-width="3"><title>{tip}</title>'
                    "</line>"
                    '<text x="{text_x}" y="{text_y}" fill="currentColor">{mean}</text>',
                    x=x(row.mean),
                    y1=_number(middle - 9),
                    y2=_number(middle + 9),
                    tip=mean_tip % {"label": row.label, "mean": row.mean},
                    text_x=LABEL_WIDTH + PLOT_WIDTH + 10,
                    text_y=_number(middle + 4),
                    mean=row.mean,
                )
            )
    return _svg(
        chart_id=chart_id,
        width=width,
        height=height,
        title=title,
        desc=desc,
        body=mark_safe("".join(parts)),  # noqa: S308 — each part is escaped above
    )


@dataclass(frozen=True)
class BarGroup:
    """One category (a country, a region) and its value in each series."""

    label: str
    values: tuple[int, ...]


def bar_chart(
    groups: Sequence[BarGroup],
    *,
    series: Sequence[str],
    chart_id: str,
    title: str,
    desc: str,
) -> SafeString:
    """Horizontal bars, one per series within each group, the value at its end."""
    bar_height = 14
    group_height = bar_height * len(series) + 10
    height = TOP + group_height * max(len(groups), 1) + 10
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT_MARGIN
    largest = max((value for group in groups for value in group.values), default=0)
    scale = PLOT_WIDTH / largest if largest else 0

    parts = [
        format_html(
            '<rect x="{x}" y="4" width="12" height="12" fill="{fill}"/>'
            '<text x="{text_x}" y="14" fill="currentColor">{name}</text>',
            x=LABEL_WIDTH + 150 * number,
            fill=SERIES_COLOURS[number % len(SERIES_COLOURS)],
            text_x=LABEL_WIDTH + 150 * number + 18,
            name=name,
        )
        for number, name in enumerate(series)
    ]
    for index, group in enumerate(groups):
        top = TOP + group_height * index
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="end" fill="currentColor">'
                "{label}</text>",
                x=LABEL_WIDTH - 10,
                y=_number(top + group_height / 2),
                label=_truncate(group.label),
            )
        )
        for number, value in enumerate(group.values):
            y = top + bar_height * number
            bar = value * scale
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
                    "<title>{tip}</title></rect>"
                    '<text x="{text_x}" y="{text_y}" fill="currentColor">'
                    "{value}</text>",
                    x=LABEL_WIDTH,
                    y=_number(y),
                    w=_number(bar),
                    h=bar_height - 2,
                    fill=SERIES_COLOURS[number % len(SERIES_COLOURS)],
                    tip=_("%(label)s, %(series)s: %(value)s")
                    % {"label": group.label, "series": series[number], "value": value},
                    text_x=_number(LABEL_WIDTH + bar + 6),
                    text_y=_number(y + bar_height - 3),
                    value=value,
                )
            )
    return _svg(
        chart_id=chart_id,
        width=width,
        height=height,
        title=title,
        desc=desc,
        body=mark_safe("".join(parts)),  # noqa: S308 — each part is escaped above
    )
