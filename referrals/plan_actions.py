"""A completed referral and the plan action it carried out: the caseworker is offered to mark
that action done (casework's own status change does the work, audited there).

Why an offer, not an automatic change: the provider reports on its own service, while the
plan action may ask for more (a check-up *and* its follow-up), and a provider's staff may not
change a case's plan. The caseworker confirms with one click on the referral's page.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case
from casework.planning.models import Plan, PlanAction
from casework.planning.services import set_action_status
from casework.planning.vocabulary import ActionStatus
from core.security import Actor
from referrals.models import Referral
from referrals.services import ReferralConflict, ReferralError
from referrals.vocabulary import ReferralState

#: Statuses after which there is nothing left to mark.
_FINISHED = {ActionStatus.DONE.value, ActionStatus.CANCELLED.value}


def _linked(db: Session, case: Case, referral: Referral) -> tuple[Plan, PlanAction] | None:
    """The case's plan and the action this referral carried out, if any."""
    row = db.execute(
        select(Plan, PlanAction)
        .join(PlanAction, PlanAction.plan_id == Plan.id)
        .where(Plan.case_id == case.id, PlanAction.referral_id == referral.id)
    ).first()
    return None if row is None else (row[0], row[1])


def _open_linked(db: Session, case: Case, referral: Referral) -> tuple[Plan, PlanAction] | None:
    """The plan and action of a completed referral, while the action is still open."""
    if referral.state != ReferralState.COMPLETED.value:
        return None
    linked = _linked(db, case, referral)
    if linked is None or linked[1].status in _FINISHED:
        return None
    return linked


def action_to_mark_done(db: Session, case: Case, referral: Referral) -> PlanAction | None:
    """The open action a completed referral carried out: the one to offer marking done."""
    linked = _open_linked(db, case, referral)
    return None if linked is None else linked[1]


def action_title(action: PlanAction) -> str:
    """The first line of what the action is, short enough for a question."""
    first = (action.description or "").strip().splitlines()
    what = first[0] if first else ""
    return what if len(what) <= 80 else what[:79] + "…"


def mark_action_done(
    db: Session, actor: Actor, case: Case, referral: Referral, seen_status: str
) -> PlanAction:
    """Mark the action done if its status is still the one the caseworker saw.

    Raises ReferralError when there is no open action to mark, ReferralConflict when someone
    changed its status since the page was shown (casework's CaseworkError on a lost race)."""
    linked = _open_linked(db, case, referral)
    if linked is None:
        raise ReferralError("There is no open plan action to mark done for this referral.")
    plan, action = linked
    if action.status != seen_status:
        raise ReferralConflict(
            "Someone else changed this action's status just now; see the current status."
        )
    set_action_status(db, actor, case, plan, action, ActionStatus.DONE)
    return action
