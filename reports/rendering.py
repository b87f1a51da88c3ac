"""Published figures as a page shows them: tables and server-drawn charts.

A :class:`reports.tables.Figure` holds a protected table (counts with ``"<5"`` and ``"x"``
marks, or statistics whose small rows are withheld). Everything here renders that table as
published and never computes a figure: a mark stays a mark (text), a number stays a number.

* :func:`grid` - the table as rows of cells with its header (the page's table, the CSV, the
  XLSX sheet all come from it, so they cannot disagree);
* :func:`bar_chart` / :func:`line_chart` - coordinates for a server-drawn SVG chart (as the
  sustainability chart in :mod:`casework.monitoring.chart`): horizontal bars for categories,
  lines for trends by month. A suppressed cell is drawn as a short hatched bar (or a gap in a
  line) labelled with its mark, never as a number;
The downloads (CSV, XLSX) are written from the same :func:`grid` in :mod:`reports.downloads`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reports.suppression import ProtectedTable
from reports.tables import Figure, StatTable

#: What a published cell may be: a count, a statistic, a mark ("<5", "x"), or nothing.
Value = int | float | str | None


@dataclass(frozen=True)
class Grid:
    """A figure's table as published: the header (the row heading first) and the rows, each a
    label and its values; ``shares`` are the positions in the values that are fractions
    (0..1; the statistics table's own ``shares``, its ``n`` at position 0)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Value, ...]], ...]
    shares: frozenset[int]
    #: The last row is the total row (a count table).
    has_total_row: bool = False


def grid(figure: Figure, total_label: str = "Total", row_heading: str = "") -> Grid:
    """The figure's table as rows of published cells (counts: with the totals)."""
    table = figure.table
    if isinstance(table, ProtectedTable):
        many = len(table.columns) > 1
        header = (row_heading, *table.columns, *((total_label,) if many else ()))
        rows: list[tuple[str, tuple[Value, ...]]] = []
        for label, cells, total in zip(table.rows, table.cells, table.row_totals, strict=True):
            rows.append((label, (*cells, *((total,) if many else ()))))
        totals: tuple[Value, ...] = (*table.column_totals, *((table.total,) if many else ()))
        rows.append((total_label, totals))
        return Grid(header, tuple(rows), frozenset(), has_total_row=True)
    stat_rows = tuple(
        (label, tuple(cells)) for label, cells in zip(table.rows, table.cells, strict=True)
    )
    return Grid((row_heading, *table.columns), stat_rows, table.shares)


def is_mark(value: Value) -> bool:
    """A published suppression mark ("<5", "x") rather than a number."""
    return isinstance(value, str)


# -- charts --------------------------------------------------------------------------------

#: A generous average glyph width as a share of the font size (labels are short codes/names).
CHAR_WIDTH = 0.6
#: At most this many series (columns) are charted; a wider table is read from its data table.
MAX_SERIES = 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    #: The published value: a number, or the mark drawn instead of a number.
    value: Value
    text: str

    @property
    def suppressed(self) -> bool:
        return is_mark(self.value)


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    #: The series a mark belongs to (drawn in its colour), None for axis labels.
    series: int | None = None


@dataclass(frozen=True)
class Series:
    index: int
    label: str
    #: ``points`` attribute of a polyline per unbroken run (a suppressed month breaks it).
    paths: tuple[str, ...]
    points: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" | "line"
    width: int
    height: int
    font: int
    bars: tuple[Bar, ...]
    labels: tuple[Text, ...]
    series: tuple[Series, ...]
    legend: tuple[str, ...]
    #: (x1, y1, x2, y2) of the axis and grid lines.
    lines: tuple[tuple[float, float, float, float], ...]
    #: Marks of suppressed points of a line chart, drawn at the foot of their month.
    marks: tuple[Text, ...] = ()


def _chart_values(
    figure: Figure, max_series: int = MAX_SERIES, total_label: str = "Total"
) -> tuple[list[str], list[str], list[list[Value]]]:
    """Row labels, series labels and values (rows x series) a chart draws: the inner cells of
    a count table (no totals; its row totals when it has more than ``max_series`` columns),
    or the first statistic of a statistics table (its mark when the row is withheld)."""
    table = figure.table
    if isinstance(table, ProtectedTable) and len(table.columns) > max_series:
        return list(table.rows), [total_label], [[total] for total in table.row_totals]
    if isinstance(table, ProtectedTable):
        series = list(table.columns[:MAX_SERIES])
        counts: list[list[Value]] = [list(row[:MAX_SERIES]) for row in table.cells]
        return list(table.rows), series, counts
    assert isinstance(table, StatTable)
    column = 1 if len(table.columns) > 1 else 0
    values: list[list[Value]] = []
    for cells in table.cells:
        n, value = cells[0], cells[column]
        values.append([n if isinstance(n, str) else value])
    return list(table.rows), [table.columns[column]], values


def _number(value: Value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _scale(top: float) -> tuple[float, float]:
    """(upper end, step) of the value axis: at most five steps, each a round number (1, 2 or
    5 times a power of ten; whole numbers for counts), reaching ``top``."""
    if top <= 0:
        return 4.0, 1.0
    whole = top >= 1 and float(top).is_integer()
    for power in range(0 if whole else -2, 12):
        for factor in (1, 2, 5):
            step = factor * 10.0**power
            steps = math.ceil(top / step - 1e-9)
            if steps <= 5:
                return steps * step, step
    return top, top / 4


def _ticks(top: float, step: float) -> list[float]:
    return [step * k for k in range(round(top / step) + 1)]


#: A bar chart draws a bar per column up to this many columns, else each row's total.
BAR_SERIES = 3


def _fit(label: str, room: float, font: int) -> str:
    """The label, shortened with an ellipsis to fit ``room`` (the table has it whole)."""
    most = max(4, int(room / (font * CHAR_WIDTH)))
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def bar_chart(
    figure: Figure,
    text: Callable[[Value], str] = str,
    width: int = 640,
    font: int = 14,
    total_label: str = "Total",
) -> Chart:
    """Horizontal bars, a group per row of the table and a bar per column (series); a table
    of more than :data:`BAR_SERIES` columns is drawn by its row totals."""
    rows, series, values = _chart_values(figure, BAR_SERIES, total_label)
    label_width = min(
        width * 0.4, max((len(r) for r in rows), default=4) * font * CHAR_WIDTH + font
    )
    rows = [_fit(r, label_width - font, font) for r in rows]
    left, right = label_width + font * 0.5, width - font * 4
    bar_h = font * 1.1
    gap = font * 0.8
    group_h = bar_h * len(series) + gap
    top = font * 0.5
    height = int(top + group_h * len(rows) + font * 2.2)
    scale_top, step = _scale(max((_number(v) for row in values for v in row), default=0.0))
    bars: list[Bar] = []
    labels: list[Text] = []
    for i, (label, row) in enumerate(zip(rows, values, strict=True)):
        y0 = top + i * group_h
        labels.append(
            Text(left - font * 0.5, y0 + bar_h * len(series) / 2 + font * 0.35, label, "end")
        )
        for s, value in enumerate(row):
            y = y0 + s * bar_h
            if is_mark(value):
                # A short hatched bar: something is there, how much is not published.
                w = (right - left) * 0.04
            else:
                w = (right - left) * _number(value) / scale_top
            bars.append(Bar(left, y, max(w, 0.0), bar_h * 0.85, s, value, text(value)))
    base = top + group_h * len(rows)
    lines = [(left, top, left, base)]
    for tick in _ticks(scale_top, step):
        x = left + (right - left) * tick / scale_top
        lines.append((x, top, x, base))
        labels.append(Text(x, base + font * 1.3, text(_tick(tick)), "middle"))
    return Chart(
        "bar", width, height, font, tuple(bars), tuple(labels), (), tuple(series), tuple(lines)
    )


def _tick(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 1)


def line_chart(
    figure: Figure,
    text: Callable[[Value], str] = str,
    width: int = 640,
    height: int = 260,
    font: int = 14,
) -> Chart:
    """A line per column over the rows (months, in order); a suppressed month breaks the line
    and shows its mark at the foot of the chart."""
    rows, series_labels, values = _chart_values(figure)
    left, right = font * 3.5, width - font * 1.5
    top, bottom = font * 0.8, height - font * 2.4
    scale_top, step = _scale(max((_number(v) for row in values for v in row), default=0.0))

    def x_of(i: int) -> float:
        return (left + right) / 2 if len(rows) < 2 else left + (right - left) * i / (len(rows) - 1)

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * v / scale_top

    series: list[Series] = []
    marks: list[Text] = []
    for s, label in enumerate(series_labels):
        line, found = _line(s, label, rows, [row[s] for row in values], x_of, y_of, text)
        series.append(line)
        marks += [Text(x_of(i), bottom - font * (0.4 + s), m, "middle", s) for i, m in found]
    lines = [(left, bottom, right, bottom)]
    labels: list[Text] = []
    for tick in _ticks(scale_top, step):
        y = y_of(tick)
        lines.append((left, y, right, y))
        labels.append(Text(left - font * 0.4, y + font * 0.35, text(_tick(tick)), "end"))
    labels += _month_labels(rows, x_of, bottom + font * 1.5, font, right)
    legend = tuple(series_labels)
    return Chart(
        "line",
        width,
        height,
        font,
        (),
        tuple(labels),
        tuple(series),
        legend,
        tuple(lines),
        tuple(marks),
    )


def _line(
    index: int,
    label: str,
    rows: Sequence[str],
    values: Sequence[Value],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    text: Callable[[Value], str],
) -> tuple[Series, list[tuple[int, str]]]:
    """One series: its unbroken runs and points, and (row, mark) of its suppressed rows."""
    runs: list[list[str]] = [[]]
    points: list[tuple[float, float, str]] = []
    marks: list[tuple[int, str]] = []
    for i, value in enumerate(values):
        if isinstance(value, str) or value is None:
            if isinstance(value, str):
                marks.append((i, value))
            runs.append([])
            continue
        x, y = x_of(i), y_of(_number(value))
        runs[-1].append(f"{x:.1f},{y:.1f}")
        points.append((x, y, f"{rows[i]}: {text(value)}"))
    paths = tuple(" ".join(run) for run in runs if len(run) > 1)
    return Series(index, label, paths, tuple(points)), marks


def _month_labels(
    rows: Sequence[str], x_of: Callable[[int], float], y: float, font: int, right: float
) -> list[Text]:
    """Labels under the x axis that do not overlap (the first and last always)."""
    if not rows:
        return []
    room = max(len(r) for r in rows) * font * CHAR_WIDTH + font
    chosen: list[Text] = []
    last_x = -1e9
    for i, row in enumerate(rows):
        x = x_of(i)
        end_gap = x_of(len(rows) - 1) - x
        if i == 0 or i == len(rows) - 1 or (x - last_x >= room and end_gap >= room):
            chosen.append(Text(min(x, right - room / 2), y, row, "middle"))
            last_x = x
    return chosen


def chart(
    figure: Figure, text: Callable[[Value], str] = str, total_label: str = "Total"
) -> Chart | None:
    """The figure's chart as its ``chart`` says (None: a table only, or nothing to draw)."""
    if figure.chart == "none" or not figure.table.rows:
        return None
    if isinstance(figure.table, ProtectedTable) and figure.table.withheld:
        return None
    if figure.chart == "line":
        return line_chart(figure, text)
    return bar_chart(figure, text, total_label=total_label)
