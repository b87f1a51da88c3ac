"""Screening reads shared with the rest of casework."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case, Person
from casework.screening.models import Screening, TraffickingStory
from casework.screening.story_services import parse_month
from casework.screening.vocabulary import Majority
from casework.statistics import child_on, codes, month


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


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Screening's fields of the case's statistical skeleton: latest outcome, codes, month;
    the story's coarse codes. Types of exploitation and means of control are those of whichever
    was recorded last, the latest screening or the story in force."""
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
        part = {
            "screening_outcome": latest.outcome,
            "exploitation_types": codes(latest.exploitation_types),
            "means_of_control": codes(latest.means_of_control),
            "screened_month": month(min(s.screened_on for s in screenings)),
        }
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
