"""Record screenings, trafficking stories and reflection periods; the reflection deadlines of a
caseload.

Services flush only; the request commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from audit import record
from casework import policy
from casework.models import Case
from casework.screening import policy as story_policy
from casework.screening.models import ReflectionPeriod, Screening, TraffickingStory
from casework.screening.vocabulary import (
    BorderCrossing,
    Cooperation,
    DecidingOrganisation,
    ExploitationSector,
    ExploitationType,
    IloIndicator,
    MeansOfControl,
    Outcome,
    RecruiterRelation,
    RecruitmentMethod,
)
from casework.services import CaseworkError
from casework.vocabulary import Stage
from core.clock import utcnow
from core.config import Settings
from core.exceptions import ConflictError
from core.i18n.names import is_country
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
    """Every reflection period of the case, newest (the one in force) first."""
    return list(
        db.scalars(
            select(ReflectionPeriod)
            .where(ReflectionPeriod.case_id == case.id)
            .order_by(ReflectionPeriod.recorded_at.desc(), ReflectionPeriod.id)
        )
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


# -- the trafficking story -------------------------------------------------------------------

#: The longest exploitation a story records, in months (a lifetime).
MAXIMUM_EXPLOITATION_MONTHS = 1200


class StoryConflict(ConflictError, CaseworkError):
    """Someone recorded a newer version of the story since the form was loaded."""


@dataclass
class StoryDetails:
    """One version of the trafficking story, as codes, ISO 3166 alpha-2 countries and months
    (``YYYY-MM``)."""

    recruitment_methods: list[RecruitmentMethod] = field(default_factory=list)
    recruiter_relation: RecruiterRelation | None = None
    recruited_month: str | None = None
    origin_countries: list[str] = field(default_factory=list)
    transit_countries: list[str] = field(default_factory=list)
    exploitation_countries: list[str] = field(default_factory=list)
    departed_month: str | None = None
    border_crossings: list[BorderCrossing] = field(default_factory=list)
    exploitation_types: list[ExploitationType] = field(default_factory=list)
    exploitation_sectors: list[ExploitationSector] = field(default_factory=list)
    exploitation_started_month: str | None = None
    exploitation_ended_month: str | None = None
    exploitation_months: int | None = None
    means_of_control: list[MeansOfControl] = field(default_factory=list)
    cooperation: Cooperation | None = None


#: The story's fields in the order the page shows them (the audit names the filled ones).
STORY_FIELDS = tuple(StoryDetails.__dataclass_fields__)
MONTH_FIELDS = (
    "recruited_month",
    "departed_month",
    "exploitation_started_month",
    "exploitation_ended_month",
)
COUNTRY_FIELDS = ("origin_countries", "transit_countries", "exploitation_countries")


def parse_month(value: str) -> tuple[int, int] | None:
    """(year, month) of a ``YYYY-MM`` text, or None when it is not one."""
    if len(value) != 7 or value[4] != "-" or not (value[:4] + value[5:]).isdigit():
        return None
    if not value.isascii():
        return None
    year, month_ = int(value[:4]), int(value[5:])
    return (year, month_) if 1 <= month_ <= 12 else None


def months_between(first: str, last: str) -> int:
    """Months from ``first`` to ``last`` counting both (2025-01 to 2025-03 is 3)."""
    (y1, m1), (y2, m2) = parse_month(first) or (0, 0), parse_month(last) or (0, 0)
    return (y2 * 12 + m2) - (y1 * 12 + m1) + 1


def _check_story(details: StoryDetails) -> None:
    today = utcnow().date()
    for name in MONTH_FIELDS:
        value = getattr(details, name)
        if value is None:
            continue
        parsed = parse_month(value)
        if parsed is None:
            raise CaseworkError(_l("Give the month as YYYY-MM, for example 2024-03."), name)
        if parsed < (EARLIEST.year, 1):
            raise CaseworkError(_l("Check the year: this month is too far in the past."), name)
        if parsed > (today.year, today.month):
            raise CaseworkError(_l("The month cannot be in the future."), name)
    started, ended = details.exploitation_started_month, details.exploitation_ended_month
    if started and ended and ended < started:
        raise CaseworkError(
            _l("The exploitation cannot end before it started."), "exploitation_ended_month"
        )
    for name in COUNTRY_FIELDS:
        if any(not (is_country(c) and c.isalpha() and c.isupper()) for c in getattr(details, name)):
            raise CaseworkError(_l("Choose a country from the list."), name)
    months = details.exploitation_months
    if months is not None and not 0 <= months <= MAXIMUM_EXPLOITATION_MONTHS:
        raise CaseworkError(
            _l(
                "Give a number of months between 0 and %(most)s.",
                most=MAXIMUM_EXPLOITATION_MONTHS,
            ),
            "exploitation_months",
        )


def current_version(db: Session, case: Case) -> int:
    """The version number of the case's story in force (0 when none was recorded)."""
    return int(
        db.scalar(
            select(func.coalesce(func.max(TraffickingStory.version), 0)).where(
                TraffickingStory.case_id == case.id
            )
        )
        or 0
    )


def record_story(
    db: Session,
    actor: Actor,
    case: Case,
    details: StoryDetails,
    *,
    based_on: int,
    legal_basis: bool,
) -> TraffickingStory:
    """Add version ``based_on + 1`` of the case's trafficking story (earlier ones stay).

    ``based_on`` is the version the form was loaded with: when someone recorded another since,
    raises :class:`StoryConflict`. Cooperation with law enforcement is refused unless
    ``legal_basis`` (a legal basis is in force for the case, as ``legal_basis_asking``
    answers); a version recorded without one holds no cooperation.
    """
    if details.cooperation is not None and not story_policy.may_record_cooperation(legal_basis):
        raise CaseworkError(
            _l("Cooperation with law enforcement is recorded only with a legal basis."),
            "cooperation",
        )
    _check_story(details)
    if current_version(db, case) != based_on:
        raise StoryConflict(
            _l("Someone recorded a newer version of the story. Check it and save again."),
            None,
        )
    months = details.exploitation_months
    started, ended = details.exploitation_started_month, details.exploitation_ended_month
    if months is None and started and ended:
        months = months_between(started, ended)
    story = TraffickingStory(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        version=based_on + 1,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    story.recruitment_methods = sorted({m.value for m in details.recruitment_methods})
    relation, cooperation = details.recruiter_relation, details.cooperation
    story.recruiter_relation = relation.value if relation is not None else None
    story.recruited_month = details.recruited_month
    story.origin_countries = sorted(set(details.origin_countries))
    story.transit_countries = sorted(set(details.transit_countries))
    story.exploitation_countries = sorted(set(details.exploitation_countries))
    story.departed_month = details.departed_month
    story.border_crossings = sorted({b.value for b in details.border_crossings})
    story.exploitation_types = sorted({e.value for e in details.exploitation_types})
    story.exploitation_sectors = sorted({e.value for e in details.exploitation_sectors})
    story.exploitation_started_month = started
    story.exploitation_ended_month = ended
    story.exploitation_months = months
    story.means_of_control = sorted({m.value for m in details.means_of_control})
    story.cooperation = cooperation.value if cooperation is not None else None
    try:
        with db.begin_nested():
            db.add(story)
            db.flush()
    except IntegrityError as exc:  # another save of the same version won the race
        raise StoryConflict(
            _l("Someone recorded a newer version of the story. Check it and save again."),
            None,
        ) from exc
    record(
        db,
        "trafficking_story.recorded",
        actor=actor,
        object_type="trafficking_story",
        object_id=story.id,
        case_id=case.id,
        # Field names, never values (the cooperation least of all).
        details={
            "version": story.version,
            "fields": [name for name in STORY_FIELDS if getattr(story, name) not in (None, [])],
        },
    )
    return story


def stories(db: Session, actor: Actor, case: Case) -> list[TraffickingStory]:
    """Every version of the case's story the actor may see, newest (in force) first."""
    return list(
        db.scalars(
            select(TraffickingStory)
            .where(TraffickingStory.case_id == case.id, story_policy.visible_stories(actor))
            .order_by(TraffickingStory.version.desc())
        )
    )


def record_story_view(db: Session, actor: Actor, case: Case, story: TraffickingStory | None) -> None:
    record(
        db,
        "trafficking_story.viewed",
        actor=actor,
        object_type="trafficking_story" if story is not None else "case",
        object_id=story.id if story is not None else case.id,
        case_id=case.id,
    )
