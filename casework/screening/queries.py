"""Screening reads shared with the rest of casework."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case, Person
from casework.screening.models import ReflectionPeriod, Screening, TraffickingStory
from casework.screening.story_services import parse_month
from casework.screening.vocabulary import Majority
from casework.statistics import child_on, codes, days_since, month


def majority_at(person: Person, started: str | None) -> str | None:
    """``child`` or ``adult`` on the first day of the month exploitation started (CTDC
    ``majorityStatusAtExploit``), by the one child-or-adult rule; None when unknown."""
    start = parse_month(started or "")
    if start is None:
        return None
    child = child_on(person.date_of_birth, person.estimated_birth_year, date(*start, 1))
    if child is None:
        return None
    return (Majority.CHILD if child else Majority.ADULT).value


def latest_story(session: Session, case: Case) -> TraffickingStory | None:
    """The case's story in force (no policy: for the skeleton, read at erasure)."""
    return session.scalar(
        select(TraffickingStory)
        .where(TraffickingStory.case_id == case.id)
        .order_by(TraffickingStory.version.desc())
        .limit(1)
    )


def reflection_part(session: Session, case: Case) -> dict[str, Any]:
    """The reflection periods granted to the case and their total length in days.

    Each save of the period is a row and the newest is the one in force: a save that keeps the
    start date restates (lengthens, shortens) the same period, one with another start date
    grants another period. So a period is a start date, its length the days of its newest row.
    """
    rows = session.execute(
        select(ReflectionPeriod.starts_on, ReflectionPeriod.days)
        .where(ReflectionPeriod.case_id == case.id)
        .order_by(ReflectionPeriod.recorded_at, ReflectionPeriod.id)
    ).all()
    periods = {starts_on: days for starts_on, days in rows}
    return {
        "reflection_periods": len(periods),
        "reflection_days": sum(periods.values()),
    }


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Screening's fields of the case's statistical skeleton: latest outcome, codes, month and
    days from registration to the first screening (its ``screened_on``); the story's coarse
    codes; the reflection periods. Types of exploitation and means of control are those of
    whichever was recorded last, the latest screening or the story in force."""
    screenings = list(
        session.scalars(
            select(Screening)
            .where(Screening.case_id == case.id)
            .order_by(Screening.recorded_at, Screening.id)
        )
    )
    story = latest_story(session, case)
    part: dict[str, Any] = {}
    if screenings:
        latest = screenings[-1]
        first_on = min(s.screened_on for s in screenings)
        part = {
            "screening_outcome": latest.outcome,
            "exploitation_types": codes(latest.exploitation_types),
            "means_of_control": codes(latest.means_of_control),
            "screened_month": month(first_on),
            "days_to_screening": days_since(case.opened_at, first_on),
        }
    part.update(reflection_part(session, case))
    if story is not None:
        part["recruiter_relation"] = story.recruiter_relation
        part["exploitation_countries"] = codes(story.exploitation_countries)
        part["exploitation_sectors"] = codes(story.exploitation_sectors)
        part["majority_at_exploitation"] = majority_at(
            case.person, story.exploitation_started_month
        )
        if not screenings or story.recorded_at >= screenings[-1].recorded_at:
            part["exploitation_types"] = codes(story.exploitation_types)
            part["means_of_control"] = codes(story.means_of_control)
    return part
