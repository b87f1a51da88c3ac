"""Published figures as a page shows them, and as CSV and XLSX downloads.

A :class:`reports.tables.Figure` holds a protected table (counts with ``"<5"`` and ``"x"``
marks, or statistics whose small rows are withheld). Everything here renders that table as
published and never computes a figure: a mark stays a mark (text), a number stays a number.

* :func:`grid` - the table as rows of cells with its header (the page's table, the CSV, the
  XLSX sheet all come from it, so they cannot disagree);
* :func:`bar_chart` / :func:`line_chart` - coordinates for a server-drawn SVG chart (as the
  sustainability chart in :mod:`casework.monitoring.chart`): horizontal bars for categories,
  lines for trends by month. A suppressed cell is drawn as a short hatched bar (or a gap in a
  line) labelled with its mark, never as a number;
* :func:`csv_bytes` - one table as UTF-8 CSV with a byte order mark (Excel reads it right);
* :func:`xlsx_bytes` - every table in one workbook: a first sheet with the filters, the date
  and the small-cell rule, then a sheet per figure.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from reports.suppression import ProtectedTable
from reports.tables import Figure, Section, StatTable

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


def _chart_values(figure: Figure) -> tuple[list[str], list[str], list[list[Value]]]:
    """Row labels, series labels and values (rows x series) a chart draws: the inner cells of
    a count table (no totals), or the first statistic of a statistics table (its mark when
    the row is withheld)."""
    table = figure.table
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


def bar_chart(
    figure: Figure,
    text: Callable[[Value], str] = str,
    width: int = 640,
    font: int = 14,
) -> Chart:
    """Horizontal bars, a group per row of the table and a bar per column (series)."""
    rows, series, values = _chart_values(figure)
    label_width = min(
        width * 0.4, max((len(r) for r in rows), default=4) * font * CHAR_WIDTH + font
    )
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
        runs: list[list[str]] = [[]]
        points: list[tuple[float, float, str]] = []
        for i, row in enumerate(values):
            value = row[s]
            if is_mark(value) or value is None:
                if is_mark(value):
                    marks.append(
                        Text(x_of(i), bottom - font * 0.4 - s * font, str(value), "middle", s)
                    )
                runs.append([])
                continue
            x, y = x_of(i), y_of(_number(value))
            runs[-1].append(f"{x:.1f},{y:.1f}")
            points.append((x, y, f"{rows[i]}: {text(value)}"))
        paths = tuple(" ".join(run) for run in runs if len(run) > 1)
        series.append(Series(s, label, paths, tuple(points)))
    lines = [(left, bottom, right, bottom)]
    labels: list[Text] = []
    for tick in _ticks(scale_top, step):
        y = y_of(tick)
        lines.append((left, y, right, y))
        labels.append(Text(left - font * 0.4, y + font * 0.35, text(_tick(tick)), "end"))
    labels += _month_labels(rows, x_of, bottom + font * 1.5, font, right)
    return Chart(
        "line",
        width,
        height,
        font,
        (),
        tuple(labels),
        tuple(series),
        tuple(series_labels),
        tuple(lines),
        tuple(marks),
    )


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


def chart(figure: Figure, text: Callable[[Value], str] = str) -> Chart | None:
    """The figure's chart as its ``chart`` says (None: a table only, or nothing to draw)."""
    if figure.chart == "none" or not figure.table.rows:
        return None
    if isinstance(figure.table, ProtectedTable) and figure.table.withheld:
        return None
    return line_chart(figure, text) if figure.chart == "line" else bar_chart(figure, text)


# -- downloads -----------------------------------------------------------------------------


def _csv_value(value: Value, share: bool) -> Value:
    if value is None:
        return ""
    if share and isinstance(value, float):
        return round(value, 4)
    if isinstance(value, float):
        return round(value, 2)
    return value


def csv_bytes(figure: Figure, total_label: str = "Total", row_heading: str = "") -> bytes:
    """One table as CSV: UTF-8 with a byte order mark, a header row, marks as published."""
    table = grid(figure, total_label, row_heading)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    for label, values in table.rows:
        writer.writerow([label, *(_csv_value(v, i in table.shares) for i, v in enumerate(values))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(key: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters) from a figure's key."""
    base = _SHEET_FORBIDDEN.sub("_", key)[:31] or "figure"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"_{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


@dataclass(frozen=True)
class About:
    """What the workbook's first sheet states: the report, its filters, the day it was made
    and the small-cell rule (all already translated by the caller)."""

    title: str
    filters: Sequence[tuple[str, str]]
    made_on: date
    rule: str
    labels: dict[str, str]


def xlsx_bytes(sections: Iterable[Section], about: About, row_heading: str = "") -> bytes:
    """Every figure in one workbook: a first sheet about the report, then a sheet per figure
    (its title and definition above its table). Numbers are numbers, marks are text."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = sheet_name(about.labels.get("about", "About"), set())
    taken = {first.title.lower()}
    bold = Font(bold=True)
    first.append([about.title])
    first["A1"].font = bold
    first.append([])
    first.append([about.labels.get("made_on", "Made on"), about.made_on])
    first.cell(row=3, column=2).number_format = "yyyy-mm-dd"
    for name, value in about.filters:
        first.append([name, value])
    first.append([])
    first.append([about.labels.get("rule", "Small cells"), about.rule])
    first.column_dimensions["A"].width = 28
    first.column_dimensions["B"].width = 80
    total_label = about.labels.get("total", "Total")
    for section in sections:
        for figure in section.figures:
            sheet = book.create_sheet(sheet_name(figure.key, taken))
            sheet.append([f"{section.title}: {figure.title}"])
            sheet["A1"].font = bold
            sheet.append([figure.definition])
            sheet.append([])
            table = grid(figure, total_label, row_heading)
            sheet.append(list(table.header))
            for cell in sheet[4]:
                cell.font = bold
            for label, values in table.rows:
                sheet.append([label, *values])
                row = sheet.max_row
                for i in table.shares:
                    cell = sheet.cell(row=row, column=i + 2)
                    if isinstance(cell.value, float):
                        cell.number_format = "0.0%"
            sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
