"""Record monitoring visits, keep survey versions, and say when the next visit is due.

Services flush only; the request commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from audit import record
from audit.models import AuditEvent
from casework import stages
from casework.models import Case, Person
from casework.monitoring import scoring
from casework.monitoring.models import MonitoringVisit, SurveyVersion
from casework.monitoring.vocabulary import VisitType
from casework.services import CaseworkError
from casework.vocabulary import Stage
from core.clock import utcnow
from core.config import Settings
from core.exceptions import ConflictError
from core.security import Actor

EARLIEST = date(1900, 1, 1)
#: Stages in which follow-up visits are due.
VISITING_STAGES = frozenset({Stage.IMPLEMENTATION, Stage.MONITORING})


class SurveyConflict(ConflictError, CaseworkError):
    """Someone saved a newer survey version since the form was opened."""


# Survey versions -----------------------------------------------------------------------------


def current_survey(db: Session) -> SurveyVersion:
    """The survey version in force (the highest number), writing the default one when none exists.

    Race-safe: two requests that both find none both try to insert number 1; the unique number
    makes one fail inside its savepoint, and that one reads the winner's row.
    """
    found = _latest(db)
    if found is not None:
        return found
    default = SurveyVersion(
        id=uuid.uuid4(),
        number=1,
        definition=scoring.default_definition(),
        official=False,
        created_at=utcnow(),
    )
    try:
        with db.begin_nested():
            db.add(default)
    except IntegrityError:
        found = _latest(db)
        assert found is not None
        return found
    return default


def _latest(db: Session) -> SurveyVersion | None:
    return db.scalar(select(SurveyVersion).order_by(SurveyVersion.number.desc()).limit(1))


def survey_versions(db: Session) -> list[SurveyVersion]:
    """Every survey version, newest first."""
    current_survey(db)
    return list(db.scalars(select(SurveyVersion).order_by(SurveyVersion.number.desc())))


STALE = _l("Someone saved other weights in the meantime. Check them and save again.")


def _current_or_conflict(db: Session, based_on: int) -> SurveyVersion:
    current = current_survey(db)
    if current.number != based_on:
        raise SurveyConflict(STALE)
    return current


def _write_version(
    db: Session,
    actor: Actor,
    current: SurveyVersion,
    definition: scoring.Definition,
    official: bool,
    **details: str,
) -> SurveyVersion:
    version = SurveyVersion(
        id=uuid.uuid4(),
        number=current.number + 1,
        definition=definition,
        official=official,
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    try:
        with db.begin_nested():
            db.add(version)
    except IntegrityError as exc:
        raise SurveyConflict(STALE) from exc
    record(
        db,
        "survey_version.created",
        actor=actor,
        object_type="survey_version",
        object_id=version.id,
        details={"number": version.number, "based_on": current.number, "official": official}
        | details,
    )
    return version


def save_survey_weights(
    db: Session,
    actor: Actor,
    based_on: int,
    indicator_weights: Mapping[str, float],
    dimension_weights: Mapping[str, float],
    official: bool,
) -> SurveyVersion:
    """Write a new survey version with these weights; visits keep the version they used.

    Raises SurveyConflict when ``based_on`` is not the version in force (someone saved in
    between) and CaseworkError when the weights cannot score anything.
    """
    current = _current_or_conflict(db, based_on)
    try:
        definition = scoring.with_weights(current.definition, indicator_weights, dimension_weights)
    except scoring.DefinitionError as exc:
        raise CaseworkError(
            _l("At least one dimension and one of its indicators need a weight above 0."),
            "dimension_economic" if "dimension" in str(exc) else None,
        ) from exc
    return _write_version(db, actor, current, definition, official)


def add_survey_indicator(
    db: Session, actor: Actor, based_on: int, dimension: str, label: str, answers: list[str]
) -> SurveyVersion:
    """Write a new survey version with one more indicator (weight 1, answers spaced evenly
    from 0 to 1). The new version is not official: the weights need calibrating again.

    Raises SurveyConflict for a stale form and CaseworkError for a bad indicator.
    """
    current = _current_or_conflict(db, based_on)
    try:
        definition = scoring.add_indicator(current.definition, dimension, label, answers)
    except scoring.DefinitionError as exc:
        raise CaseworkError(
            _l("Give from 2 to %(n)s answers.", n=scoring.MAX_ANSWERS), "answers"
        ) from exc
    added = definition["indicators"][-1]
    return _write_version(
        db, actor, current, definition, False, added=added["code"], dimension=dimension
    )


def record_survey_view(db: Session, actor: Actor, version: SurveyVersion) -> None:
    record(
        db,
        "survey_version.viewed",
        actor=actor,
        object_type="survey_version",
        object_id=version.id,
        details={"number": version.number},
    )


# Visits --------------------------------------------------------------------------------------


@dataclass
class VisitDetails:
    visited_on: date
    visit_type: VisitType
    answers: dict[str, str] = field(default_factory=dict)
    notes: str | None = None


def record_visit(db: Session, actor: Actor, case: Case, details: VisitDetails) -> MonitoringVisit:
    """Record a visit scored with the survey in force; the first visit of a case in
    implementation moves it to monitoring. Raises CaseworkError for a closed case, a date
    out of range or an answer the survey does not have."""
    _check_visit(case, details)
    survey = current_survey(db)
    try:
        scores = scoring.compute_scores(survey.definition, details.answers)
    except scoring.DefinitionError as exc:
        raise CaseworkError(_l("Choose one of the answers offered.")) from exc
    visit = MonitoringVisit(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        survey_version_id=survey.id,
        visited_on=details.visited_on,
        visit_type=details.visit_type.value,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    visit.answers = dict(details.answers)
    visit.scores = scores
    visit.notes = (details.notes or "").strip() or None
    db.add(visit)
    db.flush()
    record(
        db,
        "monitoring_visit.recorded",
        actor=actor,
        object_type="monitoring_visit",
        object_id=visit.id,
        case_id=case.id,
        details={
            "visit_type": visit.visit_type,
            "survey_version": survey.number,
            "answered": len(details.answers),
            "fields": ["notes"] if visit.notes else [],
        },
    )
    stages.advance(
        db,
        case,
        Stage.MONITORING,
        actor=actor,
        operation="visit_recorded",
        from_stages={Stage.IMPLEMENTATION},
    )
    return visit


def _check_visit(case: Case, details: VisitDetails) -> None:
    """Refuse a visit on a closed case, or dated in the future or too far back."""
    if not stages.is_open(case):
        raise CaseworkError(_l("Visits are recorded on open cases only."))
    if details.visited_on > utcnow().date():
        raise CaseworkError(_l("The date cannot be in the future."), "visited_on")
    if details.visited_on < EARLIEST:
        raise CaseworkError(_l("Check the year: this date is too far in the past."), "visited_on")


def visits(db: Session, case: Case) -> list[MonitoringVisit]:
    """Every visit of the case in date order (oldest first, as the chart draws them)."""
    return list(
        db.scalars(
            select(MonitoringVisit)
            .options(selectinload(MonitoringVisit.survey_version))
            .where(MonitoringVisit.case_id == case.id)
            .order_by(MonitoringVisit.visited_on, MonitoringVisit.recorded_at)
        )
    )


def record_history_view(db: Session, actor: Actor, case: Case) -> None:
    record(
        db,
        "monitoring_visit.viewed",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )


# Follow-up visits due ------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitDue:
    case_id: uuid.UUID
    case_number: str
    due: date


def _last_visit_and_change() -> tuple[Any, Any]:
    """Each case's last visit and last stage change, as subqueries of a query of cases.

    Each max() is grouped by its case: a grouped aggregate is read from the case's own rows
    (by the case_id indexes). Ungrouped, PostgreSQL turns max(x) WHERE case_id = ... into a
    backward walk of the whole index on x, filtering on the case: every visit (and every
    audit event) in the country per case, minutes at a million cases."""
    last_visit = (
        select(func.max(MonitoringVisit.visited_on))
        .where(MonitoringVisit.case_id == Case.id)
        .group_by(MonitoringVisit.case_id)
        .scalar_subquery()
    )
    last_change = (
        select(func.max(AuditEvent.occurred_at))
        .where(AuditEvent.case_id == Case.id, AuditEvent.action == "case.stage_changed")
        .group_by(AuditEvent.case_id)
        .scalar_subquery()
    )
    return last_visit, last_change


def visits_due(
    db: Session,
    actor: Actor,
    within_days: int = 14,
    today: date | None = None,
    interval_days: int = Settings.VISIT_INTERVAL_DAYS,
) -> list[VisitDue]:
    """Follow-up visits due on the open cases assigned to ``actor`` in implementation or
    monitoring: overdue or due within ``within_days``, soonest first.

    Due ``interval_days`` (setting HOMEWARD_VISIT_INTERVAL_DAYS) after the last visit; before
    the first visit, after the case's last stage change (the move into implementation, read
    from the audit log), or after the day it was opened when the log has none.
    """
    today = today or utcnow().date()
    rows = db.execute(
        select(Case.id, Case.case_number, Case.opened_at, *_last_visit_and_change())
        .join(Person, Person.id == Case.person_id)
        .where(
            Case.organisation_id == actor.organisation_id,
            Case.assigned_to_id == actor.user_id,
            Case.stage.in_([s.value for s in VISITING_STAGES]),
            # Nobody visits an erased person's case (its pages answer 410).
            Person.erased_at.is_(None),
        )
    ).all()
    interval = timedelta(days=interval_days)
    found = []
    for case_id, number, opened_at, visited_on, changed_at in rows:
        if visited_on is not None:
            start = visited_on
        else:
            changed = _as_date(changed_at)
            start = changed if changed is not None else opened_at.date()
        due = start + interval
        if due <= today + timedelta(days=within_days):
            found.append(VisitDue(case_id, number, due))
    return sorted(found, key=lambda v: (v.due, v.case_number))


def _as_date(value: object) -> date | None:
    """A max() over a timestamp column comes back as a datetime, or as text on SQLite."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
