"""Demo trafficking story (development only): recruited through a job offer by a friend, moved
through one country to another and exploited in construction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case
from casework.screening import story_services as services
from casework.screening.vocabulary import (
    BorderCrossing,
    ExploitationSector,
    ExploitationType,
    MeansOfControl,
    RecruiterRelation,
    RecruitmentMethod,
)
from casework.vocabulary import CaseType
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor

STORY = services.StoryDetails(
    recruitment_methods=[RecruitmentMethod.JOB_OFFER],
    recruiter_relation=RecruiterRelation.FRIEND,
    recruited_month="2024-02",
    origin_countries=["AF"],
    transit_countries=["IR"],
    exploitation_countries=["TR"],
    departed_month="2024-03",
    border_crossings=[
        BorderCrossing.REGULAR_OWN_DOCUMENTS,
        BorderCrossing.IRREGULAR_WITHOUT_DOCUMENTS,
    ],
    exploitation_types=[ExploitationType.FORCED_LABOUR],
    exploitation_sectors=[ExploitationSector.CONSTRUCTION],
    exploitation_started_month="2024-04",
    exploitation_ended_month="2025-06",
    means_of_control=[
        MeansOfControl.DEBT_BONDAGE,
        MeansOfControl.WITHHOLDS_DOCUMENTS,
        MeansOfControl.THREATS_TO_FAMILY,
    ],
)


def load_demo(session: Session, context: DemoContext) -> None:
    worker = context.objects["users"]["caseworker@demo.homeward.test"]
    case = session.scalar(
        select(Case)
        .where(Case.assigned_to_id == worker.id, Case.case_type == CaseType.PRESUMED_VICTIM.value)
        .order_by(Case.opened_at)
        .limit(1)
    )
    if case is None:
        return
    actor = Actor(worker.id, Role(worker.role), worker.organisation_id)
    services.record_story(session, actor, case, STORY, based_on=0, legal_basis=False)
    session.flush()


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: a case's trafficking story."""
    return DemoStep(26, load_demo)
