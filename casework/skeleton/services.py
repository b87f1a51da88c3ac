"""Building a case's skeleton: the case's and person's part here; the sub-packages' and
referrals' parts come from the receivers of ``casework.signals.skeleton_collecting``.

:func:`refresh_skeleton` writes the one skeleton of a case (creating it and its link the first
time); :mod:`casework.skeleton.tracking` calls it after every flush that touched the case.
:func:`keep_skeleton` takes the final snapshot when the person is erased and deletes the link.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from casework.models import Case, CaseTransfer, Person
from casework.signals import skeleton_collecting
from casework.skeleton.derived import derived_columns
from casework.skeleton.models import (
    CODE_FIELDS,
    COPIED_COLUMNS,
    SKELETON_DETAILS,
    SKELETON_FIELDS,
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonLink,
    CaseSkeletonReferral,
    CaseSkeletonScore,
)
from casework.statistics import age_band, month, quarters_since
from casework.vocabulary import CaseType, Sex
from core.clock import utcnow
from core.crypto import SubjectErasedError
from core.db import Base
from core.signals import collect

#: ``session.info`` key: ids of cases whose skeleton is final (their person is being erased),
#: each with the transaction (or savepoint) that took the final snapshot: a rollback of it
#: forgets the case as final (``casework.skeleton.tracking``), as does the transaction's end.
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


#: Case types whose ``event_date`` ("date of return or identification") is the return.
RETURN_TYPES = frozenset({CaseType.RETURNEE.value, CaseType.RETURNEE_AND_VICTIM.value})


def returned_month(case: Case) -> str | None:
    """``YYYY-MM`` of the person's return: the case's date of return or identification
    (``Case.event_date``) when the case is a return (returnee, or returnee and victim); for
    the other case types that date is the identification, so no return is recorded (None)."""
    if case.case_type not in RETURN_TYPES:
        return None
    return month(case.event_date)


def _case_part(db: Session, case: Case) -> dict[str, Any]:
    """The case's own fields: its codes and months, and its accepted transfers (casework's
    own table, no sub-package owns it)."""
    transfers = db.scalar(
        select(func.count())
        .select_from(CaseTransfer)
        .where(CaseTransfer.case_id == case.id, CaseTransfer.status == "accepted")
    )
    return {
        "organisation_id": case.organisation_id,
        "case_type": case.case_type,
        "vulnerability_codes": case.vulnerability_codes,
        "registered_month": month(case.opened_at),
        "returned_month": returned_month(case),
        "province": case.province_pcode,
        "referral_source": case.referral_source,
        "transfers": int(transfers or 0),
    }


def _codes(values: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per code of the multi-valued coded columns (:data:`CODE_FIELDS`)."""
    rows = []
    for column, field in CODE_FIELDS.items():
        found = values.get(column)
        for code in sorted({c for c in found or () if isinstance(c, str) and c}):
            rows.append({"field": field, "code": code})
    return rows


def _scores(values: dict[str, Any], facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The score rows with their quarter counted from the return (else the registration)."""
    start = values.get("returned_month") or values.get("registered_month")
    return [
        {
            **fact,
            "quarter_since_return": quarters_since(start, fact["period"]) if start else None,
        }
        for fact in facts
    ]


def skeleton_values(db: Session, case: Case) -> dict[str, Any]:
    """Every field of SKELETON_FIELDS for one case (None where nothing is known yet), and
    the values of :data:`SKELETON_DETAILS` (lists of the detail rows, empty when none)."""
    person = db.get(Person, case.person_id)
    if person is None or person.erased_at is not None:
        raise SubjectErasedError("the skeleton is taken before the data key is destroyed")
    values: dict[str, Any] = dict.fromkeys(SKELETON_FIELDS)
    values.update({key: [] for key in SKELETON_DETAILS})
    values.update({**_case_part(db, case), **_person_part(person, case)})
    for part in collect(skeleton_collecting, case, dict, session=db):
        values.update({k: v for k, v in part.items() if k in SKELETON_FIELDS + SKELETON_DETAILS})
    values["codes"] = _codes(values)
    values["score_facts"] = _scores(values, values["score_facts"] or [])
    values["referral_facts"] = values["referral_facts"] or []
    values["action_facts"] = values["action_facts"] or []
    return values


#: Detail key -> (model, the columns of its primary key besides ``skeleton_id``).
DETAIL_MODELS: dict[str, tuple[type[Base], tuple[str, ...]]] = {
    "codes": (CaseSkeletonCode, ("field", "code")),
    "referral_facts": (CaseSkeletonReferral, ("ordinal",)),
    "score_facts": (CaseSkeletonScore, ("period", "dimension")),
    "action_facts": (CaseSkeletonAction, ("ordinal",)),
}


def _columns(model: type[Base]) -> list[str]:
    """The columns the builder writes: every one but the skeleton's id, the values derived
    from the other rows (:mod:`casework.skeleton.derived`) and the copies of the skeleton's
    month and organisation the database keeps (:class:`SkeletonCopies`)."""
    kept = ("skeleton_id", *derived_columns(model), *COPIED_COLUMNS)
    return [c.key for c in model.__table__.columns if c.key not in kept]


def _write_details(
    db: Session, skeleton_id: Any, values: dict[str, Any], *, new: bool = False
) -> None:
    """Bring the skeleton's detail rows to ``values``: by primary key, add the rows that are
    missing, change the values of those that differ, delete those no longer there; a row
    that did not change is not written."""
    for key, (model, keys) in DETAIL_MODELS.items():
        columns = _columns(model)
        wanted = {
            tuple(row[k] for k in keys): {c: row.get(c) for c in columns}
            for row in values.get(key) or ()
        }
        existing: dict[tuple[Any, ...], Any] = {}
        if not new:
            for row in db.scalars(
                select(model).where(model.skeleton_id == skeleton_id)  # type: ignore[attr-defined]
            ):
                existing[tuple(getattr(row, k) for k in keys)] = row
        for pk, row in existing.items():
            if pk not in wanted:
                db.delete(row)
        for pk, data in wanted.items():
            current = existing.get(pk)
            if current is None:
                db.add(model(skeleton_id=skeleton_id, **data))
                continue
            for name, value in data.items():
                if getattr(current, name) != value:
                    setattr(current, name, value)


def refresh_skeleton(
    db: Session, case: Case, *, erased_month: str | None = None
) -> CaseSkeleton | None:
    """Bring the case's one skeleton up to date (no flush); None when its person is erased.

    A field, or a detail row, is written only when its value changed, so an unchanged case
    costs no UPDATE (nor INSERT or DELETE). ``erased_month`` is given by the final snapshot.
    """
    if case.id in db.info.get(FINAL, ()):
        return None
    person = db.get(Person, case.person_id)
    if person is None or person.erased_at is not None:
        return None
    values = skeleton_values(db, case)
    if erased_month is not None:
        values["erased_month"] = erased_month
    fields = {name: values[name] for name in SKELETON_FIELDS}
    link = db.get(CaseSkeletonLink, case.id)
    if link is None:
        skeleton = CaseSkeleton(id=uuid.uuid4(), **fields)
        db.add(skeleton)
        db.add(CaseSkeletonLink(case_id=case.id, skeleton=skeleton))
        _write_details(db, skeleton.id, values, new=True)
        return skeleton
    skeleton = link.skeleton
    for name, value in fields.items():
        if getattr(skeleton, name) != value:
            setattr(skeleton, name, value)
    _write_details(db, skeleton.id, values)
    return skeleton


def keep_skeleton(case: Case, session: Session, **_extra: Any) -> None:
    """Receiver of ``casework.signals.person_erasing``: the final snapshot of the case's
    skeleton, then its link to the case is deleted (flushes). Later changes to the case
    (whose person is gone) never reach the skeleton again. The snapshot records the month of
    the erasure (``erased_month``); its detail rows stay, only the link goes."""
    refresh_skeleton(session, case, erased_month=month(utcnow()))
    session.flush()
    taken_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(FINAL, {})[case.id] = taken_in
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
