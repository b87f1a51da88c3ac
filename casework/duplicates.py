"""Possible duplicates of a person being registered, within the actor's scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from casework import policy
from casework.disclosure import DisclosureBudget, disclosures_in_window, may_disclose
from casework.models import Case, IdentityDocument, Person
from casework.services import DocumentDetails, PersonDetails
from core.crypto import SearchTooBroadError, search
from core.security import Actor


@dataclass
class PossibleDuplicates:
    """Matches the actor may open, and other organisations that hold a possible match.

    ``withheld``: the actor has used up their cross-organisation disclosures for now, so
    other organisations are not named (set on every check while that lasts, match or not).
    """

    visible: list[Case]
    elsewhere: list[Organisation]
    withheld: bool = False

    @property
    def found(self) -> bool:
        return bool(self.visible or self.elsewhere)


#: The few best name matches a duplicate check decrypts: a name shared by more people is
#: narrowed by the birth date given (in the same index lookup), else it shows no one.
DUPLICATE_CANDIDATES = 10


def _people_matching(
    db: Session, details: PersonDetails, documents: list[DocumentDetails]
) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for name in filter(None, [details.name_original, details.name_latin]):
        found |= _named(db, name, details.date_of_birth)
    for document in documents:
        if document.number:
            found.update(
                d.person_id for d in search(db, IdentityDocument, "document", document.number)
            )
    return found


def _named(db: Session, name: str, born: date | None) -> set[uuid.UUID]:
    """People whose name matches: the best ``DUPLICATE_CANDIDATES``, or, when more share it,
    those of them born on ``born`` (a shared birth date alone is too weak: it only narrows a
    name; at a million people a birth date is shared by dozens). A name too common even so,
    or with no birth date to narrow it, finds no one, as a search would refuse it."""
    try:
        return {p.id for p in search(db, Person, "name", name, max_candidates=DUPLICATE_CANDIDATES)}
    except SearchTooBroadError:
        if born is None:
            return set()
    try:
        narrowed = search(
            db,
            Person,
            "name",
            name,
            max_candidates=DUPLICATE_CANDIDATES,
            within=("date_of_birth", born),
        )
    except SearchTooBroadError:
        return set()
    # The birth-date entries narrow the lookup (truncation coincidences included): confirm.
    return {p.id for p in narrowed if p.date_of_birth == born}


def find_possible_duplicates(
    db: Session,
    actor: Actor,
    details: PersonDetails,
    documents: list[DocumentDetails],
    budget: DisclosureBudget | None = None,
) -> PossibleDuplicates:
    """Cases of people who may be the one being registered; no data leaves the actor's scope.

    The check always runs; naming another organisation spends one of the actor's
    disclosures (``casework.disclosure``). The audit event records only counts.
    """
    people = _people_matching(db, details, documents)
    visible: list[Case] = []
    elsewhere: dict[uuid.UUID, Organisation] = {}
    if people:
        for case in db.scalars(select(Case).where(Case.person_id.in_(people))):
            if policy.can_view_case(actor, case):
                visible.append(case)
                continue
            # Outside the actor's scope (another organisation, or a colleague's case): only
            # where to ask, never who.
            org = db.get(Organisation, case.organisation_id)
            if org is not None:
                elsewhere[org.id] = org
    outside_scope = len(elsewhere)
    budget = budget or DisclosureBudget()
    others = [i for i in elsewhere if i != actor.organisation_id]
    if others:
        withheld = not may_disclose(db, actor, others, budget)
    else:
        withheld = disclosures_in_window(db, actor.user_id, budget.window_hours) >= budget.limit
    if withheld:
        for org_id in others:
            del elsewhere[org_id]
    record(
        db,
        "person.duplicate_check",
        object_type="person",
        details={
            "visible": len(visible),
            "organisations_outside_scope": outside_scope,
            "withheld": withheld,
        },
    )
    return PossibleDuplicates(
        visible, sorted(elsewhere.values(), key=lambda o: o.name), withheld=withheld
    )
