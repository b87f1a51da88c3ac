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
from casework.disclosure import DisclosureBudget, may_disclose, withheld_now
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
    #: A name is shared by more people than the check lists (the closest are listed): the
    #: user is asked for a birth date or a document number, and must confirm either way.
    crowded: bool = False

    @property
    def found(self) -> bool:
        return bool(self.visible or self.elsewhere or self.crowded)


#: The few best name matches a duplicate check decrypts. A name shared by more people is
#: narrowed by the birth date given (in the same index lookup), and its closest spellings are
#: listed anyway, with word that the name is shared by more (``crowded``): a common name never
#: makes the check fall silent.
DUPLICATE_CANDIDATES = 10


def _people_matching(
    db: Session, details: PersonDetails, documents: list[DocumentDetails]
) -> tuple[set[uuid.UUID], bool]:
    """The people who may be the one registered, and whether a name is shared by more people
    than the check lists."""
    found: set[uuid.UUID] = set()
    crowded = False
    for name in filter(None, [details.name_original, details.name_latin]):
        named, too_many = _named(db, name, details.date_of_birth)
        found |= named
        crowded = crowded or too_many
    for document in documents:
        if document.number:
            found.update(
                d.person_id for d in search(db, IdentityDocument, "document", document.number)
            )
    return found, crowded


def _named(db: Session, name: str, born: date | None) -> tuple[set[uuid.UUID], bool]:
    """People whose name matches, and whether more share it than are returned: all of them
    when at most ``DUPLICATE_CANDIDATES`` do; else those born on ``born`` (a shared birth date
    alone is too weak: it only narrows a name; at a million people a birth date is shared by
    dozens) and the ``DUPLICATE_CANDIDATES`` closest spellings, marked as crowded."""
    try:
        found = search(db, Person, "name", name, max_candidates=DUPLICATE_CANDIDATES)
        return {p.id for p in found}, False
    except SearchTooBroadError:
        pass
    people: set[uuid.UUID] = set()
    if born is not None:
        try:
            narrowed = search(
                db,
                Person,
                "name",
                name,
                max_candidates=DUPLICATE_CANDIDATES,
                within=("date_of_birth", born),
            )
            # The birth-date entries narrow the lookup (truncation coincidences included).
            people |= {p.id for p in narrowed if p.date_of_birth == born}
        except SearchTooBroadError:
            pass
    try:
        closest = search(db, Person, "name", name, max_candidates=DUPLICATE_CANDIDATES, best=True)
        people |= {p.id for p in closest}
    except SearchTooBroadError:  # a one-token name: its candidates have no order
        pass
    return people, True


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
    people, crowded = _people_matching(db, details, documents)
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
        withheld = withheld_now(db, actor, budget)
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
            "crowded": crowded,
        },
    )
    orgs = sorted(elsewhere.values(), key=lambda o: o.name)
    return PossibleDuplicates(visible, orgs, withheld=withheld, crowded=crowded)
