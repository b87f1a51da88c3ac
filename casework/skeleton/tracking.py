"""Keeping every case's skeleton current: the cases a transaction touched are rebuilt once.

The rule is deliberately wide, so that no service has to remember to call anything:

* after a flush (``after_flush``), a case is *touched* when the flush wrote the case itself,
  its person (every case of the person), a row with a ``case_id`` (screening, consent, plan,
  visit, closure, referral, transfer, ...), a row whose foreign key points to such a row (a
  plan's action, a referral's event), or an audit event naming the case (which also catches
  the conditional ``UPDATE`` statements some services run outside the ORM: a referral's
  answer, a transfer's decision), reads (``*.viewed`` and the like) excepted;
* the touched cases are remembered on the session (``session.info``), not rebuilt then: a
  request that writes flushes several times (a registration: the person, the case, the
  commit), and rebuilding at each flush built the same skeleton again each time (a third of
  a registration's time, issue 18);
* the commit's audit append inserts its events outside the unit of work (``audit.services``)
  and sends :data:`audit.signals.events_appended`: the events it names are touched, and every
  touched case is rebuilt right then (:func:`rebuild_touched`, through ``skeleton_collecting``,
  :func:`casework.skeleton.services.refresh_skeleton`). Its changes are pending: the commit's
  last flush writes them. A commit with no event to append rebuilds at ``before_commit`` (a
  savepoint's release waits for the real commit); a flush of the commit after that (a change
  made by a later ``before_commit`` listener) rebuilds the cases it touched, and the commit
  flushes again;
* a query through the session that reads a skeleton table (``do_orm_execute``: ORM
  statements, ``text()``, a refresh, a lazy load) first flushes the session, rebuilds the
  touched cases and writes the rebuild, so whatever reads a skeleton in the middle of a
  transaction (a test, a command) sees it as the changes made so far leave it. Not so a
  ``session.get()`` of a skeleton already loaded (no query) or a statement on the session's
  connection: they see it as it was, until the next query or the commit. When events other
  than reads are queued, such a read writes them first (``audit.services``: the rebuild reads
  the log), so the chain's lock is then held from that read to the commit. No app code reads a
  skeleton while writing (only the figures and ``fill_missing`` read them).

The rebuild reads values from the audit log itself (the month monitoring started, from
``case.stage_changed``; an action done on time), which the events appended at the commit add
to; and at the commit it runs after the chain's lock is granted, so of two transactions
changing one case at once, the later commit's rebuild sees the earlier one's rows
(``tests/casework/skeleton/test_rebuild_reads_the_log.py``, ``test_concurrent_writers_pg.py``).
A savepoint rolled back leaves the touched cases remembered (rebuilding a case its undone
changes touched rebuilds it as it is), and the cases rebuilt inside it, whose rebuild it
undoes, are touched again; the whole transaction's rollback forgets them.

Cases of an erased person, and cases whose final snapshot was taken during an erasure, are
left alone. A session without key material (a bare session outside the app) cannot read the
person: its touched cases wait for a later rebuild in a session that can (requests and
commands always can). The listeners are on SQLAlchemy's ``Session`` class (every session of
the app), connected once by :func:`casework.skeleton.init_app`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ClauseElement, TextClause, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.orm.exc import UnmappedColumnError
from sqlalchemy.sql.util import find_tables

from audit.models import AuditEvent
from audit.services import PENDING as AUDIT_PENDING
from audit.services import root_committing
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
from core.db import inside, listen_on_sessions

#: ``session.info`` keys: what the last flushes touched, waiting for the rebuild.
CASES, PEOPLE, PARENTS = "skeleton_cases", "skeleton_people", "skeleton_parents"
#: ``session.info`` key: a rebuild is running (its own queries and flushes start no other).
REBUILDING = "skeleton_rebuilding"
#: ``session.info`` key: (savepoint, cases) of each rebuild run inside a savepoint, whose
#: writes its rollback undoes (the cases are then touched again).
REBUILT_IN = "skeleton_rebuilt_in_savepoint"
#: ``session.info`` key: the commit's rebuild has run; a flush after it (the commit's own, of
#: a change a later ``before_commit`` listener made) rebuilds what it touched.
COMMITTING = "skeleton_committing"

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
#: The names of those tables: a query of one of them reads skeletons.
SKELETON_TABLES = frozenset(model.__tablename__ for model in _IGNORED)


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
    their cases as a flush of them would (``_after_flush``), and every touched case is rebuilt
    at once, after the chain's lock was granted, before the commit's last flush writes it."""
    info = session.info
    for key in (CASES, PEOPLE, PARENTS):
        info.setdefault(key, set())
    for event in events:
        _touched_by(event, info)
    rebuild_touched(session)


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


def _touched(session: Session) -> bool:
    return any(session.info.get(key) for key in (CASES, PEOPLE, PARENTS))


def rebuild_touched(session: Session) -> None:
    """Rebuild the skeleton of every case the session's flushes touched since the last
    rebuild, from the rows as written (flush first); its changes are pending: the next flush
    writes them."""
    if not _touched(session) or session.info.get(REBUILDING):
        return
    session.info[REBUILDING] = True
    try:
        with session.no_autoflush:  # as inside a flush: the rebuild's writes wait for the next
            _rebuild(session)
    finally:
        session.info.pop(REBUILDING, None)


def _rebuild(session: Session) -> None:
    cases = _touched_cases(session)
    try:
        get_crypto(session)
    except CryptoError:
        # No key material (a bare session outside the app: scripts, tests): the person cannot
        # be read, so the cases wait for a session that can.
        session.info.setdefault(CASES, set()).update(cases)
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None and cases:
        session.info.setdefault(REBUILT_IN, []).append((savepoint, cases))
    for case_id in sorted(cases):
        case = session.get(Case, case_id)
        if case is not None:
            refresh_skeleton(session, case)


def _rebuild_at_commit(session: Session) -> None:
    """``before_commit``: the touched cases of the commit. The audit append's listener,
    connected first, has written the queue and rebuilt them after the chain's lock (through
    ``events_appended``); what is left (a commit with no event) is rebuilt here. A savepoint's
    release waits for the real commit."""
    if session.in_nested_transaction() and not root_committing(session):
        return
    session.info[COMMITTING] = True
    if not session.info.get(AUDIT_PENDING):
        session.flush()  # the rebuild reads the rows as they are written
        rebuild_touched(session)


def _after_commit_flush(session: Session, _context: Any) -> None:
    """``after_flush_postexec``: a flush of the commit after its rebuild; the commit flushes
    again while the session has changes, so the rebuild's are written too. A commit that
    failed and left the transaction open is no longer committing: its flushes wait again."""
    if session.info.get(COMMITTING) and root_committing(session):
        rebuild_touched(session)


def _reads_skeleton(state: ORMExecuteState) -> None:
    """``do_orm_execute``: a query of a skeleton table first writes what the session changed
    and rebuilds the cases it touched, then writes the rebuild (a refresh does not flush), so
    that it reads them current."""
    session = state.session
    if session.info.get(REBUILDING) or getattr(session, "_flushing", False):
        return
    if not _touched(session) and session._is_clean():
        return
    statement = state.statement
    if not (state.is_select or isinstance(statement, TextClause)):
        return
    if not _names_a_skeleton_table(statement):
        return
    if session.autoflush:
        session._autoflush()
    rebuild_touched(session)
    if session.autoflush:
        session._autoflush()


def _names_a_skeleton_table(statement: Any) -> bool:
    if isinstance(statement, TextClause):
        return any(name in statement.text for name in SKELETON_TABLES)
    if not isinstance(statement, ClauseElement):
        return False
    tables = find_tables(statement, check_columns=True, include_aliases=True)
    return any(getattr(t, "name", None) in SKELETON_TABLES for t in tables)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    """The whole transaction rolled back: its touched cases are forgotten. A savepoint rolled
    back: the cases touched before it stay, and those rebuilt inside it (the rebuild's writes
    are undone) are touched again."""
    info = session.info
    if not previous.nested:
        for key in (CASES, PEOPLE, PARENTS, REBUILT_IN, FINAL):
            info.pop(key, None)
        return
    final = info.get(FINAL, {})
    for case_id in [c for c, taken_in in final.items() if inside(taken_in, previous)]:
        del final[case_id]  # the erasure was undone: the case's changes reach its skeleton
    kept = []
    for savepoint, cases in info.get(REBUILT_IN, []):
        if inside(savepoint, previous):
            info.setdefault(CASES, set()).update(cases)
        else:
            kept.append((savepoint, cases))
    info[REBUILT_IN] = kept


def _transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """``after_transaction_end`` of the whole transaction: its commit's state goes. Cases a
    committed session without key material touched stay, for a later rebuild that can."""
    if transaction.parent is None:
        for key in (REBUILDING, REBUILT_IN, COMMITTING, FINAL):
            session.info.pop(key, None)


#: The listeners, for :func:`listen` (and for the data generator, which pauses them).
LISTENERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("after_flush", _after_flush),
    ("after_flush_postexec", _after_commit_flush),
    ("before_commit", _rebuild_at_commit),
    ("do_orm_execute", _reads_skeleton),
    ("after_soft_rollback", _after_soft_rollback),
    ("after_transaction_end", _transaction_end),
)


def listen() -> None:
    """Connect the listeners to every session, and to the audit append (once each)."""
    listen_on_sessions(LISTENERS)
    events_appended.connect(_on_events_appended)
