"""Demo monitoring visits (development only): one case in monitoring with three visits that
show the person's reintegration improving."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case
from casework.monitoring import services
from casework.monitoring.vocabulary import VisitType
from casework.vocabulary import Stage
from core.clock import utcnow
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor

#: (days ago, type, answers): from hardship to a steadier life.
VISITS = [
    (
        150,
        VisitType.OFFICE,
        {
            "income": "none",
            "employment": "none",
            "debt": "unmanageable",
            "food_security": "sometimes_short",
            "housing": "temporary",
            "access_to_services": "some",
            "documents": "none",
            "social_participation": "never",
            "social_network": "few",
            "discrimination": "sometimes",
            "psychosocial_distress": "often",
            "safety": "partly",
            "wish_to_migrate": "considering",
        },
    ),
    (
        75,
        VisitType.HOME,
        {
            "income": "irregular",
            "employment": "occasional",
            "debt": "repaying",
            "food_security": "sometimes_short",
            "housing": "temporary",
            "access_to_services": "some",
            "documents": "some",
            "social_participation": "sometimes",
            "social_network": "few",
            "discrimination": "sometimes",
            "psychosocial_distress": "sometimes",
            "safety": "safe",
            "wish_to_migrate": "considering",
        },
    ),
    (
        10,
        VisitType.PHONE,
        {
            "income": "sufficient",
            "employment": "stable",
            "debt": "repaying",
            "food_security": "enough",
            "housing": "stable",
            "access_to_services": "all",
            "documents": "all",
            "social_participation": "sometimes",
            "social_network": "several",
            "discrimination": "never",
            "psychosocial_distress": "rarely",
            "safety": "safe",
            "wish_to_migrate": "staying",
        },
    ),
]


def load_demo(session: Session, context: DemoContext) -> None:
    worker = context.objects["users"]["caseworker@demo.homeward.test"]
    case = session.scalar(
        select(Case)
        .where(Case.assigned_to_id == worker.id, Case.stage == Stage.MONITORING.value)
        .order_by(Case.opened_at)
        .limit(1)
    )
    if case is None:
        return
    actor = Actor(worker.id, Role(worker.role), worker.organisation_id)
    today = utcnow().date()
    for days_ago, visit_type, answers in VISITS:
        services.record_visit(
            session,
            actor,
            case,
            services.VisitDetails(today - timedelta(days=days_ago), visit_type, answers),
        )
    session.flush()


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(25, load_demo)
