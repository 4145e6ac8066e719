"""Lay out the missions on a 2024–2030 timeline, as the CNSA presentation draws it.

Pure geometry: `layout_timeline` takes missions and returns the coordinates the
template draws as an inline SVG. Each mission gets one marker placed by its
launch year; a mission launched before or after the drawn years is clamped to
the edge of the axis and marked with an arrow pointing the way it lies. Labels
alternate above and below the axis and climb to another tier when they would
overlap their neighbour.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

FIRST_YEAR = 2024
LAST_YEAR = 2030

WIDTH = 1000
MARGIN = 90  # room at each end for clamped markers and labels
AXIS_START = MARGIN
AXIS_END = WIDTH - MARGIN
LINE_START = 20  # the axis runs on, dashed, past the drawn years
LINE_END = WIDTH - 20
CLAMP_OFFSET = 45  # where a mission outside the drawn years sits, past the axis end
TIER_HEIGHT = 38  # vertical room taken by one label (name and window)
FIRST_TIER_GAP = 30  # from the axis to the first tier of labels
SAME_YEAR_SPACING = 20  # between the markers of missions launched in one year
LABEL_GAP = 12  # least horizontal space between two labels on one tier
FONT_PX = 14
WIDE_SCRIPTS_START = 0x2E80  # CJK radicals onwards: characters about one em wide
BEFORE = "before"
AFTER = "after"


@dataclass
class Tick:
    year: int
    x: float


@dataclass
class Marker:
    mission: object
    x: float
    clamped: str  # "", BEFORE or AFTER
    above: bool
    tier: int
    label_x: float = 0.0
    label_y: float = 0.0
    window_y: float = 0.0
    stem_end_y: float = 0.0
    axis_y: float = 0.0

    @property
    def arrow_points(self) -> str:
        """A triangle pointing out of the drawn years, for a clamped mission."""
        x, y = self.x, self.axis_y
        if self.clamped == BEFORE:
            return f"{x - 9},{y} {x + 7},{y - 8} {x + 7},{y + 8}"
        return f"{x + 9},{y} {x - 7},{y - 8} {x - 7},{y + 8}"


@dataclass
class Timeline:
    ticks: list[Tick]
    markers: list[Marker]
    width: int
    height: int
    axis_y: float
    axis_start: int = AXIS_START
    axis_end: int = AXIS_END
    first_year: int = FIRST_YEAR
    last_year: int = LAST_YEAR
    clamped: list[Marker] = field(default_factory=list)

    line_start: int = LINE_START
    line_end: int = LINE_END

    @property
    def tick_top(self) -> float:
        return self.axis_y - 7

    @property
    def tick_bottom(self) -> float:
        return self.axis_y + 7

    @property
    def year_y(self) -> float:
        return self.axis_y + 26

    @property
    def arrow_points(self) -> str:
        """The arrowhead at the end of the time axis."""
        end, y = self.line_end + 8, self.axis_y
        return f"{end},{y} {end - 12},{y - 7} {end - 12},{y + 7}"


def year_x(year: int) -> float:
    span = LAST_YEAR - FIRST_YEAR
    return AXIS_START + (year - FIRST_YEAR) * (AXIS_END - AXIS_START) / span


def text_width(text: str) -> float:
    """A generous estimate of a label's width in pixels: CJK characters are wide."""
    return sum(
        FONT_PX if ord(char) >= WIDE_SCRIPTS_START else FONT_PX * 0.6 for char in text
    )


def _place(marker: Marker, label: str, tiers: list[float]) -> None:
    """Put the label on the lowest tier where it clears the previous label."""
    half = text_width(label) / 2
    centre = min(max(marker.x, half + 4), WIDTH - half - 4)
    start = centre - half
    for tier, last_end in enumerate(tiers):
        if start >= last_end + LABEL_GAP:
            tiers[tier] = centre + half
            marker.tier = tier
            break
    else:
        tiers.append(centre + half)
        marker.tier = len(tiers) - 1
    marker.label_x = centre


def _drawn_year(mission) -> int:
    return min(max(mission.launch_year, FIRST_YEAR - 1), LAST_YEAR + 1)


def layout_timeline(missions: Iterable) -> Timeline:
    """Coordinates for drawing `missions`: each has a name, a launch_year and a
    launch_window."""
    ordered = sorted(missions, key=lambda m: (m.launch_year, str(m.name)))
    markers: list[Marker] = []
    tiers = {True: [], False: []}
    same_year = Counter(_drawn_year(mission) for mission in ordered)
    placed_in_year: Counter = Counter()
    for index, mission in enumerate(ordered):
        year = _drawn_year(mission)
        clamped, base = "", year_x(year)
        if mission.launch_year < FIRST_YEAR:
            clamped, base = BEFORE, AXIS_START - CLAMP_OFFSET
        elif mission.launch_year > LAST_YEAR:
            clamped, base = AFTER, AXIS_END + CLAMP_OFFSET
        # Missions of one year sit side by side, centred on the year's place.
        nth, count = placed_in_year[year], same_year[year]
        placed_in_year[year] += 1
        x = base + (nth - (count - 1) / 2) * SAME_YEAR_SPACING
        marker = Marker(
            mission=mission, x=x, clamped=clamped, above=index % 2 == 0, tier=0
        )
        label = max(str(mission.name), str(mission.launch_window), key=text_width)
        _place(marker, label, tiers[marker.above])
        markers.append(marker)

    above_height = len(tiers[True]) * TIER_HEIGHT + FIRST_TIER_GAP
    below_height = len(tiers[False]) * TIER_HEIGHT + FIRST_TIER_GAP
    axis_y = above_height + 10
    height = int(axis_y + 30 + below_height)
    for marker in markers:
        marker.axis_y = axis_y
        offset = FIRST_TIER_GAP + marker.tier * TIER_HEIGHT
        if marker.above:
            marker.label_y = axis_y - offset - 16
            marker.window_y = marker.label_y + 16
            marker.stem_end_y = marker.window_y + 6
        else:
            marker.label_y = axis_y + offset + 20
            marker.window_y = marker.label_y + 16
            marker.stem_end_y = marker.label_y - 14
    ticks = [Tick(year=y, x=year_x(y)) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    return Timeline(
        ticks=ticks,
        markers=markers,
        width=WIDTH,
        height=height,
        axis_y=axis_y,
        clamped=[m for m in markers if m.clamped],
    )
