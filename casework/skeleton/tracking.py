"""Keeping every case's skeleton current: after each flush, the cases it touched are rebuilt.

The rule is deliberately wide, so that no service has to remember to call anything:

* after a flush (``after_flush``), a case is *touched* when the flush wrote the case itself,
  its person (every case of the person), a row with a ``case_id`` (screening, consent, plan,
  visit, closure, referral, transfer, ...), a row whose foreign key points to such a row (a
  plan's action, a referral's event), or an audit event naming the case (which also catches
  the conditional ``UPDATE`` statements some services run outside the ORM: a referral's
  answer, a transfer's decision), reads (``*.viewed`` and the like) excepted;
* after the flush is done (``after_flush_postexec``), each touched case's skeleton is rebuilt
  through ``skeleton_collecting`` (:func:`casework.skeleton.services.refresh_skeleton`). Its
  changes are pending: the next flush (a query's autoflush, or the commit) writes them.
* the commit's audit append inserts its events outside the unit of work (``audit.services``):
  it sends :data:`audit.signals.events_appended` instead, and the events it names are touched
  and rebuilt right then, the same two steps, as if a flush had written them.

A case a request writes is so rebuilt twice, and the second rebuild is not redundant (skipping
it for a case rebuilt after a flush was tried, and undone): some values are read from the
audit log itself (the month monitoring started, from ``case.stage_changed``; an action done
on time), which the events appended at the commit add to; and it runs after the chain's lock
is granted, so of two transactions changing one case at once, the later commit's rebuild sees
the earlier one's rows (``tests/casework/skeleton/test_rebuild_reads_the_log.py``,
``test_concurrent_writers_pg.py``).

Cases of an erased person, and cases whose final snapshot was taken during an erasure, are
left alone. A session without key material (a bare session outside the app) cannot read the
person: its touched cases wait for a later flush that can (requests and commands always can).
The listeners are on SQLAlchemy's ``Session`` class (every session of the app), connected once
by :func:`casework.skeleton.init_app`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import UnmappedColumnError

from audit.models import AuditEvent
from audit.signals import events_appended
from casework.models import Case, Person
from casework.skeleton.models import (
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonLink,
    CaseSkeletonReferral,
    CaseSkeletonScore,
)
from casework.skeleton.services import FINAL, refresh_skeleton
from core.crypto import CryptoError, get_crypto
from core.db import listen_on_sessions

#: ``session.info`` keys: what the last flushes touched, waiting for the rebuild.
CASES, PEOPLE, PARENTS = "skeleton_cases", "skeleton_people", "skeleton_parents"

#: Audit actions that read: recorded with a case id, they change nothing the skeleton holds.
READ_SUFFIXES = ("viewed", "searched", "exported", "downloaded", "printed", "denied")

#: The skeleton's own tables: writing them is the rebuild's result, never a reason for one.
_IGNORED = (
    CaseSkeleton,
    CaseSkeletonLink,
    CaseSkeletonCode,
    CaseSkeletonReferral,
    CaseSkeletonScore,
    CaseSkeletonAction,
)


def _touched_by(obj: Any, info: dict[str, Any]) -> None:
    if isinstance(obj, _IGNORED):
        return
    if isinstance(obj, Case):
        info[CASES].add(obj.id)
        return
    if isinstance(obj, Person):
        info[PEOPLE].add(obj.id)
        return
    if isinstance(obj, AuditEvent):
        read = obj.action.endswith(READ_SUFFIXES)
        if obj.case_id is not None and obj.outcome == "ok" and not read:
            info[CASES].add(obj.case_id)
        return
    state = inspect(obj)
    values = state.dict
    table = state.mapper.local_table
    if "case_id" in table.c:
        case_id = values.get("case_id")
        if isinstance(case_id, uuid.UUID):
            info[CASES].add(case_id)
        return
    for column in table.c:
        for fk in column.foreign_keys:
            parent = fk.column.table
            try:
                prop = state.mapper.get_property_by_column(column)
            except UnmappedColumnError:
                continue
            value = values.get(prop.key)
            if "case_id" in parent.c and isinstance(value, uuid.UUID):
                info[PARENTS].add((parent.name, value))


def _after_flush(session: Session, _context: Any) -> None:
    info = session.info
    for key in (CASES, PEOPLE, PARENTS):
        info.setdefault(key, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        _touched_by(obj, info)


def _on_events_appended(
    _sender: object, session: Session, events: Sequence[AuditEvent], **_extra: Any
) -> None:
    """``audit.signals.events_appended``: the commit's events, inserted without a flush, touch
    their cases as a flush of them would (``_after_flush``), and the rebuild follows at once
    (``_after_flush_postexec``), before the commit's last flush writes it."""
    info = session.info
    for key in (CASES, PEOPLE, PARENTS):
        info.setdefault(key, set())
    for event in events:
        _touched_by(event, info)
    _after_flush_postexec(session, None)


def _touched_cases(session: Session) -> set[uuid.UUID]:
    info = session.info
    cases: set[uuid.UUID] = set(info.pop(CASES, ()))
    people = info.pop(PEOPLE, set())
    parents = info.pop(PARENTS, set())
    if people:
        cases.update(session.scalars(select(Case.id).where(Case.person_id.in_(people))))
    tables = Case.metadata.tables
    for name in {name for name, _ in parents}:
        table = tables[name]
        ids = [value for table_name, value in parents if table_name == name]
        cases.update(
            c for c in session.scalars(select(table.c.case_id).where(table.c.id.in_(ids))) if c
        )
    return cases - set(info.get(FINAL, ()))


def _after_flush_postexec(session: Session, _context: Any) -> None:
    if not any(session.info.get(key) for key in (CASES, PEOPLE, PARENTS)):
        return
    cases = _touched_cases(session)
    try:
        get_crypto(session)
    except CryptoError:
        # No key material (a bare session outside the app: scripts, tests): the person cannot
        # be read, so the cases wait for the next flush of a session that can.
        session.info.setdefault(CASES, set()).update(cases)
        return
    for case_id in sorted(cases):
        case = session.get(Case, case_id)
        if case is not None:
            refresh_skeleton(session, case)


def _after_rollback(session: Session) -> None:
    for key in (CASES, PEOPLE, PARENTS):
        session.info.pop(key, None)


def listen() -> None:
    """Connect the listeners to every session, and to the audit append (once each)."""
    listen_on_sessions(
        (
            ("after_flush", _after_flush),
            ("after_flush_postexec", _after_flush_postexec),
            ("after_rollback", _after_rollback),
        )
    )
    events_appended.connect(_on_events_appended)
