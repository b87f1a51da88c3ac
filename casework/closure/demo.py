"""Demo: one closure request waiting, so supervisor@ finds "Closure approval waiting"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.closure.services import request_closure
from casework.models import Case
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor


def load_demo(session: Session, context: DemoContext) -> None:
    worker = context.objects["users"]["caseworker@demo.homeward.test"]
    cases = session.scalars(
        select(Case).where(Case.assigned_to_id == worker.id).order_by(Case.opened_at)
    ).all()
    if len(cases) < 6:
        return
    actor = Actor(worker.id, Role(worker.role), worker.organisation_id)
    request_closure(
        session,
        actor,
        cases[5],
        "support_period_ended",
        "Twelve months of support completed; she has work and a home.",
    )
    session.flush()


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(25, load_demo)
