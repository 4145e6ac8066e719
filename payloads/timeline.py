"""Lay out milestones on a time axis, for the team's "My payload" page and the
administrators' overview.

Pure geometry, as catalogue.timeline: `layout_timeline(rows, today=…)` takes
TimelineRow tuples and returns the coordinates that
templates/payloads/_timeline.html draws as an inline SVG (role="img", with a
<title> and a <desc>) next to a table of the same figures. Nothing here reads
the database or formats a date: the template does, in the reader's language.

Colour is never the only signal. Each state has its own shape — a hollow
diamond for a planned milestone, a filled circle for one done, a triangle for
one overdue — and a late stretch is drawn hatched, a slip dotted; the legend and
the table say the same in words.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from payloads.enums import Side

WIDTH = 1000
LABEL_WIDTH = 250  # the milestone names, left of the chart
CHART_START = LABEL_WIDTH + 20
CHART_END = WIDTH - 30
AXIS_Y = 34  # the month labels sit above this line
ROW_HEIGHT = 36
BOTTOM = 16
MARKER = 7  # half the size of a marker
LABEL_CHARS = 34  # a longer label is cut with "…" in the SVG (the table has it all)
# Tick steps in months, the first that gives at most MAX_TICKS ticks is used.
TICK_STEPS = (1, 2, 3, 6, 12, 24, 60)
MAX_TICKS = 9
YEAR = 12  # months

PLANNED = "planned"
DONE = "done"
DONE_LATE = "done_late"
LATE = "late"


class TimelineRow(NamedTuple):
    """One milestone (or one payload's milestone on the overview).

    planned: the date it is planned for now (after any slips); actual: the date
    it was done, or None; slip: days it has slipped in all (the first planned
    date is `planned - slip`); done; late: overdue, or done after its planned
    date; side: payloads.enums.Side value (or any short text) of who is
    responsible; notes: lines the table shows under the figures (e.g. each slip
    with its reason)."""

    label: str
    planned: date | None
    actual: date | None
    slip: int
    done: bool
    late: bool
    side: str
    notes: tuple[str, ...] = ()


@dataclass
class Tick:
    day: date
    x: float


@dataclass
class Bar:
    """A line from x1 to x2 on a row: a slip (dotted) or a late stretch (hatched)."""

    x1: float
    x2: float

    @property
    def width(self) -> float:
        return max(self.x2 - self.x1, 0.0)


@dataclass
class PlacedRow:
    row: TimelineRow
    index: int
    y: float  # the row's middle
    state: str  # PLANNED, DONE, DONE_LATE or LATE
    x: float | None  # where the marker sits; None without a date
    first_planned: date | None
    first_x: float | None  # the first planned date, when it slipped
    slip_bar: Bar | None
    late_bar: Bar | None
    short_label: str

    @property
    def top(self) -> float:
        return self.y - ROW_HEIGHT / 2

    @property
    def label_y(self) -> float:
        return self.y - 3

    @property
    def side_y(self) -> float:
        return self.y + 12

    @property
    def bar_y(self) -> float:
        return self.y - 5

    @property
    def bang_y(self) -> float:
        return self.y + 6

    @property
    def diamond_points(self) -> str:
        x, y, m = self.x, self.y, MARKER + 1
        return f"{x},{y - m} {x + m},{y} {x},{y + m} {x - m},{y}"

    @property
    def triangle_points(self) -> str:
        x, y, m = self.x, self.y, MARKER + 2
        return f"{x},{y - m} {x + m},{y + m - 1} {x - m},{y + m - 1}"

    @property
    def check_path(self) -> str:
        """A tick drawn inside the circle of a milestone done."""
        x, y = self.x, self.y
        return f"M{x - 3.5},{y} L{x - 1},{y + 3} L{x + 4},{y - 3}"

    @property
    def side_label(self) -> str:
        side = self.row.side
        return str(Side(side).label) if side in Side.values else str(side or "")

    @property
    def is_even(self) -> bool:
        return self.index % 2 == 0


@dataclass
class Timeline:
    rows: list[PlacedRow]
    ticks: list[Tick]
    start: date | None
    end: date | None
    today: date
    today_x: float | None
    width: int = WIDTH
    height: int = AXIS_Y + BOTTOM
    label_width: int = LABEL_WIDTH
    chart_start: int = CHART_START
    chart_end: int = CHART_END
    axis_y: int = AXIS_Y
    row_height: int = ROW_HEIGHT
    states: set[str] = field(default_factory=set)

    @property
    def bottom(self) -> float:
        return self.height - BOTTOM

    @property
    def tick_label_y(self) -> float:
        return self.axis_y - 10

    @property
    def today_top(self) -> float:
        return self.axis_y - 4

    @property
    def today_label_y(self) -> float:
        return self.height - 3

    @property
    def has_slips(self) -> bool:
        return any(row.slip_bar for row in self.rows)

    @property
    def has_notes(self) -> bool:
        return any(row.row.notes for row in self.rows)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _state(row: TimelineRow) -> str:
    if row.done:
        return DONE_LATE if row.late else DONE
    return LATE if row.late else PLANNED


def _first_planned(row: TimelineRow) -> date | None:
    if row.planned is None or not row.slip:
        return None
    return row.planned - timedelta(days=row.slip)


def _shorten(label: str) -> str:
    label = " ".join(str(label).split())
    if len(label) <= LABEL_CHARS:
        return label
    return label[: LABEL_CHARS - 1].rstrip() + "…"


def _span(rows: list[TimelineRow], today: date) -> tuple[date, date]:
    """From the first of the month before the earliest date to the first of the
    month after the latest: every marker, every first planned date and today."""
    days = [today]
    for row in rows:
        days += [d for d in (row.planned, row.actual, _first_planned(row)) if d]
    start = min(days).replace(day=1)
    end = _add_months(max(days).replace(day=1), 1)
    return start, end


def _ticks(start: date, end: date, x_of) -> list[Tick]:
    months = _months_between(start, end)
    step = next((s for s in TICK_STEPS if months / s <= MAX_TICKS - 1), TICK_STEPS[-1])
    # Yearly (and longer) steps start in January; the others at the start.
    first = start if step < YEAR else date(start.year + (start.month > 1), 1, 1)
    ticks, day = [], first
    while day <= end:
        ticks.append(Tick(day=day, x=x_of(day)))
        day = _add_months(day, step)
    return ticks


def layout_timeline(rows: Iterable[TimelineRow], *, today: date) -> Timeline:
    """Coordinates for drawing `rows` in the order given, with a line at today."""
    rows = [TimelineRow(*row) for row in rows]
    if not rows or not any(row.planned or row.actual for row in rows):
        return Timeline(
            rows=[
                _placed(row, index, None, None, today) for index, row in enumerate(rows)
            ],
            ticks=[],
            start=None,
            end=None,
            today=today,
            today_x=None,
            height=AXIS_Y + BOTTOM + len(rows) * ROW_HEIGHT,
        )
    start, end = _span(rows, today)
    scale = (CHART_END - CHART_START) / max((end - start).days, 1)

    def x_of(day: date) -> float:
        return round(CHART_START + (day - start).days * scale, 1)

    placed = [_placed(row, index, x_of, start, today) for index, row in enumerate(rows)]
    return Timeline(
        rows=placed,
        ticks=_ticks(start, end, x_of),
        start=start,
        end=end,
        today=today,
        today_x=x_of(today),
        height=AXIS_Y + BOTTOM + len(rows) * ROW_HEIGHT,
        states={row.state for row in placed},
    )


def _placed(row: TimelineRow, index: int, x_of, start, today: date) -> PlacedRow:
    state = _state(row)
    y = AXIS_Y + index * ROW_HEIGHT + ROW_HEIGHT / 2
    first = _first_planned(row)
    if x_of is None:
        return PlacedRow(
            row=row,
            index=index,
            y=y,
            state=state,
            x=None,
            first_planned=first,
            first_x=None,
            slip_bar=None,
            late_bar=None,
            short_label=_shorten(row.label),
        )
    at = row.actual if row.done and row.actual else row.planned
    x = x_of(at) if at else None
    planned_x = x_of(row.planned) if row.planned else None
    slip_bar = late_bar = None
    first_x = x_of(first) if first else None
    if first_x is not None and planned_x is not None:
        slip_bar = Bar(x1=min(first_x, planned_x), x2=max(first_x, planned_x))
    if planned_x is not None:
        if state == LATE and today > row.planned:
            late_bar = Bar(x1=planned_x, x2=x_of(today))
        elif state == DONE_LATE and row.actual and row.actual > row.planned:
            late_bar = Bar(x1=planned_x, x2=x_of(row.actual))
    return PlacedRow(
        row=row,
        index=index,
        y=y,
        state=state,
        x=x,
        first_planned=first,
        first_x=first_x,
        slip_bar=slip_bar,
        late_bar=late_bar,
        short_label=_shorten(row.label),
    )
