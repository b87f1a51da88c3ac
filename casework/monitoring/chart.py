"""Scores over time as coordinates for a server-drawn SVG chart (no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from casework.monitoring.scoring import COMPOSITE
from casework.monitoring.vocabulary import Dimension

SERIES = (Dimension.ECONOMIC.value, Dimension.SOCIAL.value, Dimension.PSYCHOSOCIAL.value, COMPOSITE)
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 40, 16, 40
MAX_TICKS = 6


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    visited_on: date
    score: float


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
    width: int
    height: int
    lines: list[Line]
    #: (y, score) of the horizontal grid lines, and (x, date) of the labelled date ticks.
    grid: list[tuple[float, float]]
    ticks: list[tuple[float, date]]
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def score_chart(visits: Sequence[tuple[date, dict[str, float | None]]]) -> Chart:
    """Lines for the three dimensions and the composite over the visit dates.

    ``visits`` are (date, scores) pairs in date order; a visit without a score for a series
    leaves a gap in that line only (its other points are still drawn).
    """
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    dates = [d for d, _s in visits]
    first, last = (min(dates), max(dates)) if dates else (None, None)
    span = (last - first).days if first and last else 0

    def x_of(day: date) -> float:
        if not span or first is None:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day - first).days / span

    def y_of(score: float) -> float:
        return TOP + plot_h * (1 - max(0.0, min(1.0, score)))

    lines = [Line(series) for series in SERIES]
    for day, scores in visits:
        for line in lines:
            score = scores.get(line.series)
            if score is not None:
                line.points.append(Point(x_of(day), y_of(score), day, score))
    grid = [(y_of(v), v) for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
    ticks = sorted({(x_of(d), d) for d in dates})
    if len(ticks) > MAX_TICKS:  # label the first, the last and evenly spaced dates between
        step = (len(ticks) - 1) / (MAX_TICKS - 1)
        ticks = [ticks[round(i * step)] for i in range(MAX_TICKS)]
    return Chart(WIDTH, HEIGHT, lines, grid, ticks)
