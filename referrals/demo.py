"""Demo referrals (development only): a consent covering the demo clinic on Farida's case and
four referrals to it: one accepted, one declined (with a reason from the list), one waiting
for an answer, one never answered (overdue);
and on the first case with a plan, a completed referral for its counselling action.

The directory's own demo (order 30) lists the clinic; when it is absent this step adds a
minimal entry for the clinic so the referrals have somewhere to go.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import Organisation, User
from casework.consent.services import LegalBasisDetails, record_legal_basis
from casework.consent.vocabulary import ConsentMethod, GivenBy, LegalBasis, ServiceType
from casework.models import Case
from casework.planning.models import Plan
from core.clock import utcnow
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor
from referrals import sending, services
from referrals.directory.models import DirectoryOrganization, Service, ServiceTypeTerm
from referrals.vocabulary import Urgency


def _clinic_services(session: Session, clinic: Organisation) -> dict[str, Service]:
    """The clinic's referable services by kind, creating a minimal listing when none exists."""
    listing = session.scalar(
        select(DirectoryOrganization).where(DirectoryOrganization.organisation_id == clinic.id)
    )
    if listing is None:
        listing = DirectoryOrganization(
            id=uuid.uuid4(), name=clinic.name, country=clinic.country, organisation_id=clinic.id
        )
        session.add(listing)
        for name, kind in (
            ("Medical check-up on arrival", "health"),
            ("Psychosocial counselling", "mental_health"),
        ):
            service = Service(id=uuid.uuid4(), organization_id=listing.id, name=name)
            service.types = [ServiceTypeTerm(code=kind)]
            session.add(service)
        session.flush()
        session.refresh(listing)
    found: dict[str, Service] = {}
    for service in listing.services:
        if sending.is_referable(service):
            for kind in service.type_codes:
                found.setdefault(kind, service)
    return found


def load_demo(session: Session, context: DemoContext) -> None:
    organisations: dict[str, Organisation] = context.objects.get("organisations", {})
    users: dict[str, User] = context.objects.get("users", {})
    clinic = organisations.get("CLINIC")
    worker = users.get("caseworker@demo.homeward.test")
    staff = users.get("provider@demo.homeward.test")
    if clinic is None or worker is None or staff is None:
        return
    case = session.scalar(
        select(Case)
        .where(Case.assigned_to_id == worker.id)
        .order_by(Case.opened_at, Case.id)
        .limit(1)
    )
    offered = _clinic_services(session, clinic)
    medical, counselling = offered.get("health"), offered.get("mental_health")
    if case is None or medical is None or counselling is None:
        return
    actor = Actor(worker.id, Role(worker.role), worker.organisation_id)
    basis = record_legal_basis(
        session,
        actor,
        case,
        LegalBasisDetails(
            basis=LegalBasis.CONSENT,
            purpose="Referral to the Hope Centre for a medical check-up and counselling",
            given_by=GivenBy.PERSON,
            method=ConsentMethod.WRITTEN,
            given_on=utcnow().date() - timedelta(days=3),
            organisation_ids=[clinic.id],
            service_types=[ServiceType.HEALTH, ServiceType.MENTAL_HEALTH],
        ),
    )
    accepted = sending.send_referral(
        session,
        actor,
        case,
        medical,
        sending.ReferralDetails(
            urgency=Urgency.URGENT,
            reason="Medical check-up after return; reports back pain.",
            legal_basis_id=basis.id,
            fields=["name_latin", "date_of_birth", "sex", "languages", "vulnerabilities"],
        ),
        context.settings.referrals,
    )
    provider = Actor(staff.id, Role(staff.role), staff.organisation_id)
    services.accept(session, provider, accepted, utcnow().date() + timedelta(days=7))
    declined = sending.send_referral(
        session,
        actor,
        case,
        medical,
        sending.ReferralDetails(
            urgency=Urgency.ROUTINE,
            reason="Dental check-up; toothache since the journey.",
            legal_basis_id=basis.id,
            fields=["name_latin", "languages"],
        ),
        context.settings.referrals,
    )
    services.decline(
        session,
        provider,
        declined,
        "We have no dentist at the Hope Centre; the district hospital's clinic can help.",
        "not_offered_here",
    )
    sending.send_referral(
        session,
        actor,
        case,
        counselling,
        sending.ReferralDetails(
            urgency=Urgency.ROUTINE,
            reason="Counselling in Dari if possible; difficult journey.",
            legal_basis_id=basis.id,
            fields=["name_latin", "languages", "phone"],
        ),
        context.settings.referrals,
    )
    # One the clinic never answered: sent ten days ago, past its deadline, so it surfaces as
    # overdue for the caseworker and, escalated, for the supervisor without anyone searching.
    unanswered = sending.send_referral(
        session,
        actor,
        case,
        medical,
        sending.ReferralDetails(
            urgency=Urgency.ROUTINE,
            reason="Follow-up blood tests.",
            legal_basis_id=basis.id,
            fields=["name_latin", "date_of_birth"],
        ),
        context.settings.referrals,
    )
    sent = utcnow() - timedelta(days=10)
    unanswered.sent_at = unanswered.created_at = unanswered.updated_at = sent
    unanswered.respond_by = sent + timedelta(days=5)
    for event in unanswered.events:
        event.at = sent
    session.flush()
    _completed_for_plan_action(session, context, actor, provider, clinic, counselling)


def _completed_for_plan_action(
    session: Session,
    context: DemoContext,
    worker: Actor,
    provider: Actor,
    clinic: Organisation,
    counselling: Service,
) -> None:
    """On the caseworker's first case with a plan: a referral for its counselling action that
    the clinic accepted and completed, so the caseworker is offered to mark the action done."""
    case = session.scalar(
        select(Case)
        .join(Plan, Plan.case_id == Case.id)
        .where(Case.assigned_to_id == worker.user_id)
        .order_by(Case.opened_at, Case.id)
        .limit(1)
    )
    if case is None:
        return
    actions = sending.plan_actions(session, case)
    action = next((a for a in actions if a.description == "Weekly counselling"), None)
    if action is None:
        return
    today = utcnow().date()
    basis = record_legal_basis(
        session,
        worker,
        case,
        LegalBasisDetails(
            basis=LegalBasis.CONSENT,
            purpose="Counselling at the Hope Centre, as the plan says",
            given_by=GivenBy.PERSON,
            method=ConsentMethod.WRITTEN,
            given_on=today - timedelta(days=20),
            organisation_ids=[clinic.id],
            service_types=[ServiceType.MENTAL_HEALTH],
        ),
    )
    referral = sending.send_referral(
        session,
        worker,
        case,
        counselling,
        sending.ReferralDetails(
            urgency=Urgency.ROUTINE,
            reason="Weekly counselling, as agreed in the plan.",
            legal_basis_id=basis.id,
            fields=["name_latin", "languages", "phone"],
            plan_action_id=action.id,
        ),
        context.settings.referrals,
    )
    services.accept(session, provider, referral, today + timedelta(days=14))
    services.complete(session, provider, referral, "Eight sessions attended.", today)


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(40, load_demo)
