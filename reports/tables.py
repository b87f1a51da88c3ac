"""What a figures page publishes: filters, figures and sections (shared by the indicators that
compute them, :mod:`reports.indicators`, and the dashboards, CSV and XLSX that show them).

Every table here is already protected: a count table is a
:class:`reports.suppression.ProtectedTable`; a table of statistics (medians, shares) is a
:class:`StatTable` whose rows with fewer than the threshold's people are withheld.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from reports.suppression import Cell, ProtectedTable

Chart = Literal["bar", "line", "none"]


@dataclass(frozen=True)
class Filters:
    """Which cases a figure counts: registered in the months from ``start`` to ``end``
    (inclusive, by month), of these organisations (None: every one), and of one case type,
    sex, age band and nationality (None: any)."""

    start: date | None = None
    end: date | None = None
    organisation_ids: frozenset[uuid.UUID] | None = None
    case_type: str | None = None
    sex: str | None = None
    age_band: str | None = None
    nationality: str | None = None

    def described(self) -> dict[str, str | list[str] | None]:
        """The filters as the audit log records them (codes and months, never figures)."""
        return {
            "from": self.start.isoformat()[:7] if self.start else None,
            "to": self.end.isoformat()[:7] if self.end else None,
            "organisations": sorted(str(o) for o in self.organisation_ids)
            if self.organisation_ids is not None
            else None,
            "case_type": self.case_type,
            "sex": self.sex,
            "age_band": self.age_band,
            "nationality": self.nationality,
        }


@dataclass(frozen=True)
class StatTable:
    """Statistics by row: ``n`` (how many people, referrals or visits the row is of, protected
    like a count) then statistics (a median of days, a share as a fraction 0..1, a mean score).
    A row with fewer than the threshold's people has ``n`` shown as ``"<5"`` and every
    statistic withheld (None): a median of two people is nearly their values."""

    rows: tuple[str, ...]
    #: Column labels; the first is the ``n`` column.
    columns: tuple[str, ...]
    #: One tuple per row: the protected ``n`` then each statistic (int, float, or None).
    cells: tuple[tuple[Cell | float | None, ...], ...]
    #: Which statistic columns are shares (0..1, shown as percentages).
    shares: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Figure:
    """One published table with its title, its exact definition and how to chart it."""

    key: str
    title: str
    definition: str
    table: ProtectedTable | StatTable
    chart: Chart = "bar"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]
