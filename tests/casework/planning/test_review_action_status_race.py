"""Review: an action's status changes by compare-and-set, like the other workflow states.

``set_action_status`` read the status, then wrote the new one with a plain UPDATE: two
people reporting progress at once both succeeded, and the audit log said both moved the
action from the same status (one of them to a status it no longer had). The write is now
conditional on the status that was read; the loser changes nothing and is told.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from audit.models import AuditEvent
from casework.planning import services
from casework.planning.models import Plan, PlanAction
from casework.planning.vocabulary import ActionStatus
from casework.services import CaseworkError
from core.permissions import Role
from core.security import Actor
from tests.casework.planning_helpers import case_of, planned_case


def test_a_status_change_made_meanwhile_wins_and_the_later_one_is_refused(
    app, db_session, client, farida, caseworker, request_ctx
):
    planned_case(client, farida)
    case = case_of(db_session, farida)
    actor = Actor(caseworker.user.id, Role.CASEWORKER, case.organisation_id)
    plan = db_session.scalar(select(Plan).where(Plan.case_id == case.id))
    action = db_session.scalar(select(PlanAction).where(PlanAction.plan_id == plan.id))
    assert action.status == ActionStatus.PLANNED.value
    # Another request reports progress after this one read the action (its copy is stale).
    table = PlanAction.__table__
    db_session.execute(update(table).where(table.c.id == action.id).values(status="done"))
    with pytest.raises(CaseworkError):
        services.set_action_status(db_session, actor, case, plan, action, ActionStatus.CANCELLED)
    db_session.expire_all()
    assert db_session.get(PlanAction, action.id).status == ActionStatus.DONE.value
    changes = db_session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "plan.action_status_changed")
    )
    assert changes == 0
