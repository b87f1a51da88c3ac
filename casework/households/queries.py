"""Household reads: the panel's view of the members, the cases one may add, and the answers to
``household_cases_asking`` and ``guardians_asking``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import policy as case_policy
from casework.households import services
from casework.households.models import Household, HouseholdMember
from casework.households.policy import openable_case
from casework.households.vocabulary import GUARDIANS, Relationship, label
from casework.models import Case, Person
from casework.statistics import child_on
from casework.vocabulary import Stage
from core.clock import utcnow
from core.permissions import Permission
from core.security import Actor

#: At most this many cases are offered when adding a member (the newest first).
CHOICE_LIMIT = 200


@dataclass(frozen=True)
class MemberView:
    """One member as the viewer may see them. ``name`` and ``case`` are set only when the
    viewer may open one of the member's cases; ``erased`` when the member's data was erased."""

    id: uuid.UUID
    role: str
    role_detail: str | None
    erased: bool
    is_self: bool
    name: str | None
    case: Case | None


def members(db: Session, actor: Actor, household: Household, case: Case) -> list[MemberView]:
    """The household's members from the point of view of ``actor`` on ``case``'s page."""
    cases = services.cases_of(db, household)
    found = []
    for member in household.members:
        person = db.get(Person, member.person_id)
        erased = person is None or person.erased_at is not None
        is_self = member.person_id == case.person_id
        opened = (
            None if erased else (case if is_self else openable_case(actor, cases[member.person_id]))
        )
        name = None
        if opened is not None and person is not None:
            name = person.name_original
        found.append(
            MemberView(
                id=member.id,
                role="" if erased else member.role,
                role_detail=None if erased or opened is None else member.role_detail,
                erased=erased,
                is_self=is_self,
                name=name,
                case=opened,
            )
        )
    order = {r.value: i for i, r in enumerate(Relationship)}
    return sorted(found, key=lambda m: (not m.is_self and m.erased, order.get(m.role, 99)))


def addable_cases(db: Session, actor: Actor, case: Case) -> list[tuple[str, str]]:
    """Choices for a new member: open cases of the organisation the actor may edit, whose
    person is alive in the records and in no household (the case's own person left out)."""
    if not actor.can(Permission.CASE_EDIT):
        return []
    in_households = select(HouseholdMember.person_id)
    query = (
        select(Case)
        .join(Person, Person.id == Case.person_id)
        .where(
            case_policy.visible_cases(actor),
            Case.organisation_id == case.organisation_id,
            Case.person_id != case.person_id,
            Case.person_id.not_in(in_households),
            Person.erased_at.is_(None),
            Case.stage != Stage.CLOSED.value,
        )
        .order_by(Case.opened_at.desc())
        .limit(CHOICE_LIMIT)
    )
    return [(str(c.id), f"{c.case_number} — {c.person.name_original}") for c in db.scalars(query)]


def household_cases(case: Case, session: Session, **_extra: Any) -> list[uuid.UUID]:
    """Receiver of ``casework.signals.household_cases_asking``: the case ids of the case's
    household (its own included; members erased or without a case left out)."""
    household = services.household_of(session, case)
    if household is None:
        return []
    ids = {case.id}
    for person_id, cases in services.cases_of(session, household).items():
        person = session.get(Person, person_id)
        if person is not None and person.erased_at is None:
            ids.update(c.id for c in cases)
    return sorted(ids, key=str)


def _adult(person: Person) -> bool | None:
    child = child_on(person.date_of_birth, person.estimated_birth_year, utcnow().date())
    return None if child is None else not child


def guardians(case: Case, session: Session, actor: Actor, **_extra: Any) -> list[tuple[str, str]]:
    """Receiver of ``casework.signals.guardians_asking``: ``(name, relationship)`` of each
    parent or guardian of the case's household the actor may see named (head, spouse or
    partner; not erased, not known to be a child), the case's own person left out."""
    household = services.household_of(session, case)
    if household is None:
        return []
    found = []
    cases = services.cases_of(session, household)
    for member in household.members:
        if member.person_id == case.person_id or member.role not in GUARDIANS:
            continue
        person = session.get(Person, member.person_id)
        if person is None or person.erased_at is not None or _adult(person) is False:
            continue
        if openable_case(actor, cases[member.person_id]) is None:
            continue
        found.append((person.name_original or "", str(label(member.role, Relationship))))
    return found
