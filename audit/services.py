"""``record()``: the one way anything is written to the audit log."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from flask import has_request_context, request
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from audit import actions
from audit.chain import GENESIS_HASH, canonical_details, event_hash
from audit.models import AuditEvent
from core.clock import utcnow
from core.security import Actor, current_actor

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


def lock_chain(session: Session) -> None:
    """Serialise appends: hold the chain's lock until this transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    # SQLite: every transaction begins IMMEDIATE (core.db), so there is one writer already.


def user_agent_fingerprint(user_agent: str | None) -> str | None:
    """A short hash of the browser's user agent: tells sessions apart without storing it."""
    if not user_agent:
        return None
    return hashlib.sha256(user_agent.encode("utf-8", "replace")).hexdigest()[:16]


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
    """Append one event to the chain in the caller's transaction, and flush it.

    ``details`` holds ids, field names and counts only; never personal data or search terms
    (:func:`check_details` refuses free text, so a mistake fails loudly in tests).
    The actor defaults to the request's signed-in user; client IP and user agent come from
    the request when there is one.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    check_details(details)
    actor = actor if actor is not None else current_actor()
    ip = request.remote_addr if has_request_context() else None
    agent = request.headers.get("User-Agent") if has_request_context() else None
    lock_chain(session)
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    values: dict[str, Any] = {
        "seq": (head.seq + 1) if head else 1,
        "occurred_at": utcnow(),
        "actor_user_id": actor.user_id if actor else None,
        "actor_role": str(actor.role) if actor else None,
        "actor_organisation_id": actor.organisation_id if actor else None,
        "session_id": uuid.UUID(actor.session_id) if actor and actor.session_id else None,
        "ip_address": ip,
        "user_agent_fingerprint": user_agent_fingerprint(agent),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "case_id": case_id,
        "outcome": outcome,
        "details": canonical_details(details),
        "prev_hash": head.hash if head else GENESIS_HASH,
    }
    event = AuditEvent(**values, hash=event_hash(values))
    session.add(event)
    session.flush()
    return event
