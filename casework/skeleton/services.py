"""Building a case's skeleton: the case's and person's part here; the sub-packages' and
referrals' parts come from the receivers of ``casework.signals.skeleton_collecting``.

:func:`refresh_skeleton` writes the one skeleton of a case (creating it and its link the first
time); :mod:`casework.skeleton.tracking` calls it after every flush that touched the case.
:func:`keep_skeleton` takes the final snapshot when the person is erased and deletes the link.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from casework.models import Case, Person
from casework.signals import skeleton_collecting
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton, CaseSkeletonLink
from casework.statistics import age_band, month
from casework.vocabulary import Sex
from core.crypto import SubjectErasedError
from core.signals import collect

#: ``session.info`` key: ids of cases whose skeleton is final (their person is being erased).
FINAL = "skeleton_final"


def _age_at(person: Person, when_year: int) -> int | None:
    if person.date_of_birth is not None:
        return when_year - person.date_of_birth.year
    if person.estimated_birth_year is not None:
        return when_year - person.estimated_birth_year
    return None


SEX_CODES = frozenset(sex.value for sex in Sex)


def _person_part(person: Person, case: Case) -> dict[str, Any]:
    age = _age_at(person, case.opened_at.year)
    nationality = person.nationality
    return {
        # Only a code of the list: the skeleton is plain and holds nothing but codes.
        "sex": person.sex if person.sex in SEX_CODES else None,
        "age_band": age_band(age),
        "child": None if age is None else age < 18,
        "nationality": nationality.upper()[:2] if nationality else None,
    }


def skeleton_values(db: Session, case: Case) -> dict[str, Any]:
    """Every field of SKELETON_FIELDS for one case (None where nothing is known yet)."""
    person = db.get(Person, case.person_id)
    if person is None or person.erased_at is not None:
        raise SubjectErasedError("the skeleton is taken before the data key is destroyed")
    values: dict[str, Any] = dict.fromkeys(SKELETON_FIELDS)
    values.update(
        {
            "organisation_id": case.organisation_id,
            "case_type": case.case_type,
            "vulnerability_codes": case.vulnerability_codes,
            "registered_month": month(case.opened_at),
            "province": case.province_pcode,
            "referral_source": case.referral_source,
            **_person_part(person, case),
        }
    )
    for part in collect(skeleton_collecting, case, dict, session=db):
        values.update({k: v for k, v in part.items() if k in SKELETON_FIELDS})
    return values


def refresh_skeleton(db: Session, case: Case) -> CaseSkeleton | None:
    """Bring the case's one skeleton up to date (no flush); None when its person is erased.

    A field is written only when its value changed, so an unchanged case costs no UPDATE.
    """
    if case.id in db.info.get(FINAL, ()):
        return None
    person = db.get(Person, case.person_id)
    if person is None or person.erased_at is not None:
        return None
    values = skeleton_values(db, case)
    link = db.get(CaseSkeletonLink, case.id)
    if link is None:
        skeleton = CaseSkeleton(id=uuid.uuid4(), **values)
        db.add(skeleton)
        db.add(CaseSkeletonLink(case_id=case.id, skeleton=skeleton))
        return skeleton
    skeleton = link.skeleton
    for name, value in values.items():
        if getattr(skeleton, name) != value:
            setattr(skeleton, name, value)
    return skeleton


def keep_skeleton(case: Case, session: Session, **_extra: Any) -> None:
    """Receiver of ``casework.signals.person_erasing``: the final snapshot of the case's
    skeleton, then its link to the case is deleted (flushes). Later changes to the case
    (whose person is gone) never reach the skeleton again."""
    refresh_skeleton(session, case)
    session.flush()
    session.info.setdefault(FINAL, set()).add(case.id)
    link = session.get(CaseSkeletonLink, case.id)
    if link is not None:
        session.delete(link)
    session.flush()


def missing_skeletons(db: Session) -> list[uuid.UUID]:
    """Ids of the cases of people not erased that have no skeleton yet (made before skeletons
    were kept current, see :func:`fill_missing`)."""
    linked = exists().where(CaseSkeletonLink.case_id == Case.id)
    return list(
        db.scalars(
            select(Case.id)
            .join(Person, Person.id == Case.person_id)
            .where(Person.erased_at.is_(None), ~linked)
            .order_by(Case.id)
        )
    )


def fill_missing(db: Session, everything: bool = False) -> int:
    """Build the skeletons cases lack (with ``everything``, rebuild all); flushes. Returns how
    many cases were built or rebuilt. The migration that added the link cannot build them (it
    would need the person's keys and every package's receivers): this does, from
    ``homeward cases rebuild-skeletons`` and lazily before figures are read."""
    if everything:
        ids = list(
            db.scalars(
                select(Case.id)
                .join(Person, Person.id == Case.person_id)
                .where(Person.erased_at.is_(None))
                .order_by(Case.id)
            )
        )
    else:
        ids = missing_skeletons(db)
    for case_id in ids:
        case = db.get(Case, case_id)
        if case is not None:
            refresh_skeleton(db, case)
        db.flush()
    return len(ids)
