"""Demo: assistance on one case, one disbursement delivered and a business grant waiting, so
supervisor@ finds "Disbursement waiting for approval"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.assistance.services import DisbursementDetails, record_disbursement
from casework.models import Case
from core.clock import utcnow
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor


def load_demo(session: Session, context: DemoContext) -> None:
    worker = context.objects["users"]["caseworker@demo.homeward.test"]
    cases = session.scalars(
        select(Case).where(Case.assigned_to_id == worker.id).order_by(Case.opened_at)
    ).all()
    if not cases:
        return
    settings = context.settings.casework
    actor = Actor(worker.id, Role(worker.role), worker.organisation_id)
    today = utcnow().date()
    currency = settings.assistance_currency
    for kind, amount, days in (("transport", "40", 20), ("business_grant", "900", 3)):
        record_disbursement(
            session,
            actor,
            cases[0],
            DisbursementDetails(
                kind=kind,
                amount=amount,
                currency=currency,
                delivered_on=today - timedelta(days=days),
                delivered_by_id=worker.id,
                note="Demo disbursement.",
            ),
            settings,
        )
    session.flush()


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(27, load_demo)
