"""Demo assessments and plans (development only): two approved plans, one waiting.

Runs after casework's demo and works through the real services, so stages, risk levels and
the audit log are what a caseworker and a supervisor would have produced.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import User
from casework.models import Case
from casework.planning import approval, services
from casework.planning import assessments as assessing
from casework.planning.vocabulary import ActionStatus, Dimension
from casework.vocabulary import RiskLevel, Stage
from core.clock import utcnow
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor

#: Positions in the first caseworker's demo caseload (oldest first) that get a plan; the
#: first case (Farida Nazari) stays at identification for the walkthrough and browser tests.
APPROVED = (5, 10)
WAITING = (15,)

NEEDS = {
    Dimension.ECONOMIC: (
        "No income since the return; debts to the recruiter.",
        "Six years of work as a tailor.",
        "Pressure to migrate again to repay the debt.",
        RiskLevel.HIGH,
    ),
    Dimension.SOCIAL: (
        "Identity card lost; children not enrolled in school.",
        "Lives with a supportive sister.",
        "",
        RiskLevel.MEDIUM,
    ),
    Dimension.PSYCHOSOCIAL: (
        "Sleeps badly; fear of being recognised.",
        "Joined a peer support group.",
        "Isolation if the group stops meeting.",
        RiskLevel.MEDIUM,
    ),
}
ACTIONS = [
    (Dimension.ECONOMIC, "Small-business grant application", None, 20, ActionStatus.IN_PROGRESS),
    (Dimension.ECONOMIC, "Debt counselling session", "Legal aid clinic", -3, ActionStatus.PLANNED),
    (Dimension.SOCIAL, "Replace the identity card", None, 10, ActionStatus.PLANNED),
    (Dimension.PSYCHOSOCIAL, "Weekly counselling", "Psychosocial centre", 45, ActionStatus.PLANNED),
]


def _actor(user: User) -> Actor:
    return Actor(user.id, Role(user.role), user.organisation_id)


def _plan_case(session: Session, case: Case, worker: Actor, boss: Actor | None) -> None:
    today = utcnow().date()
    assessing.record_assessment(
        session,
        worker,
        case,
        assessing.AssessmentDetails(
            assessed_on=today - timedelta(days=5),
            overall_risk_level=RiskLevel.HIGH,
            dimensions={
                d: assessing.DimensionAssessment(risk, needs, strengths, risks)
                for d, (needs, strengths, risks, risk) in NEEDS.items()
            },
        ),
    )
    plan = services.start_plan(session, worker, case)
    for dimension, what, other, days, status in ACTIONS:
        services.add_action(
            session,
            worker,
            case,
            plan,
            services.ActionDetails(
                dimension=dimension,
                description=what,
                due_on=today + timedelta(days=days),
                status=status,
                responsible_user_id=None if other else worker.user_id,
                responsible_other=other,
            ),
        )
    approval.submit_plan(session, worker, case, plan, plan.version)
    if boss is not None:
        approval.decide(
            session, boss, case, plan, approve=True, comment=None, loaded_version=plan.version
        )


def load_demo(session: Session, context: DemoContext) -> None:
    users = context.objects["users"]
    worker_user = users["caseworker@demo.homeward.test"]
    worker = _actor(worker_user)
    boss = _actor(users["supervisor@demo.homeward.test"])
    cases = list(
        session.scalars(
            select(Case).where(Case.assigned_to_id == worker_user.id).order_by(Case.opened_at)
        )
    )
    for position in (*APPROVED, *WAITING):
        if position >= len(cases) or cases[position].stage != Stage.IDENTIFICATION.value:
            continue
        _plan_case(session, cases[position], worker, boss if position in APPROVED else None)
    session.flush()


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(25, load_demo)
