"""Published figures as downloads, from the same :func:`reports.rendering.grid` the page's
tables come from (so page, CSV and XLSX cannot disagree):

* :func:`csv_bytes` - one table as UTF-8 CSV with a byte order mark (Excel reads it right),
  a header row, marks ("<5", "x") as published;
* :func:`xlsx_bytes` - every table in one workbook: a first sheet with the filters, the date
  and the small-cell rule, then a sheet per figure; numbers as numbers, marks as text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from reports.rendering import Value, grid
from reports.tables import Figure, Section

#: What a spreadsheet reads as the start of a formula in a CSV cell (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """A label as a CSV cell: one a spreadsheet would run as a formula (an organisation or a
    list term named ``=HYPERLINK(...)``) starts with an apostrophe, as in the audit export."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_value(value: Value, share: bool) -> Value:
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
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
    writer.writerow([_text(h) for h in table.header])
    for label, values in table.rows:
        writer.writerow(
            [_text(label), *(_csv_value(v, i in table.shares) for i, v in enumerate(values))]
        )
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


def _append(sheet: object, values: Sequence[object]) -> None:
    """A row of a sheet whose text stays text: openpyxl stores a string beginning with "=" as
    a formula (an organisation named ``=HYPERLINK(...)`` would run when the workbook opens)."""
    sheet.append(list(values))  # type: ignore[attr-defined]
    for cell in sheet[sheet.max_row]:  # type: ignore[attr-defined,index]
        if isinstance(cell.value, str):
            cell.data_type = "s"


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
    # openpyxl is loaded here, not with the module: only an XLSX download needs it, and it
    # would sit in every worker's memory (issue 18: about 5 MB of the start-up heap).
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = sheet_name(about.labels.get("about", "About"), set())
    taken = {first.title.lower()}
    bold = Font(bold=True)
    _append(first, [about.title])
    first["A1"].font = bold
    _append(first, [])
    _append(first, [about.labels.get("made_on", "Made on"), about.made_on])
    first.cell(row=3, column=2).number_format = "yyyy-mm-dd"
    for name, value in about.filters:
        _append(first, [name, value])
    _append(first, [])
    _append(first, [about.labels.get("rule", "Small cells"), about.rule])
    first.column_dimensions["A"].width = 28
    first.column_dimensions["B"].width = 80
    total_label = about.labels.get("total", "Total")
    for section in sections:
        for figure in section.figures:
            sheet = book.create_sheet(sheet_name(figure.key, taken))
            _append(sheet, [f"{section.title}: {figure.title}"])
            sheet["A1"].font = bold
            _append(sheet, [figure.definition])
            _append(sheet, [])
            table = grid(figure, total_label, row_heading)
            _append(sheet, table.header)
            for cell in sheet[4]:
                cell.font = bold
            for label, values in table.rows:
                _append(sheet, [label, *values])
                row = sheet.max_row
                for i in table.shares:
                    cell = sheet.cell(row=row, column=i + 2)
                    if isinstance(cell.value, float):
                        cell.number_format = "0.0%"
            sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
