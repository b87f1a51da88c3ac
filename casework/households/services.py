"""Households: add, re-label and remove members. Services flush; the request commits.

Every change bumps the household's ``version`` (the ORM's optimistic lock): a form carries the
version it was loaded at, and a save against a newer one, or one that loses a race between
read and write, is refused with :class:`HouseholdConflict` (409) and keeps nothing.
Every change is audited with ids only.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import record
from casework import policy, stages
from casework.households.models import Household, HouseholdMember
from casework.households.vocabulary import Relationship
from casework.models import Case, Person
from casework.services import CaseworkError
from core.clock import utcnow
from core.db import flush_or_conflict
from core.exceptions import ConflictError
from core.memo import remembered
from core.security import Actor

MAX_DETAIL = 200


class HouseholdConflict(ConflictError, CaseworkError):
    """Someone changed the household since the form was loaded."""

    def __init__(self) -> None:
        super().__init__(
            "Someone changed this household while you were working on it. "
            "Check it again below, then repeat your change."
        )


def member_of(db: Session, person_id: uuid.UUID) -> HouseholdMember | None:
    """The person's household membership (read once a request: the household panel and the
    case marks both ask)."""
    return remembered(
        db,
        ("household_member", person_id),
        lambda: db.scalar(select(HouseholdMember).where(HouseholdMember.person_id == person_id)),
    )


def household_of(db: Session, case: Case) -> Household | None:
    """The household of the case's person, when it belongs to the case's organisation."""
    member = member_of(db, case.person_id)
    if member is None or member.household.organisation_id != case.organisation_id:
        return None
    return member.household


def get_member(
    db: Session, household: Household | None, member_id: uuid.UUID
) -> HouseholdMember | None:
    member = db.get(HouseholdMember, member_id)
    if member is None or household is None or member.household_id != household.id:
        return None
    return member


def cases_of(db: Session, household: Household) -> dict[uuid.UUID, list[Case]]:
    """Each member's cases in the household's organisation, by person id."""
    people = [m.person_id for m in household.members]
    found: dict[uuid.UUID, list[Case]] = {p: [] for p in people}
    for case in db.scalars(
        select(Case).where(
            Case.person_id.in_(people), Case.organisation_id == household.organisation_id
        )
    ):
        found[case.person_id].append(case)
    return found


def _role(value: str | None, field: str = "role") -> Relationship:
    try:
        return Relationship(value or "")
    except ValueError:
        raise CaseworkError("Choose a relationship from the list.", field) from None


def _detail(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_DETAIL:
        raise CaseworkError("Keep it under 200 characters.", "role_detail")
    return text or None


def _check_version(household: Household | None, version: int | None) -> None:
    """0 (or None) stands for "no household yet" when the form was loaded."""
    loaded = version or 0
    current = household.version if household is not None else 0
    if loaded != current:
        raise HouseholdConflict()


def _touch(db: Session, household: Household) -> None:
    """Bump the household's version (its UPDATE checks the version read): a lost race fails."""
    household.updated_at = utcnow()
    flush_or_conflict(db, HouseholdConflict)


def _may_edit(actor: Actor, case: Case) -> None:
    policy.authorize_edit_case(actor, case)
    if not stages.is_open(case):
        raise stages.CaseClosedError(case.id)


def _check_joining(db: Session, actor: Actor, case: Case, joining: Case) -> None:
    if (
        joining.organisation_id != case.organisation_id
        or not policy.can_edit_case(actor, joining)
        or not stages.is_open(joining)
    ):
        raise CaseworkError("Choose one of the open cases you work on.", "member_case")
    if joining.person.erased_at is not None:
        raise CaseworkError("Choose one of the open cases you work on.", "member_case")
    if joining.person_id == case.person_id:
        raise CaseworkError("This person is in the household already.", "member_case")
    if member_of(db, joining.person_id) is not None:
        raise CaseworkError(
            "This person is in a household already: remove them there first.", "member_case"
        )


def _insert_member(
    db: Session,
    actor: Actor,
    household: Household,
    person: Person,
    role: Relationship,
    detail: str | None,
) -> HouseholdMember:
    member = HouseholdMember(
        id=uuid.uuid4(),
        household_id=household.id,
        person_id=person.id,
        role=role.value,
        added_by_id=actor.user_id,
    )
    member.role_detail = detail
    try:
        with db.begin_nested():
            db.add(member)
            db.flush()
    except IntegrityError:  # the same person joined a household at the same moment
        raise CaseworkError(
            "This person is in a household already: remove them there first.", "member_case"
        ) from None
    household.members.append(member)
    return member


def start_household(
    db: Session, actor: Actor, case: Case, role: Relationship | str | None
) -> Household:
    """A household of the case's person alone (in the given relationship)."""
    _may_edit(actor, case)
    if member_of(db, case.person_id) is not None:
        raise HouseholdConflict()
    code = _role(role, "own_role")
    household = Household(
        id=uuid.uuid4(), organisation_id=case.organisation_id, created_by_id=actor.user_id
    )
    db.add(household)
    db.flush()
    member = _insert_member(db, actor, household, case.person, code, None)
    record(
        db,
        "household.created",
        actor=actor,
        object_type="household",
        object_id=household.id,
        case_id=case.id,
        details={"member_id": str(member.id)},
    )
    return household


def add_member(
    db: Session,
    actor: Actor,
    case: Case,
    joining: Case,
    role: str | None,
    detail: str | None,
    version: int | None,
    own_role: str | None = None,
) -> HouseholdMember:
    """Add the person of ``joining`` (a case the actor may edit) to the household of ``case``,
    starting one (with ``own_role`` for the case's person) when there is none yet."""
    _may_edit(actor, case)
    household = household_of(db, case)
    _check_version(household, version)
    code, text = _role(role), _detail(detail)
    _check_joining(db, actor, case, joining)
    if household is None:
        household = start_household(db, actor, case, own_role or Relationship.HEAD)
    member = _insert_member(db, actor, household, joining.person, code, text)
    _touch(db, household)
    record(
        db,
        "household.member_added",
        actor=actor,
        object_type="household_member",
        object_id=member.id,
        case_id=joining.id,
        details={"household_id": str(household.id), "from_case_id": str(case.id)},
    )
    return member


def join_registered(
    db: Session, actor: Actor, head_case: Case, new_case: Case, role: str | None, detail: str | None
) -> HouseholdMember:
    """Family registration: the just registered ``new_case`` joins the household of
    ``head_case`` (started with its person as head when there is none)."""
    household = household_of(db, head_case)
    return add_member(
        db,
        actor,
        head_case,
        new_case,
        role,
        detail,
        household.version if household is not None else 0,
        own_role=Relationship.HEAD,
    )


def change_role(
    db: Session,
    actor: Actor,
    case: Case,
    member: HouseholdMember,
    role: str | None,
    detail: str | None,
    version: int | None,
) -> None:
    """Change a member's relationship (and its detail)."""
    _may_edit(actor, case)
    household = member.household
    _check_version(household, version)
    person = db.get(Person, member.person_id)
    if person is None or person.erased_at is not None:
        raise CaseworkError("Nothing can be recorded for a member whose data was erased.", "role")
    code, text = _role(role), _detail(detail)
    member.role = code.value
    member.role_detail = text
    _touch(db, household)
    record(
        db,
        "household.member_changed",
        actor=actor,
        object_type="household_member",
        object_id=member.id,
        case_id=case.id,
        details={"household_id": str(household.id), "fields": ["role", "role_detail"]},
    )


def remove_member(
    db: Session, actor: Actor, case: Case, member: HouseholdMember, version: int | None
) -> None:
    """Take a member out of the household; a household left empty is deleted."""
    _may_edit(actor, case)
    household = member.household
    _check_version(household, version)
    member_id, person_id = member.id, member.person_id
    household.members.remove(member)
    db.delete(member)
    _touch(db, household)
    left = len(household.members)
    record(
        db,
        "household.member_removed",
        actor=actor,
        object_type="household_member",
        object_id=member_id,
        case_id=case.id,
        details={"household_id": str(household.id), "person_id": str(person_id)},
    )
    if left == 0:
        db.delete(household)
        db.flush()


def record_household_view(db: Session, actor: Actor, household: Household, case: Case) -> None:
    """Audit that the household (its members' names and relationships) was shown on a case."""
    record(
        db,
        "household.viewed",
        actor=actor,
        object_type="household",
        object_id=household.id,
        case_id=case.id,
    )
