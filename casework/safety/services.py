"""Raise, end and mark seen a case flag; write the safety plan. Services flush; requests commit.

Every change is audited with ids and codes only (never a reason or any plan text). Raising a
flag with "tell my supervisor" queues one e-mail per active supervisor of the case's
organisation through the outbox (ids and the case number only) and leaves them a task until
one of them marks the flag seen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import record
from auth.models import User
from casework import stages
from casework.models import Case
from casework.safety import policy
from casework.safety.models import CaseFlag, SafetyPlan, SafetyPlanRevision
from casework.safety.vocabulary import FLAG_KIND
from casework.services import CaseworkError
from core.clock import utcnow
from core.db import flush_or_conflict
from core.exceptions import EditConflict
from core.lists import queries as lists
from core.memo import remembered_rows
from core.outbox.services import enqueue
from core.permissions import Role
from core.security import Actor

#: The outbox template of the e-mail to supervisors.
TEMPLATE = "safety.flag_raised"

MIN_TEXT = 5
MAX_TEXT = 4000
PLAN_FIELDS = ("risks", "measures", "emergency_contacts", "review_on")


def _text(value: str | None, field: str, message: str, *, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text and not required:
        return None
    if len(text) < MIN_TEXT:
        raise CaseworkError(message, field)
    if len(text) > MAX_TEXT:
        raise CaseworkError("Keep it under 4,000 characters.", field)
    return text


def _writable(case: Case) -> None:
    if not stages.is_open(case):
        raise CaseworkError("This case is closed.")
    if case.person.erased_at is not None:
        raise CaseworkError("The person's data has been erased.")


# Flags ------------------------------------------------------------------------------------


def flags(db: Session, case: Case) -> list[CaseFlag]:
    """Every flag of the case, newest first (active, expired and ended; read once a request:
    the case page's banner and its safety panel both ask)."""
    return remembered_rows(
        db,
        ("flags", case.id),
        select(CaseFlag).where(CaseFlag.case_id == case.id).order_by(CaseFlag.raised_at.desc()),
    )


def active_flags(db: Session, case: Case, today: date | None = None) -> list[CaseFlag]:
    day = today or utcnow().date()
    return [flag for flag in flags(db, case) if flag.active_on(day)]


def get_flag(db: Session, case: Case, flag_id: uuid.UUID) -> CaseFlag | None:
    flag = db.get(CaseFlag, flag_id)
    return flag if flag is not None and flag.case_id == case.id else None


def supervisors_to_tell(db: Session, case: Case, actor: Actor) -> list[uuid.UUID]:
    """The active supervisors of the case's organisation, the raiser left out."""
    return list(
        db.scalars(
            select(User.id)
            .where(
                User.organisation_id == case.organisation_id,
                User.role == Role.SUPERVISOR.value,
                User.active.is_(True),
                User.id != actor.user_id,
            )
            .order_by(User.id)
        )
    )


def raise_flag(
    db: Session,
    actor: Actor,
    case: Case,
    kind: str | None,
    reason: str | None,
    expires_on: date | None = None,
    tell_supervisor: bool = False,
) -> CaseFlag:
    """Put a flag on the case (audited); with ``tell_supervisor``, e-mail the supervisors."""
    policy.authorize_change(actor, case)
    _writable(case)
    if not kind or kind not in lists.offered(db, FLAG_KIND):
        raise CaseworkError("Choose a kind of flag from the list.", "kind")
    text = _text(reason, "reason", "Say why the flag is needed (5 characters or more).") or ""
    if expires_on is not None and expires_on < utcnow().date():
        raise CaseworkError("The expiry date cannot be in the past.", "expires_on")
    flag = CaseFlag(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        kind=kind,
        expires_on=expires_on,
        raised_by_id=actor.user_id,
        raised_at=utcnow(),
        tell_supervisor=bool(tell_supervisor),
    )
    flag.reason = text
    db.add(flag)
    db.flush()
    told = 0
    if tell_supervisor:
        params = {"flag_id": flag.id, "case_id": case.id, "reference": case.case_number}
        for user_id in supervisors_to_tell(db, case, actor):
            enqueue(db, TEMPLATE, params, user_id=user_id)
            told += 1
    record(
        db,
        "flag.raised",
        actor=actor,
        object_type="case_flag",
        object_id=flag.id,
        case_id=case.id,
        details={"kind": kind, "expires": expires_on is not None, "supervisors_told": told},
    )
    return flag


def end_flag(db: Session, actor: Actor, case: Case, flag: CaseFlag, reason: str | None) -> CaseFlag:
    """End a flag before its expiry, with the reason why (audited). Of two ends at once the
    second finds it ended already."""
    policy.authorize_change(actor, case)
    _writable(case)
    if not flag.active_on(utcnow().date()):
        raise CaseworkError("This flag is no longer active.")
    text = _text(reason, "end_reason", "Say why the flag ends (5 characters or more).")
    now = utcnow()
    done = db.execute(
        update(CaseFlag)
        .where(CaseFlag.id == flag.id, CaseFlag.ended_at.is_(None))
        .values(ended_at=now, ended_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise CaseworkError("This flag has been ended already.")
    db.refresh(flag)
    flag.end_reason = text
    db.flush()
    record(
        db,
        "flag.ended",
        actor=actor,
        object_type="case_flag",
        object_id=flag.id,
        case_id=case.id,
        details={"kind": flag.kind},
    )
    return flag


def mark_seen(db: Session, actor: Actor, case: Case, flag: CaseFlag) -> None:
    """A supervisor has seen a flag raised for them: its task ends (audited)."""
    policy.authorize_mark_seen(actor, case, flag)
    done = db.execute(
        update(CaseFlag)
        .where(CaseFlag.id == flag.id, CaseFlag.seen_at.is_(None))
        .values(seen_at=utcnow(), seen_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise CaseworkError("A supervisor has marked this flag seen already.")
    db.refresh(flag)
    record(
        db,
        "flag.seen",
        actor=actor,
        object_type="case_flag",
        object_id=flag.id,
        case_id=case.id,
    )


# The safety plan --------------------------------------------------------------------------


@dataclass
class PlanDetails:
    risks: str | None
    measures: str | None
    emergency_contacts: str | None
    review_on: date | None


def get_plan(db: Session, case: Case) -> SafetyPlan | None:
    return db.scalar(select(SafetyPlan).where(SafetyPlan.case_id == case.id))


def plan_values(plan: SafetyPlan | None) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in PLAN_FIELDS} if plan else {}


def revisions(db: Session, plan: SafetyPlan | None) -> list[SafetyPlanRevision]:
    if plan is None:
        return []
    return list(
        db.scalars(
            select(SafetyPlanRevision)
            .where(SafetyPlanRevision.plan_id == plan.id)
            .order_by(SafetyPlanRevision.number.desc())
        )
    )


def _checked(details: PlanDetails) -> dict[str, Any]:
    values = {
        "risks": _text(details.risks, "risks", "Describe the risks (5 characters or more)."),
        "measures": _text(
            details.measures, "measures", "Write the agreed measures (5 characters or more)."
        ),
        "emergency_contacts": _text(
            details.emergency_contacts,
            "emergency_contacts",
            "Write the emergency contacts (5 characters or more), or leave it empty.",
            required=False,
        ),
        "review_on": details.review_on,
    }
    if details.review_on is None:
        raise CaseworkError("Give the date the plan is to be reviewed.", "review_on")
    if details.review_on < utcnow().date():
        raise CaseworkError("The review date cannot be in the past.", "review_on")
    return values


def save_plan(
    db: Session, actor: Actor, case: Case, details: PlanDetails, loaded_version: int
) -> SafetyPlan:
    """Write the safety plan against the version the form was loaded at (0: no plan yet);
    a newer version is refused with :class:`EditConflict` carrying what is stored now. Each
    save leaves a revision; the audit names the changed fields, never their values."""
    policy.authorize_change(actor, case)
    _writable(case)
    plan = get_plan(db, case)
    current_version = plan.version if plan is not None else 0
    if loaded_version != current_version:
        raise EditConflict(plan_values(plan), current_version)
    values = _checked(details)
    if plan is None:
        plan, changed = _first_plan(db, actor, case, values), list(PLAN_FIELDS)
    else:
        changed = [name for name in PLAN_FIELDS if getattr(plan, name) != values[name]]
        if not changed:
            return plan
        _change_plan(db, actor, case, plan, {name: values[name] for name in changed})
    _keep_revision(db, actor, case, plan)
    record(
        db,
        "safety_plan.saved",
        actor=actor,
        object_type="safety_plan",
        object_id=plan.id,
        case_id=case.id,
        details={"version": plan.version, "fields": changed},
    )
    return plan


def _first_plan(db: Session, actor: Actor, case: Case, values: dict[str, Any]) -> SafetyPlan:
    plan = SafetyPlan(id=uuid.uuid4(), case_id=case.id, person_id=case.person_id)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.updated_by_id, plan.updated_at = actor.user_id, utcnow()
    db.add(plan)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:  # the unique case_id: another plan was written meanwhile
        stored = get_plan(db, case)
        raise EditConflict(plan_values(stored), stored.version if stored else 0) from None
    return plan


def _change_plan(
    db: Session, actor: Actor, case: Case, plan: SafetyPlan, changes: dict[str, Any]
) -> None:
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.updated_by_id, plan.updated_at = actor.user_id, utcnow()

    def conflict() -> EditConflict:
        stored = get_plan(db, case)
        return EditConflict(plan_values(stored), stored.version if stored else 0)

    flush_or_conflict(db, conflict)


def _keep_revision(db: Session, actor: Actor, case: Case, plan: SafetyPlan) -> None:
    revision = SafetyPlanRevision(
        id=uuid.uuid4(),
        plan_id=plan.id,
        person_id=case.person_id,
        number=plan.version,
        review_on=plan.review_on,
        saved_by_id=actor.user_id,
        saved_at=plan.updated_at,
    )
    revision.risks, revision.measures = plan.risks, plan.measures
    revision.emergency_contacts = plan.emergency_contacts
    db.add(revision)
    db.flush()
