"""Values of a skeleton's detail rows derived from its other rows, kept after every flush.

Three flags mark one row of a group, so that figures count people, or read each person's
latest score, with a plain aggregate over the rows instead of grouping by person first (or
looking, for every score, for a later one: an anti-join over every score, most of a figures
page's time at 100,000 people):

* :attr:`CaseSkeletonScore.latest`: each person's latest score of a dimension (the greatest
  period with a score);
* :attr:`CaseSkeletonCode.first_code`: each person's first code of a field (people with a
  code of the field are the rows so marked);
* :attr:`CaseSkeletonAction.earliest_due`: each person's plan action of a dimension due
  first (a person has actions of the dimension due before a month exactly when that one is).

Whoever writes the rows (the skeleton's builder, a command, a test's fixture), the flags
are the rows' own: after a flush that inserted, changed or deleted a skeleton's rows
(``after_flush``), one ``UPDATE`` sets the flag of every row of those skeletons from their
rows as they now are (``after_flush_postexec``), and the flag of those rows already loaded is
expired, so that they read it again. A flush that writes none of these rows costs nothing.
The listeners are on SQLAlchemy's ``Session`` class, connected once by :func:`listen`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, exists, or_, select, update
from sqlalchemy.orm import Session

from casework.skeleton.models import CaseSkeletonAction, CaseSkeletonCode, CaseSkeletonScore
from core.db import listen_on_sessions

#: ``session.info`` key: the skeletons whose derived values the last flushes made stale.
STALE = "skeleton_derived_stale"


def _latest_score(table: Table) -> ColumnElement[bool]:
    """A score row is its person's latest of its dimension: it has a score and no row of the
    same skeleton and dimension with a score has a greater period."""
    later = table.alias("later")
    return and_(
        table.c.score.is_not(None),
        ~exists(
            select(later.c.skeleton_id).where(
                later.c.skeleton_id == table.c.skeleton_id,
                later.c.dimension == table.c.dimension,
                later.c.period > table.c.period,
                later.c.score.is_not(None),
            )
        ),
    )


def _first_code(table: Table) -> ColumnElement[bool]:
    """A code row is its skeleton's first code of its field (in code order): no row of the
    same skeleton and field has a smaller code."""
    other = table.alias("other")
    return ~exists(
        select(other.c.skeleton_id).where(
            other.c.skeleton_id == table.c.skeleton_id,
            other.c.field == table.c.field,
            other.c.code < table.c.code,
        )
    )


def _earliest_due(table: Table) -> ColumnElement[bool]:
    """A plan action is its person's earliest due of its dimension (no dimension counting as
    one): it has a due month and no action of the same skeleton and dimension falls due in
    an earlier month, or in the same month with a smaller ordinal."""
    other = table.alias("other")
    return and_(
        table.c.due_month.is_not(None),
        ~exists(
            select(other.c.skeleton_id).where(
                other.c.skeleton_id == table.c.skeleton_id,
                other.c.dimension.is_not_distinct_from(table.c.dimension),
                other.c.due_month.is_not(None),
                or_(
                    other.c.due_month < table.c.due_month,
                    and_(other.c.due_month == table.c.due_month, other.c.ordinal < table.c.ordinal),
                ),
            )
        ),
    )


#: model -> (the derived column, its value for a row of the model's table).
DERIVED: dict[type[Any], tuple[str, Callable[[Table], ColumnElement[bool]]]] = {
    CaseSkeletonScore: ("latest", _latest_score),
    CaseSkeletonCode: ("first_code", _first_code),
    CaseSkeletonAction: ("earliest_due", _earliest_due),
}


def derived_columns(model: type[Any]) -> tuple[str, ...]:
    """The columns of ``model`` kept here (the skeleton's builder never writes them)."""
    found = DERIVED.get(model)
    return (found[0],) if found else ()


def refresh_derived(session: Session, model: type[Any], skeleton_ids: set[uuid.UUID]) -> None:
    """Set the derived column of every row of ``model`` of these skeletons from their rows."""
    if not skeleton_ids:
        return
    name, value = DERIVED[model]
    table: Table = model.__table__
    stmt = (
        update(table)
        .where(table.c.skeleton_id.in_(sorted(skeleton_ids)))
        .values({name: case((value(table), True), else_=False)})
    )
    session.connection().execute(stmt)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and obj.skeleton_id in skeleton_ids:
            session.expire(obj, [name])


def _after_flush(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if type(obj) in DERIVED and isinstance(obj.skeleton_id, uuid.UUID):
            stale = session.info.setdefault(STALE, {})
            stale.setdefault(type(obj), set()).add(obj.skeleton_id)


def _after_flush_postexec(session: Session, _context: Any) -> None:
    stale = session.info.pop(STALE, None)
    for model, ids in (stale or {}).items():
        refresh_derived(session, model, ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(STALE, None)


def listen() -> None:
    """Connect the listeners to every session (once)."""
    listen_on_sessions(
        (
            ("after_flush", _after_flush),
            ("after_flush_postexec", _after_flush_postexec),
            ("after_rollback", _after_rollback),
        )
    )
