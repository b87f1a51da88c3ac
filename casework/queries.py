"""Caseload reads: finding cases and the colleagues a case may be given to."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import User
from casework import policy
from casework.models import Case, IdentityDocument, Person
from casework.searches import people_born_in
from core.crypto import SearchTooBroadError, search
from core.crypto.blind_index import DEFAULT_MAX_CANDIDATES
from core.permissions import Role
from core.security import Actor

#: At most this many people are candidates of a name search, decrypted and shown: more people
#: than fit a result page are refused with "more than N match" (SearchTooBroadError), and the
#: caseworker adds another name or searches by date of birth. It also bounds the search's
#: time whatever the population (issue 18, P2).
NAME_SEARCH_LIMIT = 25


def search_cases(
    db: Session,
    actor: Actor,
    kind: str,
    term: str | date | int,
    *,
    candidates_from: Session | None = None,
) -> list[Case]:
    """Cases the actor may open whose person matches; the audit log keeps the kind and count.

    A ``date_of_birth`` search takes a date or a year (an ``int``: the year of the date of
    birth or the estimated birth year). Raises SearchTooBroadError when a name is shared by
    more than ``NAME_SEARCH_LIMIT`` people (or a year is too populous) to search on its own.
    ``candidates_from`` (a read replica's session) answers the blind-index lookups of name
    and document searches; people, cases and keys are read from ``db``.
    """
    if kind == "case_number":
        people_cases = list(
            db.scalars(select(Case).where(Case.case_number == str(term).strip().upper()))
        )
    else:
        try:
            person_ids = _people_found(db, kind, term, candidates_from)
        except SearchTooBroadError:
            # A refused search is a search too: names probed against the refusal (which
            # counts people of every organisation) leave a trace like any other search.
            record(
                db,
                "person.searched",
                object_type="person",
                details={"kind": kind, "results": 0, "refused": True},
            )
            raise
        people_cases = (
            list(db.scalars(select(Case).where(Case.person_id.in_(person_ids))))
            if person_ids
            else []
        )
    visible = [c for c in people_cases if policy.can_view_case(actor, c)]
    record(
        db,
        "person.searched",
        object_type="person",
        details={
            "kind": kind,
            "results": len(visible),
            "outside_scope": len(people_cases) - len(visible),
        },
    )
    return visible


def _people_found(
    db: Session, kind: str, term: str | date | int, candidates_from: Session | None
) -> set[object]:
    """The ids of the people a name, document or date-of-birth search finds."""
    if kind == "date_of_birth" and isinstance(term, int):
        return {p.id for p in people_born_in(db, term)}
    if kind == "document":
        found = search(db, IdentityDocument, "document", term, candidates_from=candidates_from)
        return {d.person_id for d in found}
    limit = NAME_SEARCH_LIMIT if kind == "name" else DEFAULT_MAX_CANDIDATES
    people = search(db, Person, kind, term, max_candidates=limit, candidates_from=candidates_from)
    return {p.id for p in people}


def case_team(db: Session, organisation_id: object) -> list[User]:
    """Active caseworkers and supervisors of an organisation, by name: who may be assigned a
    case or be responsible for a plan action."""
    return list(
        db.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.role.in_([Role.CASEWORKER.value, Role.SUPERVISOR.value]),
                User.active.is_(True),
            )
            .order_by(User.display_name)
        )
    )


def assignable_users(db: Session, actor: Actor) -> list[User]:
    return case_team(db, actor.organisation_id)
