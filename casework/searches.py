"""Search results kept for their result page (post, redirect, get), and searches by birth year.

A search is posted so its term never reaches an address or a log. What it found is kept under
a random id, good only in the session that searched and for ``RESULTS_LIFETIME``, and the
browser is sent to ``/cases/search/<id>``: Back and reload show the results again without
posting the term a second time. Only case ids are kept; the term is kept nowhere.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from audit import record
from auth.models import UserSession
from casework import policy
from casework.models import Case, CaseSearch, Person
from casework.rows import PEOPLE, unwrap_people_keys
from core.clock import utcnow
from core.crypto import search_any
from core.exceptions import HomewardError
from core.security import Actor

RESULTS_LIFETIME = timedelta(minutes=30)
#: As many people as a search by the blind indexes decrypts before asking for another term.
MAX_CANDIDATES = 5000


class SearchGoneError(HomewardError):
    """The search id is unknown here (another session's, or never made), or has expired."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "unknown")
        self.expired = expired


def keep_results(db: Session, session_hash: str, kind: str, cases: Iterable[Case]) -> str:
    """Keep the ids of ``cases`` for this session; returns the new search id."""
    now = utcnow()
    _purge(db)
    search_id = secrets.token_urlsafe(16)
    db.add(
        CaseSearch(
            id=search_id,
            session_hash=session_hash,
            kind=kind,
            case_ids=[str(c.id) for c in cases],
            created_at=now,
            expires_at=now + RESULTS_LIFETIME,
        )
    )
    db.flush()
    return search_id


def kept_search(db: Session, search_id: str, session_hash: str) -> CaseSearch:
    """The kept search ``search_id`` of this session; raises SearchGoneError."""
    row = db.get(CaseSearch, search_id)
    if row is None or not secrets.compare_digest(row.session_hash, session_hash):
        raise SearchGoneError(expired=False)
    if row.expires_at <= utcnow():
        raise SearchGoneError(expired=True)  # deleted by the next search's purge
    return row


def view_results(db: Session, actor: Actor, kept: CaseSearch) -> list[Case]:
    """The kept cases the actor may still open, in the order found; audited like the search."""
    ids = [uuid.UUID(i) for i in kept.case_ids]
    loaded = (
        {c.id: c for c in db.scalars(select(Case).options(PEOPLE).where(Case.id.in_(ids)))}
        if ids
        else {}
    )
    found = [loaded[i] for i in ids if i in loaded]
    visible = [c for c in found if policy.can_view_case(actor, c)]
    unwrap_people_keys(db, visible)
    record(
        db,
        "person.search_viewed",
        object_type="person",
        details={
            "kind": kept.kind,
            "results": len(visible),
            "outside_scope": len(ids) - len(visible),
        },
    )
    return visible


def _purge(db: Session) -> None:
    """Forget expired searches and those of ended sessions (of anyone)."""
    ended = select(UserSession.token_hash).where(UserSession.ended_at.is_not(None))
    db.execute(
        delete(CaseSearch)
        .where(or_(CaseSearch.expires_at <= utcnow(), CaseSearch.session_hash.in_(ended)))
        .execution_options(synchronize_session=False)
    )


def people_born_in(db: Session, year: int) -> list[Person]:
    """People born in ``year``: by the date of birth's index (every day of the year is looked
    up; nothing new is stored), or by an estimated birth year, which has no index and is read.
    """
    first = date(year, 1, 1)
    days = [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]
    estimated_column = getattr(Person, Person.estimated_birth_year.storage)
    estimated = db.scalars(
        select(Person.id)
        .where(estimated_column.is_not(None), Person.erased_at.is_(None))
        .limit(MAX_CANDIDATES + 1)
    )

    def born_then(person: Person) -> bool:
        born = person.date_of_birth
        return (born is not None and born.year == year) or person.estimated_birth_year == year

    return search_any(
        db, Person, "date_of_birth", days, born_then, also=estimated, max_candidates=MAX_CANDIDATES
    )
