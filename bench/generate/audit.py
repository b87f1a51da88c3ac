"""Audit events appended to the chain in batches, hashed as ``audit.services.record`` hashes
them (``audit.chain.event_hash`` / ``canonical_details``), under the chain's lock
(``lock_chain``), so ``homeward audit verify`` passes."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select

from core.clock import utcnow

from .rows import insert_rows
from .tables import EMAIL_DOMAIN, seeded_uuid

AUDIT_ACTIONS = [
    ("case.viewed", "case", 55),
    ("login.succeeded", None, 8),
    ("person.searched", "person", 10),
    ("person.search_viewed", "person", 6),
    ("case.note_added", "case", 5),
    ("tasks.viewed", None, 8),
    ("caseload.viewed", None, 6),
    ("login.failed", None, 1),
    ("logout", None, 1),
]
WEIGHTS = [w for *_x, w in AUDIT_ACTIONS]


@dataclass
class Actors:
    """Who acts in the generated events: staff, their sessions, cases by organisation."""

    staff: list[tuple[uuid.UUID, str, uuid.UUID]]
    sessions: dict[uuid.UUID, uuid.UUID]
    by_org: dict[uuid.UUID, list[uuid.UUID]]
    agents: list[str | None]


def actors(db_factory: Any, rng: random.Random) -> Actors:
    from audit.services import user_agent_fingerprint
    from auth.models import User
    from casework.models import Case

    with db_factory() as db:
        staff = [
            (u.id, u.role, u.organisation_id)
            for u in db.scalars(select(User).where(User.email.like(f"%.{EMAIL_DOMAIN}")))
        ]
        cases = list(
            db.execute(select(Case.id, Case.organisation_id).order_by(Case.id).limit(200_000))
        )
    by_org: dict[uuid.UUID, list[uuid.UUID]] = {}
    for case_id, org in cases:
        by_org.setdefault(org, []).append(case_id)
    agents = [user_agent_fingerprint(f"Mozilla/5.0 generated browser {n}") for n in range(12)]
    return Actors(staff, {u[0]: seeded_uuid(rng) for u in staff}, by_org, agents)


def event_values(rng: random.Random, who: Actors, at: datetime) -> dict[str, Any]:
    """One event's values, without its place in the chain (seq, hashes)."""
    from audit.chain import canonical_details

    user_id, role, org = rng.choice(who.staff)
    action, object_type, _w = rng.choices(AUDIT_ACTIONS, weights=WEIGHTS)[0]
    case_id = None
    object_id = None
    details: dict[str, Any] | None = None
    org_cases = who.by_org.get(org)
    if object_type == "case" and org_cases:
        case_id = rng.choice(org_cases)
        object_id = str(case_id)
    elif action == "person.searched":
        details = {
            "kind": rng.choice(["name", "document", "case_number"]),
            "results": rng.randrange(0, 8),
        }
    elif action == "person.search_viewed":
        details = {"kind": "name", "results": rng.randrange(0, 8), "outside_scope": 0}
    return {
        "occurred_at": at,
        "actor_user_id": user_id,
        "actor_role": role,
        "actor_organisation_id": org,
        "session_id": who.sessions[user_id],
        "ip_address": f"10.{rng.randrange(256)}.0.{rng.randrange(1, 255)}",
        "user_agent_fingerprint": rng.choice(who.agents),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": case_id,
        "outcome": "failed" if action == "login.failed" else "ok",
        "details": canonical_details(details),
    }


def append_batch(db: Any, rng: random.Random, who: Actors, times: list[datetime]) -> int:
    """Events at ``times`` appended after the chain's head, under its lock: one INSERT
    (``COPY`` on PostgreSQL)."""
    from audit.chain import GENESIS_HASH, event_hash
    from audit.models import AuditEvent
    from audit.services import lock_chain

    lock_chain(db)
    head = db.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    rows = []
    for at in times:
        seq += 1
        values = {"seq": seq, **event_values(rng, who, at), "prev_hash": prev}
        values["hash"] = prev = event_hash(values)
        rows.append(values)
    table = AuditEvent.__table__
    assert isinstance(table, Table)
    insert_rows(db, {table: rows})
    return len(rows)


def append_audit_events(
    db_factory: Any, count: int, rng: random.Random, batch: int = 5000, say: Any = print
) -> float:
    """Append ``count`` events to the chain in batches of ``batch`` (one INSERT and one
    commit each); returns the seconds taken."""
    who = actors(db_factory, rng)
    now = utcnow()
    step = min(timedelta(seconds=1), timedelta(days=90) / max(count, 1))
    first = now - step * count
    started = time.perf_counter()
    done = 0
    while done < count:
        times = [first + step * k for k in range(done, min(count, done + batch))]
        with db_factory() as db:
            done += append_batch(db, rng, who, times)
        rate = done / (time.perf_counter() - started)
        say(f"  audit events {done:,}/{count:,}  {rate:,.0f} events/s", flush=True)
    return time.perf_counter() - started
