"""``record()``: the one way anything is written to the audit log, appended at the commit.

The write path (issue 18) and what it guarantees:

* :func:`record` checks its arguments (outcome, :func:`check_details`) and captures the event's
  values (actor, client IP, user agent fingerprint, ``occurred_at``, action, object, case,
  details) when it is called, and queues them on the session (``session.info``). It writes
  nothing and takes no lock, so a request that records holds no lock while it works.
* Just before the transaction commits (the ``before_commit`` listener on SQLAlchemy's
  ``Session`` class, so every session: requests, commands, jobs, tests), :func:`flush_pending`
  flushes the session's other changes, then takes the chain's lock and reads the head, in one
  round trip on PostgreSQL (:func:`_lock_and_head`: the same lock as :func:`lock_chain`'s, the
  head read after it is granted; on SQLite the transaction takes the write lock first,
  :func:`core.sqlite_writer.take_write_lock`, so there is one writer), gives the queued
  events their ``seq``, ``prev_hash`` and ``hash`` in the order they were recorded and
  inserts them in one ``INSERT`` (an executemany). The lock is a transaction lock: it is
  held for the commit only, and released by it.
* Atomic with the change it records: the events go in the same transaction as the change.
  A rollback (of the transaction, or the session closed without committing) forgets the
  queue, so its events never reach a later transaction; a savepoint rolled back forgets the
  events recorded inside it. A process that dies before the commit loses both; an error while
  the events are written raises out of ``commit()``, so the change is not committed either
  (a retried ``commit()`` raises too, until the transaction is rolled back). Two ways around
  ``Session.commit()`` do lose the queue: ``Connection.commit()`` on the session's connection,
  and a session on an outside transaction (``Session(bind=connection)``) closed uncommitted
  while its owner commits; app code uses neither (a review test guards the first).
  An event recorded after its transaction's queue was written (by a listener running later in
  the same commit) raises instead of being lost.
* Reads see what was recorded: a query of the audit table in a session with queued events
  (``do_orm_execute``) writes the queue first, as do :func:`lock_chain` (checkpoints, the
  verifier; a registration must not before its duplicate check, whose user lock comes first:
  ``casework.disclosure.lock_user``) and an explicit :func:`flush_pending` (a caller that needs
  the row's ``seq`` or ``hash``). Those paths hold the lock from then until their commit, as
  every write did before. One exception: when only reads are queued (:data:`READ_ACTIONS`, a
  page's own view), a SELECT leaves them queued, so a page that records its view and then shows
  history (the case timeline) takes no lock before its commit; they are appended there. Queued
  events written inside a savepoint that is then rolled back go back to the queue when they
  were recorded outside it. A flush listener's query (the skeleton's rebuild) cannot flush
  again: it sees the chain as written so far, and the commit's write has the cases its events
  name rebuilt (:data:`audit.signals.events_appended`, sent right after its insert).
* ``occurred_at`` is the time :func:`record` was called, so it may run a little out of step
  with ``seq`` across concurrent transactions; ``seq`` (the chain) is the order of commits.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from sqlalchemy import ClauseElement, TextClause, insert, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

from audit import actions
from audit.chain import CHAINED_FIELDS, GENESIS_HASH, canonical_details, event_hash
from audit.models import AuditEvent
from audit.signals import events_appended
from core.clock import utcnow
from core.db import inside, listen_on_sessions
from core.security import Actor, current_actor
from core.sqlite_writer import take_write_lock

#: Key of the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK_KEY = 0x486F6D65  # "Home"

OUTCOMES = frozenset(actions.OUTCOMES)

#: What a text value in ``details`` may look like: an id, a code, a field name, a date.
#: No spaces and no ``@``, so names, free text and e-mail addresses are refused.
_DETAIL_TEXT = re.compile(r"[A-Za-z0-9_.:+/\-]{0,80}")
_DETAIL_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def check_details(details: Any, depth: int = 0) -> None:
    """Refuse details that could hold personal data (raises ValueError naming the key).

    Allowed: numbers, booleans, None, short codes and ids, and lists or mappings of them.
    """
    if details is None or isinstance(details, bool | int | float):
        return
    if isinstance(details, str):
        if not _DETAIL_TEXT.fullmatch(details):
            raise ValueError("audit details hold ids, codes, field names and counts only")
        return
    if depth >= 3:
        raise ValueError("audit details are nested too deeply")
    if isinstance(details, list | tuple):
        for item in details:
            check_details(item, depth + 1)
        return
    if isinstance(details, dict):
        for key, value in details.items():
            if not isinstance(key, str) or not _DETAIL_KEY.fullmatch(key):
                raise ValueError("audit detail keys are lower-case field names")
            try:
                check_details(value, depth + 1)
            except ValueError as exc:
                raise ValueError(f"{exc} (key {key!r})") from None
        return
    raise ValueError(f"audit details cannot hold a {type(details).__name__}")


def user_agent_fingerprint(user_agent: str | None) -> str | None:
    """A short hash of the browser's user agent: tells sessions apart without storing it."""
    if not user_agent:
        return None
    return hashlib.sha256(user_agent.encode("utf-8", "replace")).hexdigest()[:16]


#: ``session.info`` keys: the queue of events to append, the events already written inside
#: a savepoint (they go back to the queue if it rolls back), "the queue was written by the
#: commit" (recording after that would lose the event), and "writing the queue now".
PENDING, IN_SAVEPOINT = "audit_pending", "audit_in_savepoint"
SEALED, WRITING = "audit_sealed", "audit_writing"
#: ``session.info`` key: "writing the queue failed": the events taken from the queue are gone,
#: so this transaction cannot commit (a retried commit would keep the change without them).
FAILED = "audit_failed"

#: Actions that only record a read (a page viewed, a search, a download). Queued alone, they
#: stay queued when the same transaction reads the audit table (a case page's timeline), so a
#: page that records its own view and then shows history takes no lock before its commit.
READ_ACTIONS = ("viewed", "searched", "exported", "downloaded", "printed", "listed")

_order = itertools.count()


@dataclass(eq=False)
class _Queued:
    """One recorded event waiting for its place in the chain."""

    event: AuditEvent  # transient; ``seq``, ``prev_hash`` and ``hash`` set when written
    order: int
    recorded_in: SessionTransaction | None
    written_in: SessionTransaction | None = None


#: How long an append waits for the chain's lock or the head row before it fails.
APPEND_LOCK_TIMEOUT = "5s"


def lock_chain(session: Session) -> None:
    """Serialise appends: hold the chain's lock until this transaction ends.

    Writes the session's queued events first, so a reader of the chain sees them."""
    _lock(session)
    flush_pending(session)


def _lock(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Bounded waits for the rest of the transaction (the append, then the commit): a
        # session that holds the chain's lock or the head row and never commits (any role
        # may take an advisory lock; the app role may append and sit) fails this request
        # after APPEND_LOCK_TIMEOUT instead of stalling every request that records (review 4).
        connection.execute(
            text("SELECT set_config('lock_timeout', :wait, true), pg_advisory_xact_lock(:key)"),
            {"wait": APPEND_LOCK_TIMEOUT, "key": CHAIN_LOCK_KEY},
        )
    else:
        # SQLite: the one writer from here to the commit, reading the latest head.
        take_write_lock(connection)


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    object_type: str | None = None,
    object_id: uuid.UUID | str | None = None,
    case_id: uuid.UUID | None = None,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Queue one event for the chain, appended when the caller's transaction commits.

    ``details`` holds ids, field names and counts only; never personal data or search terms
    (:func:`check_details` refuses free text, so a mistake fails loudly in tests).
    The actor defaults to the request's signed-in user; client IP and user agent come from
    the request when there is one. The event returned has no ``seq`` or ``hash`` until it is
    written: call :func:`flush_pending` first when you need them.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    check_details(details)
    if session.info.get(SEALED):
        raise RuntimeError("audit event recorded after its transaction's events were written")
    actor = actor if actor is not None else current_actor()
    ip = request.remote_addr if has_request_context() else None
    agent = request.headers.get("User-Agent") if has_request_context() else None
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_user_id=actor.user_id if actor else None,
        actor_role=str(actor.role) if actor else None,
        actor_organisation_id=actor.organisation_id if actor else None,
        session_id=uuid.UUID(actor.session_id) if actor and actor.session_id else None,
        ip_address=ip,
        user_agent_fingerprint=user_agent_fingerprint(agent),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        case_id=case_id,
        outcome=outcome,
        details=canonical_details(details),
    )
    if session.get_transaction() is None:
        session.begin()  # so a rollback, even before any query, forgets this event
    within = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING, []).append(_Queued(event, next(_order), within))
    return event


def flush_pending(session: Session) -> None:
    """Append the session's queued events to the chain now, in one ``INSERT``.

    Flushes the session's other changes first (outside the lock), then takes the chain's lock,
    which is held until this transaction ends. Does nothing when nothing is queued."""
    if not session.info.get(PENDING) or session.info.get(WRITING):
        return
    session.info[WRITING] = True
    try:
        session.flush()
        head = _lock_and_head(session)
        queued = session.info.pop(PENDING, [])
        try:
            _write(session, queued, head)
        except BaseException:
            session.info[FAILED] = True  # cleared when the transaction ends (rolled back)
            raise
    finally:
        session.info.pop(WRITING, None)


#: Named with its schema and argument types: no overload another role might add is chosen.
_LOCK_AND_HEAD = text(
    "SELECT seq, hash FROM public.homeward_audit_lock_head("
    "CAST(:wait AS text), CAST(:key AS bigint))"
)
_INSERT_EVENTS = insert(AuditEvent)


def _lock_and_head(session: Session) -> tuple[int, str]:
    """Take the chain's lock (:func:`_lock`), then read the newest event's (seq, hash).

    PostgreSQL keeps the head in ``audit_head`` (migration d4f8a1b2c3e5), one row, which
    ``homeward_audit_lock_head()`` (267cac8c0932) reads in a statement of its own after setting
    the same ``lock_timeout`` and taking the same lock, so with a snapshot taken once the lock
    was granted: one round trip, not two. Without that row (nothing appended since the table
    was made) the table is read, under the lock. The database refuses (but for the owner) an
    event that does not follow the head, so the app role cannot number one far ahead and stop
    every later append. SQLite: the table is read under the write lock."""
    connection = session.connection()
    head = None
    take_write_lock(connection)
    if connection.dialect.name == "postgresql":
        head = connection.execute(
            _LOCK_AND_HEAD, {"wait": APPEND_LOCK_TIMEOUT, "key": CHAIN_LOCK_KEY}
        ).first()
        if head is not None and head.seq is None:
            head = None
    if head is None:
        head = connection.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def _write(session: Session, queued: list[_Queued], head: tuple[int, str]) -> None:
    """Chain the queue after ``head`` and insert it in one statement (an executemany).

    Not through the unit of work: a flush of its own cost more than the rest of the append
    (issue 18, P5). What the flush's listeners learnt from the events (the skeleton's cases,
    Casework) they now hear from :data:`audit.signals.events_appended`, sent right after the
    insert, with autoflush off as inside a flush. The events stay transient, with their
    ``seq``, ``prev_hash`` and ``hash`` set."""
    seq, prev_hash = head
    savepoint = session.get_nested_transaction()
    rows = []
    for item in queued:
        row = item.event
        seq += 1
        row.seq, row.prev_hash = seq, prev_hash
        values = _chained_values(row)
        row.hash = prev_hash = values["hash"] = event_hash(values)
        rows.append(values)
        if savepoint is not None:
            item.written_in = savepoint
            session.info.setdefault(IN_SAVEPOINT, []).append(item)
    session.connection().execute(_INSERT_EVENTS, rows)
    with session.no_autoflush:
        events_appended.send(None, session=session, events=[item.event for item in queued])


def _chained_values(row: AuditEvent) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CHAINED_FIELDS}


def _append_at_commit(session: Session) -> None:
    """``before_commit``: write the queue; a savepoint's release waits for the real commit."""
    if session.info.get(FAILED):
        raise RuntimeError(
            "this transaction's audit events could not be written: roll it back, not commit"
        )
    if session.in_nested_transaction() and not root_committing(session):
        return
    while session.info.get(PENDING) and not session.info.get(WRITING):
        flush_pending(session)  # again when a flush listener recorded more
    session.info[SEALED] = True


def root_committing(session: Session) -> bool:
    """Whether the whole transaction is committing (``root.commit()``, or leaving
    ``with session.begin():``, while a savepoint is still open): ``before_commit`` then runs
    once, with the savepoint still current, and the savepoint is committed after it, so
    waiting for "the real commit" would commit the change without its events. SQLAlchemy
    tells only through the root's private ``_current_fn`` (the state change it is running,
    its ``commit``; ``None`` while a savepoint alone is released); without it, write now (the
    lock is then taken at a savepoint's release: held longer, nothing lost)."""
    root = session.get_transaction()
    if root is None or not hasattr(root, "_current_fn"):
        return True
    return root._current_fn is not None


def _forget_savepoint(session: Session, previous: SessionTransaction) -> None:
    """``after_soft_rollback`` of a savepoint: forget the events recorded inside it; events
    recorded before it but written inside it are gone from the database, so queue them again."""
    if not previous.nested:
        return  # the whole transaction: _forget_all runs when it ends
    info = session.info
    undone = [i for i in info.get(IN_SAVEPOINT, []) if inside(i.written_in, previous)]
    info[IN_SAVEPOINT] = [i for i in info.get(IN_SAVEPOINT, []) if i not in undone]
    kept = [i for i in [*info.get(PENDING, []), *undone] if not inside(i.recorded_in, previous)]
    for item in undone:
        item.written_in = None
        item.event = _copy(item.event)
    info[PENDING] = sorted(kept, key=lambda item: item.order)


def _copy(row: AuditEvent) -> AuditEvent:
    """A fresh event with the same captured values, unnumbered (the undone write's keeps its)."""
    names = [n for n in CHAINED_FIELDS if n not in ("seq", "prev_hash")]
    return AuditEvent(**{name: getattr(row, name) for name in names})


def _forget_all(session: Session, transaction: SessionTransaction) -> None:
    """``after_transaction_end`` of the whole transaction (commit, rollback or close)."""
    if transaction.parent is None:
        for key in (PENDING, IN_SAVEPOINT, SEALED, WRITING, FAILED):
            session.info.pop(key, None)


def _reads_chain(state: ORMExecuteState) -> None:
    """``do_orm_execute``: a statement on the audit table first writes the queued events."""
    session = state.session
    pending: list[_Queued] = session.info.get(PENDING) or []
    if not pending or session.info.get(WRITING):
        return
    if state.is_select and all(item.event.action.endswith(READ_ACTIONS) for item in pending):
        return  # only reads queued (a page's own view): no query needs them before the commit
    if getattr(session, "_flushing", False):
        # A flush listener reading (the skeleton's rebuild) cannot flush again: it sees the
        # chain as written so far. The commit's write flushes the events, and the cases they
        # name are rebuilt then, from the whole chain.
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        reads = AuditEvent.__tablename__ in statement.text
    elif not isinstance(statement, ClauseElement):
        reads = False
    else:
        tables = find_tables(statement, check_columns=True, include_aliases=True)
        reads = any(getattr(t, "name", None) == AuditEvent.__tablename__ for t in tables)
    if reads:
        flush_pending(session)


_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("before_commit", _append_at_commit),
    ("after_soft_rollback", _forget_savepoint),
    ("after_transaction_end", _forget_all),
    ("do_orm_execute", _reads_chain),
)


def listen() -> None:
    """Connect the write path to every session (once; also done when this module loads)."""
    listen_on_sessions(_LISTENERS)


listen()
