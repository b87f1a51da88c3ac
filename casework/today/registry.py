"""Extension point: what waits for someone on the Today page beyond the task list.

A Today source is a function ``(session, actor, settings) -> list[Task]``; each package connects
one receiver over its sources to ``casework.signals.today_items_collecting`` in its
``init_app`` (Referrals: answers to read and declined referrals, in ``referrals.today``), so the
Today page shows them without casework importing the package. Items name ids only; the page adds
names and risk itself, for the cases the actor may open.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.signals import today_items_collecting
from casework.tasks import Task
from core.config import Settings
from core.security import Actor
from core.signals import collect


def today_items(db: Session, actor: Actor, settings: Settings) -> list[Task]:
    """Every package's Today items for ``actor`` (not on the task list)."""
    found = collect(today_items_collecting, actor, list, session=db, settings=settings)
    return [item for items in found for item in items]
