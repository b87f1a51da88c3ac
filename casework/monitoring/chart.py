"""Scores over time as coordinates for a server-drawn SVG chart (no JavaScript, no CDN).

The chart is laid out twice, for a narrow and a wide screen (the stylesheet shows one), so
that its labels stay readable when the picture is scaled to the width of the page: text in an
SVG scales with it. Label boxes are estimated from the text's length, and date labels that
would overlap are left out (the first and last stay). Each series has its own marker and is
shifted a little sideways, so equal scores on one date stay visible side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from casework.monitoring.scoring import COMPOSITE
from casework.monitoring.vocabulary import Dimension

SERIES = (Dimension.ECONOMIC.value, Dimension.SOCIAL.value, Dimension.PSYCHOSOCIAL.value, COMPOSITE)
#: A generous average glyph width, as a share of the font size (labels are dates and scores).
CHAR_WIDTH = 0.62
#: Half the size of a marker, and how far apart the series' markers sit on one date.
MARKER = 4.5
SPREAD = 7.0
GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Layout:
    """The drawing's size in SVG units and its font size (what a reader sees is scaled)."""

    name: str
    width: int
    height: int
    font: int

    @property
    def left(self) -> int:
        return round(self.font * 3.4)

    @property
    def right(self) -> int:
        return self.width - round(self.font * 1.2)

    @property
    def top(self) -> int:
        return self.font

    @property
    def bottom(self) -> int:
        return self.height - round(self.font * 2.6)


#: The narrow one is for phones (about 300 px on a 375 px screen: 15 units are about 12 px);
#: the wide one for wider screens (960 units shown at 700 to 1100 px).
NARROW = Layout("narrow", 360, 270, 15)
WIDE = Layout("wide", 960, 320, 16)
LAYOUTS = (WIDE, NARROW)


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str  # start | middle | end
    font: int

    @property
    def width(self) -> float:
        return len(self.text) * self.font * CHAR_WIDTH

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) the text covers, its baseline at ``y``."""
        x0 = self.x - {"start": 0.0, "middle": self.width / 2, "end": self.width}[self.anchor]
        return (x0, self.y - self.font * 0.8, x0 + self.width, self.y + self.font * 0.25)


def overlap(a: Label, b: Label, gap: float = 0.0) -> bool:
    ax0, ay0, ax1, ay1 = a.box
    bx0, by0, bx1, by1 = b.box
    return ax0 < bx1 + gap and bx0 < ax1 + gap and ay0 < by1 and by0 < ay1


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    visited_on: date
    score: float
    series: str

    @property
    def marker(self) -> str:
        return marker_path(self.series, self.x, self.y)


def marker_path(series: str, x: float, y: float) -> str:
    """A series' marker at (x, y) as an SVG path: a ring (economic), a square (social), a
    diamond (psychosocial), or a dot (composite; the stylesheet fills it)."""
    r = MARKER
    if series == Dimension.SOCIAL.value:
        s = r * 0.9
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}Z"
    if series == Dimension.PSYCHOSOCIAL.value:
        d = r * 1.2
        return f"M{x:.1f},{y - d:.1f}l{d:.1f},{d:.1f}l{-d:.1f},{d:.1f}l{-d:.1f},{-d:.1f}Z"
    if series == COMPOSITE:
        r = MARKER * 1.2
    arc = f"a{r:.1f},{r:.1f} 0 1,0"
    return f"M{x - r:.1f},{y:.1f}{arc} {2 * r:.1f},0{arc} {-2 * r:.1f},0Z"


@dataclass
class Line:
    series: str
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The polyline's ``points`` attribute."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Chart:
    layout: Layout
    lines: list[Line]
    #: (y, score) of the horizontal grid lines; the score labels and the date labels.
    grid: list[tuple[float, float]]
    labels: list[Label]

    @property
    def name(self) -> str:
        return self.layout.name


Visits = Sequence[tuple[date, dict[str, float | None]]]


def score_chart(
    visits: Visits,
    layout: Layout = WIDE,
    date_text: Callable[[date], str] = date.isoformat,
    score_text: Callable[[float], str] = "{:.2f}".format,
) -> Chart:
    """Lines for the three dimensions and the composite over the visit dates.

    ``visits`` are (date, scores) pairs in date order; a visit without a score for a series
    leaves a gap in that line only (its other points are still drawn).
    """
    x_of = _x_scale(layout, [d for d, _s in visits])

    def y_of(score: float) -> float:
        return layout.top + (layout.bottom - layout.top) * (1 - max(0.0, min(1.0, score)))

    lines = [Line(series) for series in SERIES]
    for day, scores in visits:
        for n, line in enumerate(lines):
            score = scores.get(line.series)
            if score is not None:
                shift = (n - (len(SERIES) - 1) / 2) * SPREAD
                line.points.append(Point(x_of(day) + shift, y_of(score), day, score, line.series))
    grid = [(y_of(v), v) for v in GRID]
    labels = [
        Label(layout.left - 8, y + layout.font * 0.35, score_text(v), "end", layout.font)
        for y, v in grid
    ]
    labels += _date_labels(layout, sorted({d for d, _s in visits}), x_of, date_text)
    return Chart(layout, lines, grid, labels)


def _x_scale(layout: Layout, dates: list[date]) -> Callable[[date], float]:
    """Dates across the plot, kept clear of its edges by the markers' spread."""
    inset = SPREAD * 2 + MARKER
    start, end = layout.left + inset, layout.right - inset
    first, last = (min(dates), max(dates)) if dates else (None, None)
    span = (last - first).days if first is not None and last is not None else 0

    def x_of(day: date) -> float:
        if not span or first is None:
            return (start + end) / 2
        return start + (end - start) * (day - first).days / span

    return x_of


def _date_labels(
    layout: Layout, dates: list[date], x_of: Callable[[date], float], text: Callable[[date], str]
) -> list[Label]:
    """A label under each date that has room: the first and the last, then those between
    that overlap neither their neighbour on the left nor the last one."""
    y = layout.bottom + layout.font * 1.7
    made = [_inside(Label(x_of(d), y, text(d), "middle", layout.font), layout) for d in dates]
    if not made:
        return []
    gap = layout.font * 0.8
    chosen, last = [made[0]], made[-1]
    for label in made[1:]:
        if not overlap(chosen[-1], label, gap) and (label is last or not overlap(label, last, gap)):
            chosen.append(label)
    return chosen


def _inside(label: Label, layout: Layout) -> Label:
    """The label moved sideways to lie within the drawing, clear of the score labels."""
    half = label.width / 2
    x = min(max(label.x, layout.left - layout.font + half), layout.width - half)
    return Label(x, label.y, label.text, label.anchor, label.font)


def score_charts(
    visits: Visits,
    date_text: Callable[[date], str] = date.isoformat,
    score_text: Callable[[float], str] = "{:.2f}".format,
) -> list[Chart]:
    """The chart laid out for each screen width (wide first)."""
    return [score_chart(visits, layout, date_text, score_text) for layout in LAYOUTS]
