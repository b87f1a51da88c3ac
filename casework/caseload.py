"""The caseload list: filters, sorting and keyset pagination over plain columns only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from audit import record
from casework import policy
from casework.models import Case, CaseVulnerability
from casework.rows import PEOPLE_NAMES, unwrap_people_keys
from casework.screening.services import reflection_passed
from casework.vocabulary import Stage
from core.pagination import parse_time_cursor, split_cursor
from core.permissions import Role
from core.security import Actor

PAGE_SIZE = 50
#: sort name -> (column, descending)
SORTS: dict[str, tuple[Any, bool]] = {
    "newest": (Case.opened_at, True),
    "oldest": (Case.opened_at, False),
    "number": (Case.case_number, False),
}


@dataclass(frozen=True)
class CaseFilters:
    stage: str | None = None
    case_type: str | None = None
    vulnerability: str | None = None
    risk_level: str | None = None
    assigned_to_id: uuid.UUID | None = None
    mine_only: bool = False
    overdue: bool = False
    sort: str = "newest"


@dataclass
class CasePage:
    cases: list[Case]
    next_cursor: str | None


def _cursor(case: Case, sort: str) -> str:
    value = case.opened_at.isoformat() if sort != "number" else case.case_number
    return f"{value}|{case.id}"


def _after(cursor: str | None, sort: str) -> ColumnElement[bool] | None:
    """The keyset condition for rows after ``cursor`` in ``sort`` order (None: first page)."""
    if not cursor:
        return None
    column, descending = SORTS[sort]
    value: Any
    if sort == "number":
        parts: tuple[Any, uuid.UUID] | None = split_cursor(cursor)
    else:
        parts = parse_time_cursor(cursor)
    if parts is None:
        return None
    value, row_id = parts
    if descending:
        return or_(column < value, and_(column == value, Case.id < row_id))
    return or_(column > value, and_(column == value, Case.id > row_id))


def list_cases(
    db: Session, actor: Actor, filters: CaseFilters, cursor: str | None = None
) -> CasePage:
    """The actor's caseload one keyset page at a time; audited with the ids shown."""
    sort = filters.sort if filters.sort in SORTS else "newest"
    stmt = select(Case).where(policy.visible_cases(actor))
    if filters.mine_only or actor.role is Role.CASEWORKER:
        stmt = stmt.where(Case.assigned_to_id == actor.user_id)
    for column, value in (
        (Case.stage, filters.stage),
        (Case.case_type, filters.case_type),
        (Case.risk_level, filters.risk_level),
        (Case.assigned_to_id, filters.assigned_to_id),
    ):
        if value:
            stmt = stmt.where(column == value)
    if filters.vulnerability:
        stmt = stmt.where(
            Case.id.in_(
                select(CaseVulnerability.case_id).where(
                    CaseVulnerability.code == filters.vulnerability
                )
            )
        )
    if filters.overdue:
        stmt = stmt.where(Case.stage != Stage.CLOSED.value, reflection_passed())
    after = _after(cursor, sort)
    if after is not None:
        stmt = stmt.where(after)
    column, descending = SORTS[sort]
    order = (column.desc(), Case.id.desc()) if descending else (column.asc(), Case.id.asc())
    rows = list(db.scalars(stmt.options(PEOPLE_NAMES).order_by(*order).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    unwrap_people_keys(db, rows)
    record(
        db,
        "case.listed",
        object_type="case",
        details={"count": len(rows), "case_ids": [str(c.id) for c in rows]},
    )
    return CasePage(rows, _cursor(rows[-1], sort) if more and rows else None)
