"""Building a case's skeleton: the case's and person's part here; the sub-packages' and
referrals' parts come from the receivers of ``casework.signals.skeleton_collecting``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from casework.models import Case, Person
from casework.signals import skeleton_collecting
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton
from casework.statistics import age_band, month
from core.crypto import SubjectErasedError
from core.signals import collect


def _age_at(person: Person, when_year: int) -> int | None:
    if person.date_of_birth is not None:
        return when_year - person.date_of_birth.year
    if person.estimated_birth_year is not None:
        return when_year - person.estimated_birth_year
    return None


def _person_part(person: Person, case: Case) -> dict[str, Any]:
    age = _age_at(person, case.opened_at.year)
    nationality = person.nationality
    return {
        "sex": person.sex,
        "age_band": age_band(age),
        "child": None if age is None else age < 18,
        "nationality": nationality.upper()[:2] if nationality else None,
    }


def build_skeleton(db: Session, case: Case) -> CaseSkeleton:
    """The skeleton of one case, read while the person's data key still exists."""
    person = db.get(Person, case.person_id)
    if person is None or person.erased_at is not None:
        raise SubjectErasedError("the skeleton is taken before the data key is destroyed")
    values: dict[str, Any] = {
        "organisation_id": case.organisation_id,
        "case_type": case.case_type,
        "vulnerability_codes": case.vulnerability_codes,
        "registered_month": month(case.opened_at),
        "province": case.province_pcode,
        "referral_source": case.referral_source,
        **_person_part(person, case),
    }
    for part in collect(skeleton_collecting, case, dict, session=db):
        values.update({k: v for k, v in part.items() if k in SKELETON_FIELDS})
    return CaseSkeleton(id=uuid.uuid4(), **values)


def keep_skeleton(case: Case, session: Session, **_extra: Any) -> None:
    """Receiver of ``casework.signals.person_erasing``: add the case's skeleton (no flush)."""
    session.add(build_skeleton(session, case))
