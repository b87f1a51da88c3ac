"""Moving referrals through their states (making one is :mod:`referrals.sending`). Services
flush only; the request (or the CLI command) commits.

Every transition is one conditional UPDATE (``WHERE state = <the state it was read in>``), so
of two people answering at once exactly one wins and the other gets :class:`ReferralConflict`.
Each records a :class:`ReferralEvent`, an audit event and then sends a signal for
notifications.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from audit import record
from casework.consent.models import LegalBasisRecord
from casework.models import Person
from core.clock import utcnow
from core.exceptions import ConflictError, ServiceError
from core.lists import queries as lists
from core.security import Actor
from core.signals import send_from_app
from referrals.models import Referral, ReferralEvent
from referrals.signals import referral_answered, referral_closed
from referrals.vocabulary import DECLINE_REASONS, OPEN_STATES, TRANSITIONS, ReferralState

LONG = 4000


class ReferralError(ServiceError):
    """A referral change cannot be made; ``field`` names the form field at fault."""


class ReferralConflict(ConflictError, ReferralError):
    """Someone else changed the referral first (answered, cancelled, or it expired)."""


# -- transitions ------------------------------------------------------------------------------

_SIGNALS = {
    ReferralState.ACCEPTED: referral_answered,
    ReferralState.DECLINED: referral_answered,
    ReferralState.COMPLETED: referral_answered,
    ReferralState.NOT_COMPLETED: referral_answered,
    ReferralState.CANCELLED: referral_closed,
    ReferralState.EXPIRED: referral_closed,
}

_FINAL = frozenset(s for s, nexts in TRANSITIONS.items() if not nexts)


def _person_erased(db: Session, referral: Referral) -> bool:
    person = db.get(Person, referral.person_id)
    return person is None or person.erased_at is not None


def _transition(
    db: Session,
    actor: Actor | None,
    referral: Referral,
    to: ReferralState,
    *,
    reason_code: str | None = None,
    values: dict[str, Any] | None = None,
    texts: dict[str, str | None] | None = None,
    condition: Any = None,
) -> ReferralEvent:
    current = ReferralState(referral.state)
    _check_transition(db, referral, current, to, texts)
    now = utcnow()
    _update_state(db, actor, referral, current, to, now, values=values, condition=condition)
    db.refresh(referral)
    for name, text in (texts or {}).items():
        setattr(referral, name, text)
    event = ReferralEvent(
        id=uuid.uuid4(),
        referral_id=referral.id,
        from_state=current.value,
        to_state=to.value,
        actor_id=actor.user_id if actor else None,
        at=now,
        reason_code=reason_code,
    )
    db.add(event)
    db.flush()
    _audit_transition(db, actor, referral, current, to, reason_code, texts)
    send_from_app(_SIGNALS[to], referral=referral, event=event)
    return event


def _check_transition(
    db: Session,
    referral: Referral,
    current: ReferralState,
    to: ReferralState,
    texts: dict[str, str | None] | None,
) -> None:
    """Refuse a move the state machine does not allow, or new text about an erased person."""
    if to not in TRANSITIONS[current]:
        raise ReferralConflict(_refusal(current))
    if texts and any(texts.values()) and _person_erased(db, referral):
        # Nothing can be written under a destroyed key; the referral stays as it is.
        raise ReferralError(
            "The person's data has been erased; this referral can no longer be changed."
        )


def _update_state(
    db: Session,
    actor: Actor | None,
    referral: Referral,
    current: ReferralState,
    to: ReferralState,
    now: datetime,
    *,
    values: dict[str, Any] | None,
    condition: Any,
) -> None:
    """One conditional UPDATE from ``current`` to ``to``; a conflict when another move won."""
    changes: dict[str, Any] = {
        "state": to.value,
        "updated_at": now,
        "version": Referral.__table__.c.version + 1,
        **(values or {}),
    }
    if to in _FINAL:
        changes["closed_at"] = now
        changes["closed_by_id"] = actor.user_id if actor else None
    table = cast(Table, Referral.__table__)
    stmt = update(table).where(table.c.id == referral.id, table.c.state == current.value)
    if condition is not None:
        stmt = stmt.where(condition)
    result = db.execute(stmt.values(**changes))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(referral)
        raise ReferralConflict(
            "Someone else changed this referral just now; see its current state below."
        )


def _audit_transition(
    db: Session,
    actor: Actor | None,
    referral: Referral,
    current: ReferralState,
    to: ReferralState,
    reason_code: str | None,
    texts: dict[str, str | None] | None,
) -> None:
    """Record ``referral.<state>`` with the reason code and which texts were filled in."""
    details: dict[str, Any] = {"from": current.value, "to": to.value}
    if reason_code:
        details["reason_code"] = reason_code
    filled = sorted(name for name, text in (texts or {}).items() if text)
    if filled:
        details["fields"] = filled
    record(
        db,
        f"referral.{to.value}",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        case_id=referral.case_id,
        details=details,
    )


def _refusal(state: ReferralState) -> str:
    if state is ReferralState.SENT:
        return "This referral is waiting for the provider's answer."
    if state is ReferralState.ACCEPTED:
        return "This referral was accepted already."
    return "This referral is closed; nothing more can change."


def _required(text: str | None, message: str, field: str) -> str:
    value = (text or "").strip()
    if not value:
        raise ReferralError(message, field)
    if len(value) > LONG:
        raise ReferralError("Shorten this text.", field)
    return value


def accept(
    db: Session, actor: Actor, referral: Referral, expected_completion: date | None = None
) -> ReferralEvent:
    expire_if_due(db, referral)
    if expected_completion is not None and expected_completion < utcnow().date():
        raise ReferralError("The expected completion cannot be in the past.", "expected_completion")
    return _transition(
        db,
        actor,
        referral,
        ReferralState.ACCEPTED,
        values={
            "answered_at": utcnow(),
            "answered_by_id": actor.user_id,
            "expected_completion": expected_completion,
        },
    )


def decline(
    db: Session, actor: Actor, referral: Referral, reason: str | None, reason_code: str | None
) -> ReferralEvent:
    """Decline for ``reason_code`` (an offered entry of the decline reasons: recorded on the
    event and in the audit, counted by the figures) with ``reason``, the text the referrer
    reads (encrypted, never in the audit)."""
    expire_if_due(db, referral)
    code = reason_code or ""
    if code not in lists.offered(db, DECLINE_REASONS):
        raise ReferralError("Choose the reason you decline from the list.", "reason_code")
    text = _required(reason, "Say why you decline.", "reason")
    return _transition(
        db,
        actor,
        referral,
        ReferralState.DECLINED,
        reason_code=code,
        values={"answered_at": utcnow(), "answered_by_id": actor.user_id},
        texts={"decline_reason": text},
    )


def complete(
    db: Session, actor: Actor, referral: Referral, outcome: str | None, outcome_date: date | None
) -> ReferralEvent:
    text = _required(outcome, "Describe the outcome.", "outcome")
    if outcome_date is None:
        raise ReferralError("Give the date of the outcome.", "outcome_date")
    if outcome_date > utcnow().date():
        raise ReferralError("The date cannot be in the future.", "outcome_date")
    if outcome_date < referral.sent_at.date():
        raise ReferralError("The date cannot be before the referral was sent.", "outcome_date")
    return _transition(
        db,
        actor,
        referral,
        ReferralState.COMPLETED,
        values={"outcome_date": outcome_date},
        texts={"outcome": text},
    )


def not_complete(
    db: Session, actor: Actor, referral: Referral, reason: str | None
) -> ReferralEvent:
    text = _required(reason, "Say why the service was not completed.", "reason")
    return _transition(
        db,
        actor,
        referral,
        ReferralState.NOT_COMPLETED,
        texts={"not_completed_reason": text},
    )


def cancel(
    db: Session,
    actor: Actor,
    referral: Referral,
    reason: str | None,
    reason_code: str = "referrer_cancelled",
) -> ReferralEvent:
    text = _required(reason, "Say why you cancel.", "reason")
    return _transition(
        db,
        actor,
        referral,
        ReferralState.CANCELLED,
        reason_code=reason_code,
        values={"cancelled_by_id": actor.user_id},
        texts={"cancel_reason": text},
    )


# -- expiry -----------------------------------------------------------------------------------


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    return referral.state == ReferralState.SENT.value and referral.respond_by <= (now or utcnow())


def expire_if_due(db: Session, referral: Referral) -> bool:
    """Expire this referral when its deadline has passed unanswered; True when it did."""
    if not is_overdue(referral):
        return False
    try:
        _transition(
            db,
            None,
            referral,
            ReferralState.EXPIRED,
            reason_code="deadline_passed",
            condition=Referral.__table__.c.respond_by <= utcnow(),
        )
    except ReferralConflict:
        return False
    return True


def expire_due(db: Session, organisation_id: uuid.UUID | None = None) -> int:
    """Expire every sent referral past its deadline (optionally of one provider); the count."""
    stmt = select(Referral).where(
        Referral.state == ReferralState.SENT.value, Referral.respond_by <= utcnow()
    )
    if organisation_id is not None:
        stmt = stmt.where(Referral.provider_organisation_id == organisation_id)
    return sum(1 for r in list(db.scalars(stmt)) if expire_if_due(db, r))


def expire_due_for_case(db: Session, case_id: uuid.UUID) -> int:
    stmt = select(Referral).where(
        Referral.case_id == case_id,
        Referral.state == ReferralState.SENT.value,
        Referral.respond_by <= utcnow(),
    )
    return sum(1 for r in list(db.scalars(stmt)) if expire_if_due(db, r))


# -- consent withdrawal -----------------------------------------------------------------------


def cancel_for_withdrawn_basis(
    db: Session, actor: Actor, basis: LegalBasisRecord
) -> list[Referral]:
    """Cancel at once every open referral relying on a withdrawn basis (no text reason: the
    reason code says why, and the withdrawal holds the person's words)."""
    rows = list(
        db.scalars(
            select(Referral).where(
                Referral.legal_basis_id == basis.id,
                Referral.state.in_([s.value for s in OPEN_STATES]),
            )
        )
    )
    cancelled = []
    for referral in rows:
        # An answer may land between reading and cancelling (accepted meanwhile): the
        # withdrawal still wins while the referral is open, so try again from its new state.
        for _attempt in range(len(ReferralState)):
            if ReferralState(referral.state) not in OPEN_STATES:
                break
            try:
                _transition(
                    db,
                    actor,
                    referral,
                    ReferralState.CANCELLED,
                    reason_code="consent_withdrawn",
                    values={"cancelled_by_id": actor.user_id},
                )
            except ReferralConflict:
                continue  # _transition refreshed the referral: look at its state again
            cancelled.append(referral)
            break
    return cancelled
