"""The case's stage: advanced by the work that is done, never edited by hand.

identification -> assessment     the first needs assessment is recorded
assessment     -> planning       a reintegration plan is started
planning       -> implementation the plan is approved by a supervisor
implementation -> monitoring     the first monitoring visit is recorded
any open stage -> closed         a closure is approved by a supervisor
closed         -> assessment     the case is reopened with a reason

Each operation calls :func:`advance` with the stages it may start from; the change is
audited as ``case.stage_changed`` with the operation that caused it.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from audit.services import record
from casework.models import Case
from casework.vocabulary import Stage
from core.clock import utcnow
from core.exceptions import HomewardError, ServiceError
from core.security import Actor

OPEN_STAGES = frozenset(
    {Stage.IDENTIFICATION, Stage.ASSESSMENT, Stage.PLANNING, Stage.IMPLEMENTATION, Stage.MONITORING}
)

#: Every stage change Homeward allows, and the operation that makes it.
TRANSITIONS: dict[tuple[Stage, Stage], str] = {
    (Stage.IDENTIFICATION, Stage.ASSESSMENT): "assessment_recorded",
    (Stage.ASSESSMENT, Stage.PLANNING): "plan_started",
    (Stage.PLANNING, Stage.IMPLEMENTATION): "plan_approved",
    (Stage.IMPLEMENTATION, Stage.MONITORING): "visit_recorded",
    **{(stage, Stage.CLOSED): "closure_approved" for stage in OPEN_STAGES},
    (Stage.CLOSED, Stage.ASSESSMENT): "reopened",
}


class StageError(ServiceError):
    """A stage change that the workflow does not allow."""


class CaseClosedError(HomewardError):
    """An edit of a closed case: closed cases are read-only until they are reopened."""

    def __init__(self, case_id: object) -> None:
        super().__init__("the case is closed")
        self.case_id = case_id


def advance(
    db: Session,
    case: Case,
    to: Stage,
    *,
    actor: Actor | None,
    operation: str,
    from_stages: Collection[Stage] | None = None,
) -> bool:
    """Move ``case`` to ``to`` when it is in one of ``from_stages``; True when it moved.

    ``from_stages`` limits the move to where the operation starts a new stage (recording a
    second assessment in the planning stage moves nothing). A move the table does not allow,
    or an operation that does not match it, raises :class:`StageError`.
    """
    current = Stage(case.stage)
    if from_stages is not None and current not in from_stages:
        return False
    expected = TRANSITIONS.get((current, to))
    if expected is None or expected != operation:
        raise StageError(f"{current.value} -> {to.value} by {operation}")
    case.stage = to.value
    case.updated_at = utcnow()
    record(
        db,
        "case.stage_changed",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"from": current.value, "to": to.value, "operation": operation},
    )
    return True


def is_open(case: Case) -> bool:
    return case.stage != Stage.CLOSED.value
