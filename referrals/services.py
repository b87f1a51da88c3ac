"""Making referrals and moving them through their states. Services flush only; the request
(or the CLI command) commits.

Every transition is one conditional UPDATE (``WHERE state = <the state it was read in>``), so
of two people answering at once exactly one wins and the other gets :class:`ReferralConflict`.
Each records a :class:`ReferralEvent`, an audit event and then sends a signal for
notifications.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from audit import record
from auth.models import Organisation, User
from casework.consent.dependencies import Dependent
from casework.consent.models import LegalBasisRecord
from casework.consent.services import active_legal_bases
from casework.consent.vocabulary import LegalBasis
from casework.models import Case, Person
from casework.planning.models import Plan, PlanAction
from casework.planning.vocabulary import ActionStatus
from core.clock import utcnow
from core.security import Actor
from referrals import sharing
from referrals.directory.models import Service
from referrals.directory.vocabulary import CONSENT_SERVICE_TYPE, ServiceKind, ServiceStatus
from referrals.models import Referral, ReferralEvent, ReferralReferenceCounter, ReferralSharedField
from referrals.signals import referral_answered, referral_closed, referral_sent
from referrals.vocabulary import OPEN_STATES, TRANSITIONS, ReferralState, Urgency, label

LONG = 4000


class ReferralError(ValueError):
    """A referral change cannot be made; ``field`` names the form field at fault."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class ReferralConflict(ReferralError):
    """Someone else changed the referral first (answered, cancelled, or it expired)."""


# -- making a referral ------------------------------------------------------------------------


def respond_hours(urgency: Urgency | str) -> int:
    return int(current_app.config[f"REFERRAL_RESPOND_HOURS_{Urgency(urgency).name}"])


def default_respond_by(urgency: Urgency | str, now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(hours=respond_hours(urgency))


def consent_types(service: Service) -> list[str]:
    """The consent service types a basis must cover for a referral to this service."""
    kinds = service.type_codes or [ServiceKind.OTHER.value]
    found = []
    for kind in kinds:
        try:
            found.append(CONSENT_SERVICE_TYPE[ServiceKind(kind)].value)
        except ValueError:
            continue
    return sorted(set(found)) or [CONSENT_SERVICE_TYPE[ServiceKind.OTHER].value]


def is_referable(service: Service) -> bool:
    """Active, and listed by an active Homeward provider organisation whose staff can answer."""
    provider = service.organization.provider_organisation
    return (
        service.status == ServiceStatus.ACTIVE.value
        and provider is not None
        and provider.active
        and provider.is_provider
    )


def eligible_bases(db: Session, case: Case, service: Service) -> list[LegalBasisRecord]:
    """Legal bases in force on the case that allow this referral.

    A consent must cover the provider organisation and one of the service's consent types. A
    recorded other basis (vital interest, ...) qualifies when its scope, if it has one, covers
    the same; the referral then needs its own justification.
    """
    provider = service.organization.organisation_id
    if provider is None:
        return []
    types = consent_types(service)
    found: list[LegalBasisRecord] = []
    for basis in active_legal_bases(db, case):
        covered = any(basis.covers(provider, t) for t in types)
        if basis.basis == LegalBasis.CONSENT.value:
            if covered:
                found.append(basis)
        elif covered or not basis.shares:
            found.append(basis)
    return found


def referrer_contact_default(db: Session, actor: Actor) -> str:
    """The sending side's contact for the provider: the referrer's name, organisation, e-mail."""
    user = db.get(User, actor.user_id)
    if user is None:
        return ""
    organisation = db.get(Organisation, user.organisation_id)
    parts = [user.display_name, organisation.name if organisation else "", user.email]
    return ", ".join(p for p in parts if p)[:300]


def next_reference(db: Session) -> str:
    year = utcnow().year
    # The year's row may not exist yet: create it without a race (two first sends of a year
    # would otherwise both insert it), then lock it.
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(ReferralReferenceCounter)
        .values(year=year, last=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    counter = db.scalar(
        select(ReferralReferenceCounter)
        .where(ReferralReferenceCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert counter is not None
    counter.last += 1
    db.flush()
    return f"REF-{year}-{counter.last:06d}"


@dataclass
class ReferralDetails:
    urgency: Urgency
    reason: str
    legal_basis_id: uuid.UUID | None
    justification: str | None = None
    fields: list[str] = field(default_factory=list)
    referrer_contact: str | None = None
    #: A day chosen instead of the default deadline (the answer is due by its end, UTC).
    respond_by: date | None = None
    #: The reintegration plan action this referral carries out (an action of this case's plan).
    plan_action_id: uuid.UUID | None = None


#: The latest day a caseworker may set as the deadline, counted from today.
MAX_RESPOND_DAYS = 90


def respond_by_for(details: ReferralDetails, now: datetime | None = None) -> datetime:
    """The deadline: the end of the chosen day (UTC), else the default for the urgency."""
    now = now or utcnow()
    if details.respond_by is None:
        return default_respond_by(details.urgency, now)
    return datetime.combine(details.respond_by, time(23, 59, 59), tzinfo=UTC)


def plan_actions(db: Session, case: Case) -> list[PlanAction]:
    """The open actions of the case's reintegration plan a referral may carry out."""
    plan = db.scalar(select(Plan).where(Plan.case_id == case.id))
    if plan is None:
        return []
    closed = {ActionStatus.DONE.value, ActionStatus.CANCELLED.value}
    return [a for a in plan.actions if a.status not in closed]


def plan_action(db: Session, case: Case, action_id: uuid.UUID | None) -> PlanAction | None:
    """The action of this case's plan with this id (None when it is not one)."""
    return next((a for a in plan_actions(db, case) if a.id == action_id), None)


def check_details(
    db: Session, case: Case, service: Service, details: ReferralDetails
) -> LegalBasisRecord:
    """Validate a referral before preview or sending; returns the basis it relies on."""
    if not is_referable(service):
        raise ReferralError("This service cannot receive referrals now. Choose another.")
    if not details.reason.strip():
        raise ReferralError("Say why you refer the person.", "reason")
    if len(details.reason) > LONG:
        raise ReferralError("Shorten the reason.", "reason")
    eligible = {b.id: b for b in eligible_bases(db, case, service)}
    if not eligible:
        raise ReferralError(
            "No consent or other legal basis allows sharing with this provider. Record one first.",
            "legal_basis",
        )
    basis = eligible.get(details.legal_basis_id) if details.legal_basis_id else None
    if basis is None:
        raise ReferralError("Choose the legal basis this referral relies on.", "legal_basis")
    if basis.basis != LegalBasis.CONSENT.value and not (details.justification or "").strip():
        raise ReferralError(
            "Write why this basis allows sharing with this provider.", "justification"
        )
    if details.respond_by is not None:
        today = utcnow().date()
        if details.respond_by < today:
            raise ReferralError("The deadline cannot be in the past.", "respond_by")
        if details.respond_by > today + timedelta(days=MAX_RESPOND_DAYS):
            raise ReferralError("Choose a deadline within 90 days.", "respond_by")
    if not details.fields:
        raise ReferralError("Choose at least one field to share.", "fields")
    if details.plan_action_id is not None and plan_action(db, case, details.plan_action_id) is None:
        raise ReferralError("Choose an action of this case's plan, or none.", "plan_action")
    if not set(details.fields) <= set(sharing.CODES):
        raise ReferralError("Choose fields from the list.", "fields")
    return basis


def send_referral(
    db: Session, actor: Actor, case: Case, service: Service, details: ReferralDetails
) -> Referral:
    """Send a referral from the case to the service; raises ReferralError naming the field."""
    if actor.organisation_id is None:
        raise ReferralError("Your account belongs to no organisation.")
    basis = check_details(db, case, service, details)
    # Lock the basis (a withdrawal locks it too) and look again: a consent withdrawn while
    # this was checked must not carry the referral.
    db.execute(select(LegalBasisRecord.id).where(LegalBasisRecord.id == basis.id).with_for_update())
    db.refresh(basis)
    if not basis.active:
        raise ReferralError(
            "This legal basis was withdrawn just now. Choose another or record a new one.",
            "legal_basis",
        )
    provider_org = service.organization
    assert provider_org.organisation_id is not None  # is_referable checked it
    referring = db.get(Organisation, actor.organisation_id)
    now = utcnow()
    is_consent = basis.basis == LegalBasis.CONSENT.value
    referral = Referral(
        id=uuid.uuid4(),
        reference=next_reference(db),
        case_id=case.id,
        person_id=case.person_id,
        service_id=service.id,
        directory_organization_id=provider_org.id,
        provider_organisation_id=provider_org.organisation_id,
        referrer_id=actor.user_id,
        referring_organisation_id=actor.organisation_id,
        urgency=details.urgency.value,
        legal_basis_id=basis.id,
        other_basis=None if is_consent else basis.basis,
        state=ReferralState.SENT.value,
        sent_at=now,
        respond_by=respond_by_for(details, now),
        provider_country=provider_org.country,
        transnational=bool(referring and referring.country != provider_org.country),
        referrer_contact=(details.referrer_contact or "").strip()[:300]
        or referrer_contact_default(db, actor),
        created_at=now,
        updated_at=now,
    )
    referral.reason = details.reason.strip()
    referral.other_justification = None if is_consent else (details.justification or "").strip()
    referral.shared_fields = [
        ReferralSharedField(code=c) for c in sharing.CODES if c in set(details.fields)
    ]
    db.add(referral)
    db.flush()
    action = plan_action(db, case, details.plan_action_id) if details.plan_action_id else None
    if action is not None:
        action.referral_id = referral.id
    event = ReferralEvent(
        id=uuid.uuid4(),
        referral_id=referral.id,
        from_state=None,
        to_state=ReferralState.SENT.value,
        actor_id=actor.user_id,
        at=now,
    )
    db.add(event)
    db.flush()
    record(
        db,
        "referral.sent",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        case_id=case.id,
        details={
            "service_id": str(service.id),
            "provider_organisation_id": str(referral.provider_organisation_id),
            "urgency": referral.urgency,
            "legal_basis_id": str(basis.id),
            "basis": basis.basis,
            "shared_fields": referral.shared_codes,
            "transnational": referral.transnational,
            **({"plan_action_id": str(action.id)} if action is not None else {}),
        },
    )
    referral_sent.send(_app(), referral=referral, event=event)
    return referral


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


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]


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
    if to not in TRANSITIONS[current]:
        raise ReferralConflict(_refusal(current))
    if texts and any(texts.values()) and _person_erased(db, referral):
        # Nothing can be written under a destroyed key; the referral stays as it is.
        raise ReferralError(
            "The person's data has been erased; this referral can no longer be changed."
        )
    now = utcnow()
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
    _SIGNALS[to].send(_app(), referral=referral, event=event)
    return event


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


def decline(db: Session, actor: Actor, referral: Referral, reason: str | None) -> ReferralEvent:
    expire_if_due(db, referral)
    text = _required(reason, "Say why you decline.", "reason")
    return _transition(
        db,
        actor,
        referral,
        ReferralState.DECLINED,
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


def dependents(db: Session, basis: LegalBasisRecord) -> list[Dependent]:
    """Referrals that rely on this legal basis, for the consent panel and withdrawal page."""
    rows = db.scalars(
        select(Referral)
        .where(Referral.legal_basis_id == basis.id)
        .order_by(Referral.sent_at.desc())
    )
    return [
        Dependent(
            kind="referral",
            description=_(
                "Referral %(reference)s (%(state)s)",
                reference=r.reference,
                state=label(r.state, ReferralState),
            ),
            url=url_for("referrals.case_view", referral_id=r.id),
        )
        for r in rows
    ]


# -- reading ----------------------------------------------------------------------------------


def get_referral(db: Session, referral_id: uuid.UUID) -> Referral | None:
    return db.get(Referral, referral_id)


def referrals_of_case(db: Session, case: Case) -> list[Referral]:
    return list(
        db.scalars(
            select(Referral)
            .where(Referral.case_id == case.id)
            .options(selectinload(Referral.service), selectinload(Referral.shared_fields))
            .order_by(Referral.sent_at.desc(), Referral.id)
        )
    )


@dataclass(frozen=True)
class InboxFilters:
    state: str | None = None
    urgency: str | None = None
    overdue: bool = False


def inbox(db: Session, organisation_id: uuid.UUID, filters: InboxFilters) -> list[Referral]:
    """Referrals addressed to a provider organisation, newest first, narrowed by filters."""
    stmt = (
        select(Referral)
        .where(Referral.provider_organisation_id == organisation_id)
        .options(selectinload(Referral.service))
    )
    if filters.state:
        stmt = stmt.where(Referral.state == filters.state)
    if filters.urgency:
        stmt = stmt.where(Referral.urgency == filters.urgency)
    if filters.overdue:
        today = utcnow().date()
        stmt = stmt.where(
            (Referral.state == ReferralState.EXPIRED.value)
            | (
                (Referral.state == ReferralState.ACCEPTED.value)
                & (Referral.expected_completion < today)
            )
        )
    return list(db.scalars(stmt.order_by(Referral.sent_at.desc(), Referral.id).limit(500)))


def counts_by_state(db: Session, organisation_id: uuid.UUID) -> dict[str, int]:
    rows = db.execute(
        select(Referral.state, func.count())
        .where(Referral.provider_organisation_id == organisation_id)
        .group_by(Referral.state)
    )
    found = {state: int(n) for state, n in rows}
    return {s.value: found.get(s.value, 0) for s in ReferralState}


def is_late(referral: Referral, today: date | None = None) -> bool:
    """Overdue marker: answer missed (expired) or an accepted referral past its expected date."""
    today = today or utcnow().date()
    if referral.state == ReferralState.EXPIRED.value:
        return True
    return (
        referral.state == ReferralState.ACCEPTED.value
        and referral.expected_completion is not None
        and referral.expected_completion < today
    )


def record_inbox_view(db: Session, actor: Actor, count: int) -> None:
    record(
        db, "referral.inbox_viewed", actor=actor, object_type="referral", details={"count": count}
    )


def record_view(db: Session, actor: Actor, referral: Referral) -> None:
    """The referrer's side opened the referral (the case's own data, no disclosure)."""
    record(
        db,
        "referral.viewed",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        case_id=referral.case_id,
    )


def record_disclosure(db: Session, actor: Actor, referral: Referral, codes: list[str]) -> None:
    """The provider saw the shared fields: a disclosure, with the field codes shown."""
    record(
        db,
        "referral.disclosed",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        case_id=referral.case_id,
        details={"fields": sorted(codes), "state": referral.state},
    )
