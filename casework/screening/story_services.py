"""Record the trafficking story of a case (append-only versions); read its versions.

Services flush only; the request commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import record
from casework.models import Case
from casework.screening import policy as story_policy
from casework.screening.models import TraffickingStory
from casework.screening.services import EARLIEST
from casework.screening.vocabulary import (
    BorderCrossing,
    Cooperation,
    ExploitationSector,
    ExploitationType,
    MeansOfControl,
    RecruiterRelation,
    RecruitmentMethod,
)
from casework.services import CaseworkError
from core.clock import utcnow
from core.exceptions import ConflictError
from core.i18n.names import is_country
from core.security import Actor

#: The longest exploitation a story records, in months (a lifetime).
MAXIMUM_EXPLOITATION_MONTHS = 1200


class StoryConflict(ConflictError, CaseworkError):
    """Someone recorded a newer version of the story since the form was loaded."""

    def __init__(self) -> None:
        super().__init__(
            _l("Someone recorded a newer version of the story. Check it and save again."), None
        )


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


def _check_story(details: StoryDetails, legal_basis: bool) -> None:
    if details.cooperation is not None and not story_policy.may_record_cooperation(legal_basis):
        raise CaseworkError(
            _l("Cooperation with law enforcement is recorded only with a legal basis."),
            "cooperation",
        )
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


def _fill(story: TraffickingStory, details: StoryDetails) -> None:
    """Write the details into the (encrypted) fields: codes as values, lists sorted and unique,
    the duration counted from the months when it was not given."""
    months = details.exploitation_months
    started, ended = details.exploitation_started_month, details.exploitation_ended_month
    if months is None and started and ended:
        months = months_between(started, ended)
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
    _check_story(details, legal_basis)
    if current_version(db, case) != based_on:
        raise StoryConflict()
    story = TraffickingStory(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        version=based_on + 1,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    _fill(story, details)
    try:
        with db.begin_nested():
            db.add(story)
            db.flush()
    except IntegrityError as exc:  # another save of the same version won the race
        raise StoryConflict() from exc
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


def stories(
    db: Session, actor: Actor, case: Case, *, granted: bool = False
) -> list[TraffickingStory]:
    """Every version of the case's story the actor may see, newest (in force) first
    (``granted``: the case was opened under an emergency grant)."""
    visible = story_policy.visible_stories(actor, case.id if granted else None)
    return list(
        db.scalars(
            select(TraffickingStory)
            .where(TraffickingStory.case_id == case.id, visible)
            .order_by(TraffickingStory.version.desc())
        )
    )


def record_story_view(
    db: Session,
    actor: Actor,
    case: Case,
    story: TraffickingStory | None,
    emergency_grant: object | None = None,
) -> None:
    """Audit the story page; read under an emergency grant, the event names the grant (as
    ``case.viewed`` does), so the auditor sees what the grant was used for."""
    grant = getattr(emergency_grant, "id", None)
    record(
        db,
        "trafficking_story.viewed",
        actor=actor,
        object_type="trafficking_story" if story is not None else "case",
        object_id=story.id if story is not None else case.id,
        case_id=case.id,
        details={"emergency_grant": str(grant)} if grant else None,
    )
