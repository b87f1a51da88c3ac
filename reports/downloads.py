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
from datetime import date, datetime, time
from typing import Any

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
    (its title and definition above its table). Numbers are numbers, marks are text.

    Written with XlsxWriter, built in memory (no temporary file): at 100,000 cases a year's
    26 sheets take about a third of openpyxl's time (issue 16). Every text is written as a
    string, never read as a formula, a number or a link (an organisation named
    ``=HYPERLINK(...)`` stays that text when the workbook opens)."""
    # Loaded here, not with the module: only an XLSX download needs it (issue 18: what a
    # worker imports at start-up stays in its memory).
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, _BOOK_OPTIONS)
    bold = book.add_format({"bold": True})
    share = book.add_format({"num_format": "0.0%"})
    taken: set[str] = set()
    _about_sheet(book, about, taken, bold)
    total_label = about.labels.get("total", "Total")
    for section in sections:
        for figure in section.figures:
            sheet = book.add_worksheet(sheet_name(figure.key, taken))
            sheet.write_string(0, 0, f"{section.title}: {figure.title}", bold)
            sheet.write_string(1, 0, figure.definition)
            table = grid(figure, total_label, row_heading)
            for column, heading in enumerate(table.header):
                sheet.write_string(3, column, heading, bold)
            for row, (label, values) in enumerate(table.rows, start=4):
                sheet.write_string(row, 0, label)
                for i, value in enumerate(values):
                    _write(sheet, row, i + 1, value, share if i in table.shares else None)
            sheet.set_column(0, 0, 32)
    book.close()
    return out.getvalue()


#: Texts stay texts (XlsxWriter's own defaults, stated: a download never holds a formula),
#: and the workbook is built in memory.
_BOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def _about_sheet(book: Any, about: About, taken: set[str], bold: Any) -> None:
    """The first sheet: the report's title, the day it was made, its filters and the
    small-cell rule."""
    first = book.add_worksheet(sheet_name(about.labels.get("about", "About"), taken))
    first.write_string(0, 0, about.title, bold)
    first.write_string(2, 0, about.labels.get("made_on", "Made on"))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    first.write_datetime(2, 1, datetime.combine(about.made_on, time()), day)
    row = 3
    for name, value in about.filters:
        first.write_string(row, 0, name)
        first.write_string(row, 1, value)
        row += 1
    first.write_string(row + 1, 0, about.labels.get("rule", "Small cells"))
    first.write_string(row + 1, 1, about.rule)
    first.set_column(0, 0, 28)
    first.set_column(1, 1, 80)


def _write(sheet: Any, row: int, column: int, value: Value, share: Any) -> None:
    """One published cell: nothing for no value, a mark ("<5", "x") as text, a number as a
    number (a share in the per-cent format)."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, value)
    elif share is not None and isinstance(value, float):
        sheet.write_number(row, column, value, share)
    else:
        sheet.write_number(row, column, value)
