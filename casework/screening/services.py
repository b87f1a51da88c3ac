"""Record screenings and reflection periods; the reflection deadlines of a caseload (the
trafficking story's writes are in :mod:`casework.screening.story_services`).

Services flush only; the request commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from audit import record
from casework import policy
from casework.models import Case
from casework.screening.models import ReflectionPeriod, Screening
from casework.screening.vocabulary import (
    DecidingOrganisation,
    ExploitationType,
    IloIndicator,
    MeansOfControl,
    Outcome,
)
from casework.services import CaseworkError
from casework.vocabulary import Stage
from core.clock import utcnow
from core.config import Settings
from core.memo import remembered_rows
from core.security import Actor

#: Council of Europe Convention on Action against Trafficking in Human Beings, Art. 13.
MINIMUM_REFLECTION_DAYS = 30
MAXIMUM_REFLECTION_DAYS = 365
EARLIEST = date(1900, 1, 1)


def reflection_days(configured: int) -> int:
    """The length of the reflection period for the setting HOMEWARD_REFLECTION_PERIOD_DAYS,
    never below the Convention's 30 days."""
    return max(configured, MINIMUM_REFLECTION_DAYS)


@dataclass
class ScreeningDetails:
    screened_on: date
    outcome: Outcome
    deciding_organisation_type: DecidingOrganisation
    indicators: list[IloIndicator] = field(default_factory=list)
    means_of_control: list[MeansOfControl] = field(default_factory=list)
    exploitation_types: list[ExploitationType] = field(default_factory=list)
    notes: str | None = None


def _check_date(value: date, field_name: str) -> None:
    if value > utcnow().date():
        raise CaseworkError("The date cannot be in the future.", field_name)
    if value < EARLIEST:
        raise CaseworkError("Check the year: this date is too far in the past.", field_name)


def record_screening(db: Session, actor: Actor, case: Case, details: ScreeningDetails) -> Screening:
    """Add a screening to the case (a new screening never replaces an earlier one)."""
    _check_date(details.screened_on, "screened_on")
    screening = Screening(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        screened_on=details.screened_on,
        outcome=details.outcome.value,
        deciding_organisation_type=details.deciding_organisation_type.value,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    screening.indicators = sorted({i.value for i in details.indicators})
    screening.means_of_control = sorted({m.value for m in details.means_of_control})
    screening.exploitation_types = sorted({e.value for e in details.exploitation_types})
    screening.notes = (details.notes or "").strip() or None
    db.add(screening)
    db.flush()
    record(
        db,
        "screening.recorded",
        actor=actor,
        object_type="screening",
        object_id=screening.id,
        case_id=case.id,
        # Field names, never values: the log outlives erasure, the outcome must not.
        details={
            "deciding_organisation_type": screening.deciding_organisation_type,
            "fields": sorted(
                [
                    "outcome",
                    *(
                        name
                        for name in (
                            "indicators",
                            "means_of_control",
                            "exploitation_types",
                            "notes",
                        )
                        if getattr(screening, name)
                    ),
                ]
            ),
        },
    )
    return screening


def start_reflection_period(
    db: Session,
    actor: Actor,
    case: Case,
    starts_on: date,
    days: int | None = None,
    *,
    configured_days: int = Settings.REFLECTION_PERIOD_DAYS,
) -> ReflectionPeriod:
    """Start (or restate) the period from the day there were reasonable grounds.

    Raises CaseworkError when the days are fewer than ``configured_days`` (the setting
    HOMEWARD_REFLECTION_PERIOD_DAYS, itself at least 30).
    """
    minimum = reflection_days(configured_days)
    days = minimum if days is None else days
    if days < minimum:
        raise CaseworkError(_l("The period is at least %(days)s days.", days=minimum), "days")
    if days > MAXIMUM_REFLECTION_DAYS:
        raise CaseworkError(
            _l("The period is at most %(days)s days.", days=MAXIMUM_REFLECTION_DAYS), "days"
        )
    _check_date(starts_on, "starts_on")
    period = ReflectionPeriod(
        id=uuid.uuid4(),
        case_id=case.id,
        starts_on=starts_on,
        days=days,
        ends_on=starts_on + timedelta(days=days),
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    db.add(period)
    db.flush()
    record(
        db,
        "reflection_period.started",
        actor=actor,
        object_type="reflection_period",
        object_id=period.id,
        case_id=case.id,
        details={"fields": ["starts_on", "days"], "days": days},
    )
    return period


def screenings(db: Session, case: Case) -> list[Screening]:
    """Every screening of the case, newest first."""
    return list(
        db.scalars(
            select(Screening)
            .where(Screening.case_id == case.id)
            .order_by(Screening.recorded_at.desc(), Screening.id)
        )
    )


def reflection_periods(db: Session, case: Case) -> list[ReflectionPeriod]:
    """Every reflection period of the case, newest (the one in force) first (read once a
    request: the case page and its screening panel both ask)."""
    return remembered_rows(
        db,
        ("reflection_periods", case.id),
        select(ReflectionPeriod)
        .where(ReflectionPeriod.case_id == case.id)
        .order_by(ReflectionPeriod.recorded_at.desc(), ReflectionPeriod.id),
    )


def reflection_passed() -> ColumnElement[bool]:
    """SQL: the case's reflection period in force ended before today (an overdue decision)."""
    newer = aliased(ReflectionPeriod)
    in_force = select(ReflectionPeriod.id).where(
        ReflectionPeriod.case_id == Case.id,
        ReflectionPeriod.ends_on < utcnow().date(),
        ~select(newer.id)
        .where(
            newer.case_id == ReflectionPeriod.case_id,
            newer.recorded_at > ReflectionPeriod.recorded_at,
        )
        .exists(),
    )
    return in_force.exists()


@dataclass(frozen=True)
class ReflectionDeadline:
    case_id: uuid.UUID
    case_number: str
    ends_on: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def reflection_deadlines(
    db: Session, actor: Actor, within_days: int = 14, today: date | None = None
) -> list[ReflectionDeadline]:
    """End dates of reflection periods in force on the actor's open cases: overdue or ending
    within ``within_days``, soonest first (the task list reads this)."""
    today = today or utcnow().date()
    newer = aliased(ReflectionPeriod)
    newest = (
        ~select(newer.id)
        .where(
            newer.case_id == ReflectionPeriod.case_id,
            newer.recorded_at > ReflectionPeriod.recorded_at,
        )
        .exists()
    )
    rows = db.execute(
        select(Case.id, Case.case_number, ReflectionPeriod.ends_on)
        .join(ReflectionPeriod, ReflectionPeriod.case_id == Case.id)
        .where(
            policy.visible_cases(actor),
            Case.stage != Stage.CLOSED.value,
            newest,
            ReflectionPeriod.ends_on <= today + timedelta(days=within_days),
        )
        .order_by(ReflectionPeriod.ends_on, Case.case_number)
    ).all()
    return [
        ReflectionDeadline(case_id, number, ends_on, (ends_on - today).days)
        for case_id, number, ends_on in rows
    ]


def record_history_view(db: Session, actor: Actor, case: Case) -> None:
    record(
        db,
        "screening.viewed",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
