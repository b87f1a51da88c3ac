"""Record needs and vulnerability assessments (append-only; the newest is in force).

The overall risk of an assessment becomes the case's risk level; the first assessment moves
the case identification -> assessment (``casework.stages.advance``). Services flush only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from casework import stages
from casework.models import Case
from casework.planning.models import Assessment
from casework.planning.vocabulary import Dimension
from casework.services import CaseworkError
from casework.vocabulary import RiskLevel, Stage
from core.clock import utcnow
from core.memo import remembered_rows
from core.security import Actor

EARLIEST = date(2000, 1, 1)
TEXT_FIELDS = ("needs", "strengths", "risks")


@dataclass
class DimensionAssessment:
    risk_level: RiskLevel
    needs: str | None = None
    strengths: str | None = None
    risks: str | None = None


@dataclass
class AssessmentDetails:
    assessed_on: date
    overall_risk_level: RiskLevel
    dimensions: dict[Dimension, DimensionAssessment]


def clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def require_open(case: Case) -> None:
    """Raises CaseworkError for a closed case: its assessment and plan are read-only."""
    if not stages.is_open(case):
        raise CaseworkError("The case is closed: reopen it before changing the plan.")


def assessments(db: Session, case: Case) -> list[Assessment]:
    """Every assessment of the case, newest (the one in force) first (read once a request:
    the assessment and plan panels both ask)."""
    return remembered_rows(
        db,
        ("assessments", case.id),
        select(Assessment)
        .where(Assessment.case_id == case.id)
        .order_by(Assessment.recorded_at.desc(), Assessment.id),
    )


def get_assessment(db: Session, case: Case, assessment_id: uuid.UUID) -> Assessment | None:
    found = db.get(Assessment, assessment_id)
    return found if found is not None and found.case_id == case.id else None


def record_assessment(
    db: Session, actor: Actor, case: Case, details: AssessmentDetails
) -> Assessment:
    """Add an assessment (a reassessment never replaces an earlier one); its overall risk
    becomes the case's risk level, and the first one moves the case to the assessment stage."""
    require_open(case)
    _check_details(details)
    assessment, filled = _new_assessment(actor, case, details)
    db.add(assessment)
    previous_risk = case.risk_level
    case.risk_level = assessment.overall_risk_level
    case.updated_at = utcnow()
    db.flush()
    record(
        db,
        "assessment.recorded",
        actor=actor,
        object_type="assessment",
        object_id=assessment.id,
        case_id=case.id,
        # Field names, never values: the log outlives erasure, the risk levels must not.
        details={
            "risk_changed": previous_risk != assessment.overall_risk_level,
            "fields": sorted(
                [*filled, "overall_risk_level", *(f"{d.value}_risk_level" for d in Dimension)]
            ),
        },
    )
    stages.advance(
        db,
        case,
        Stage.ASSESSMENT,
        actor=actor,
        operation="assessment_recorded",
        from_stages={Stage.IDENTIFICATION},
    )
    return assessment


def _check_details(details: AssessmentDetails) -> None:
    """Refuse a date in the future or too far back, and a dimension left unassessed."""
    if details.assessed_on > utcnow().date():
        raise CaseworkError("The date cannot be in the future.", "assessed_on")
    if details.assessed_on < EARLIEST:
        raise CaseworkError("Check the year: this date is too far in the past.", "assessed_on")
    missing = [d for d in Dimension if d not in details.dimensions]
    if missing:
        raise CaseworkError("Assess every dimension.", f"{missing[0].value}_risk_level")


def _new_assessment(
    actor: Actor, case: Case, details: AssessmentDetails
) -> tuple[Assessment, list[str]]:
    """The assessment (not added) and the names of the text fields that were filled in."""
    assessment = Assessment(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        assessed_on=details.assessed_on,
        overall_risk_level=details.overall_risk_level.value,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    filled = []
    for dimension, values in details.dimensions.items():
        setattr(assessment, f"{dimension.value}_risk_level", values.risk_level.value)
        for name in TEXT_FIELDS:
            text = clean(getattr(values, name))
            setattr(assessment, f"{dimension.value}_{name}", text)
            if text:
                filled.append(f"{dimension.value}_{name}")
    return assessment, filled
