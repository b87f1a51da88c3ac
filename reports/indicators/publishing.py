"""What one page publishes together: tables that share numbers hide them alike, and the
headline figures are read from the page's tables as published.

Each table is protected on its own (:mod:`reports.suppression`); a page shows several, and a
number one table hides may be published by another, or be the sum of cells another
publishes. The links on a figures page, and what keeps each one closed:

* the headline figures are cells and totals of the page's tables, read as published
  (:func:`published_headline`), never counted afresh;
* the declined referrals by reason add up to the referral tables' "declined" column total:
  withheld when that total is hidden;
* the trend by month and case type has the case-type table's cells as its column totals:
  withheld when the two do not hide the same case types;
* the children-and-adults table is the age-band table's rows added up (under 18: the bands
  0-8 and 9-17): withheld when a group's published status differs between the two (a
  published group sum over a hidden band, or a hidden group whose bands are all published).

Withholding (every cell "x") is the safe fallback: the reader loses a table, never a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flask_babel import gettext as _

from casework.statistics import ADULT_AGE, AGE_BANDS
from casework.vocabulary import CaseType, label
from referrals.vocabulary import ReferralState
from reports.indicators.common import IDENTIFIED_VICTIM_TYPES, REFERRAL_STATES
from reports.suppression import SECONDARY_MARK, Cell, ProtectedTable, withhold
from reports.tables import Section, StatTable

#: The headline figures: (label, protected value).
Headline = list[tuple[str, Cell]]

BANDS = frozenset(band for _low, _high, band in AGE_BANDS)
CHILD_BANDS = frozenset(band for low, _high, band in AGE_BANDS if low < ADULT_AGE)


def _published(cell: Cell) -> bool:
    return isinstance(cell, int)


def _declined_hidden(tables: dict[str, ProtectedTable]) -> bool:
    kinds, reasons = (
        tables.get("referrals_by_service_type"),
        tables.get("referrals_declined_by_reason"),
    )
    if kinds is None or reasons is None or reasons.withheld:
        return False
    declined = kinds.column_totals[REFERRAL_STATES.index(ReferralState.DECLINED)]
    return not _published(declined)


def _trend_disagrees(tables: dict[str, ProtectedTable]) -> bool:
    types, trend = tables.get("registered_by_case_type"), tables.get("registered_by_month")
    if types is None or trend is None or trend.withheld:
        return False
    by_type = {row: types.cells[i][0] for i, row in enumerate(types.rows)}
    return any(
        column in by_type and _published(by_type[column]) != _published(total)
        for column, total in zip(trend.columns, trend.column_totals, strict=True)
    )


def _children_disagree(tables: dict[str, ProtectedTable]) -> bool:
    bands, groups = tables.get("registered_by_age_band"), tables.get("registered_children")
    if bands is None or groups is None or groups.withheld:
        return False
    # Rows of the children table: children, adults, unknown (reports.indicators).
    members: list[list[Cell]] = [[], [], []]
    for i, row in enumerate(bands.rows):
        cell = bands.cells[i][0]
        if row in CHILD_BANDS:
            members[0].append(cell)
        elif row not in BANDS:  # "Unknown"
            members[2].append(cell)
        else:
            members[1].append(cell)
    return any(
        _published(groups.cells[g][0]) != all(_published(c) for c in cells)
        for g, cells in enumerate(members)
    )


#: figure key -> the rule that withholds it (given every count table of the page by key).
LINKS: dict[str, Callable[[dict[str, ProtectedTable]], bool]] = {
    "referrals_declined_by_reason": _declined_hidden,
    "registered_by_month": _trend_disagrees,
    "registered_children": _children_disagree,
}


def linked_tables_agree(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """The sections with every table withheld whose link to another table (:data:`LINKS`)
    would give a hidden cell back."""
    tables = {
        f.key: f.table for s in sections for f in s.figures if isinstance(f.table, ProtectedTable)
    }
    doomed = {key for key, rule in LINKS.items() if key in tables and rule(tables)}
    if not doomed:
        return sections
    return tuple(
        replace(
            section,
            figures=tuple(
                replace(f, table=withhold(f.table))
                if f.key in doomed and isinstance(f.table, ProtectedTable)
                else f
                for f in section.figures
            ),
        )
        for section in sections
    )


def _cell(table: ProtectedTable | StatTable, row: int, column: int) -> Cell:
    assert isinstance(table, ProtectedTable)
    return table.cells[row][column]


def published_headline(sections: tuple[Section, ...]) -> Headline:
    """The headline figures as the page's tables publish them, protection included.

    A headline counted afresh would give hidden cells back: "identified victims" is the sum
    of two rows of the case-type table, one of which may show "<5"; "children" is a row of
    the children-and-adults table that may be a secondary "x"; "referrals completed" a column
    total of the referral tables. So each is read from its table as published; a sum of cells
    one of which is hidden is hidden ("x")."""
    figures = {f.key: f.table for s in sections for f in s.figures}
    case_types = figures["registered_by_case_type"]
    assert isinstance(case_types, ProtectedTable)
    rows = {row: n for n, row in enumerate(case_types.rows)}
    parts = [
        _cell(case_types, rows[str(label(t, CaseType))], 0)
        for t in IDENTIFIED_VICTIM_TYPES
        if str(label(t, CaseType)) in rows
    ]
    victims: Cell = (
        sum(p for p in parts if isinstance(p, int))
        if all(isinstance(p, int) for p in parts)
        else SECONDARY_MARK
    )
    kinds = figures["referrals_by_service_type"]
    closed = figures["closures_by_reason"]
    assert isinstance(kinds, ProtectedTable) and isinstance(closed, ProtectedTable)
    completed = REFERRAL_STATES.index(ReferralState.COMPLETED)
    return [
        (_("People registered"), case_types.column_totals[0]),
        (_("Identified victims"), victims),
        (_("Children"), _cell(figures["registered_children"], 0, 0)),
        (_("Referrals sent"), kinds.total),
        (_("Referrals completed"), kinds.column_totals[completed]),
        (_("Cases closed"), closed.column_totals[0]),
    ]
