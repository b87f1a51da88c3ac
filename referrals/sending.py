"""Making a referral: which services and legal bases qualify, the deadline, the checks, and
sending it (the first event of its life; later ones are in :mod:`referrals.services`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session

from audit import record
from auth.models import Organisation, User
from casework.consent.models import LegalBasisRecord
from casework.consent.services import active_legal_bases
from casework.consent.vocabulary import LegalBasis
from casework.models import Case
from casework.planning.models import Plan, PlanAction
from casework.planning.vocabulary import ActionStatus
from casework.services import record_case_view
from core.clock import utcnow
from core.lists import queries as lists
from core.security import Actor
from core.settings_sections import ReferralSettings
from core.signals import send_from_app
from referrals import sharing
from referrals.directory.models import Service
from referrals.directory.vocabulary import SERVICE_TYPES, ServiceStatus, ServiceType
from referrals.models import Referral, ReferralEvent, ReferralReferenceCounter, ReferralSharedField
from referrals.services import LONG, ReferralError
from referrals.signals import referral_sent
from referrals.vocabulary import ReferralState, Urgency


def default_respond_by(
    urgency: Urgency | str, settings: ReferralSettings, now: datetime | None = None
) -> datetime:
    """``now`` plus the hours a provider has to answer at this urgency (a setting)."""
    hours = settings.respond_hours(Urgency(urgency).name)
    return (now or utcnow()) + timedelta(hours=hours)


def consent_types(service: Service) -> list[str]:
    """The kinds of service a basis must cover (one of) for a referral to this service: the
    directory and consent share one list, so these are the service's own kinds."""
    session = object_session(service)
    known = lists.known(session, SERVICE_TYPES) if session is not None else set()
    return sorted(k for k in service.type_codes if k in known) or [ServiceType.OTHER.value]


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
    return bases_allowing(active_legal_bases(db, case), service)


def bases_allowing(bases: list[LegalBasisRecord], service: Service) -> list[LegalBasisRecord]:
    """Those of ``bases`` (in force on a case) that allow a referral to this service."""
    provider = service.organization.organisation_id
    if provider is None:
        return []
    types = consent_types(service)
    found: list[LegalBasisRecord] = []
    for basis in bases:
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


def respond_by_for(
    details: ReferralDetails, settings: ReferralSettings, now: datetime | None = None
) -> datetime:
    """The deadline: the end of the chosen day (UTC), else the default for the urgency."""
    now = now or utcnow()
    if details.respond_by is None:
        return default_respond_by(details.urgency, settings, now)
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


@dataclass(frozen=True)
class Preview:
    """What the provider will see of a referral not sent yet, and its deadline."""

    shared: list[sharing.SharedValue]
    respond_by: datetime


def preview(
    db: Session,
    actor: Actor,
    case: Case,
    service: Service,
    details: ReferralDetails,
    settings: ReferralSettings,
) -> Preview:
    """Check a referral and show it as the provider would see it; the preview shows the
    person's fields themselves, so it is recorded as a view of the case."""
    check_details(db, case, service, details)
    record_case_view(db, actor, case, page="referral_preview")
    return Preview(
        shared=sharing.shared_values(details.fields, case.person, case),
        respond_by=respond_by_for(details, settings),
    )


def send_referral(
    db: Session,
    actor: Actor,
    case: Case,
    service: Service,
    details: ReferralDetails,
    settings: ReferralSettings,
) -> Referral:
    """Send a referral from the case to the service; raises ReferralError naming the field."""
    if actor.organisation_id is None:
        raise ReferralError("Your account belongs to no organisation.")
    basis = check_details(db, case, service, details)
    _recheck_basis_locked(db, basis)
    now = utcnow()
    respond_by = respond_by_for(details, settings, now)
    referral = _new_referral(db, actor, case, service, details, basis, now, respond_by)
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
    _audit_sent(db, actor, case, service, referral, basis, action)
    send_from_app(referral_sent, referral=referral, event=event)
    return referral


def _recheck_basis_locked(db: Session, basis: LegalBasisRecord) -> None:
    """Lock the legal basis and refuse it when it was withdrawn while the details were checked."""
    # Lock the basis (a withdrawal locks it too) and look again: a consent withdrawn while
    # this was checked must not carry the referral.
    db.execute(select(LegalBasisRecord.id).where(LegalBasisRecord.id == basis.id).with_for_update())
    db.refresh(basis)
    if not basis.active:
        raise ReferralError(
            "This legal basis was withdrawn just now. Choose another or record a new one.",
            "legal_basis",
        )


def _new_referral(
    db: Session,
    actor: Actor,
    case: Case,
    service: Service,
    details: ReferralDetails,
    basis: LegalBasisRecord,
    now: datetime,
    respond_by: datetime,
) -> Referral:
    """The referral as sent now, with its reference, deadline and shared fields (not added)."""
    provider_org = service.organization
    assert provider_org.organisation_id is not None  # is_referable checked it
    assert actor.organisation_id is not None  # send_referral checked it
    referring = db.get(Organisation, actor.organisation_id)
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
        respond_by=respond_by,
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
    return referral


def _audit_sent(
    db: Session,
    actor: Actor,
    case: Case,
    service: Service,
    referral: Referral,
    basis: LegalBasisRecord,
    action: PlanAction | None,
) -> None:
    """Record ``referral.sent`` with what was shared, on which basis, with whom."""
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
