"""Demo: Ahmad Rahimi and Farida Nazari recorded as one household (head and spouse)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.households import services
from casework.households.vocabulary import Relationship
from casework.models import Case
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor


def load_demo(session: Session, context: DemoContext) -> None:
    worker = context.objects["users"]["caseworker@demo.homeward.test"]
    cases = session.scalars(
        select(Case).where(Case.assigned_to_id == worker.id).order_by(Case.opened_at)
    ).all()
    if len(cases) < 4:
        return
    actor = Actor(worker.id, Role(worker.role), worker.organisation_id)
    head, spouse = cases[3], cases[0]
    if not all(c.stage != "closed" for c in (head, spouse)):
        return
    services.add_member(
        session, actor, head, spouse, Relationship.SPOUSE, None, 0, own_role=Relationship.HEAD
    )
    session.flush()


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(22, load_demo)
