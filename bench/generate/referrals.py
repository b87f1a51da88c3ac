"""A generated referral: sent to one of the providers' services under the case's consent, in
one of the states a referral ends up in, with the events of its transitions and the shared
fields."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .rows import Row
from .tables import DECLINE_REASONS, NOT_COMPLETED_REASONS, REFERRAL_STATES, seeded_uuid, weighted

if TYPE_CHECKING:
    from .cases import Builder


def sending(b: Builder, state: str, sent: datetime) -> tuple[datetime, datetime]:
    """When the referral was sent and its deadline: a referral still waiting was sent this
    week; an expired one's deadline has passed."""
    respond_by = sent + timedelta(days=7)
    if state == "sent" and respond_by < b.now:
        sent = b.now - timedelta(days=b.rng.randrange(0, 6))
    elif state == "expired" and respond_by > b.now:
        sent = b.now - timedelta(days=b.rng.randrange(8, 30))
    return sent, sent + timedelta(days=7)


def referral(
    b: Builder,
    case: Any,
    worker: uuid.UUID,
    consent_id: uuid.UUID,
    sent: datetime,
    later: datetime,
) -> None:
    from referrals.models import Referral, ReferralSharedField

    rng = b.rng
    provider = rng.choice(b.ref.providers)
    state = weighted(rng, REFERRAL_STATES)
    sent, respond_by = sending(b, state, sent)
    b.references[sent.year] = b.references.get(sent.year, 0) + 1
    made = Row(
        Referral,
        id=seeded_uuid(rng),
        reference=f"REF-{sent.year}-{b.references[sent.year]:06d}",
        case_id=case.id,
        person_id=case.person_id,
        service_id=rng.choice(provider["services"]),
        directory_organization_id=provider["directory"],
        provider_organisation_id=provider["organisation"],
        referrer_id=worker,
        referring_organisation_id=case.organisation_id,
        urgency=weighted(rng, [("routine", 80), ("urgent", 17), ("emergency", 3)]),
        legal_basis_id=consent_id,
        state=state,
        sent_at=sent,
        respond_by=respond_by,
        transnational=provider["country"] != "AF",
        provider_country=provider["country"],
        created_at=sent,
        updated_at=sent,
    )
    made.reason = "Needs support to restart work and settle the family."
    events = transitions(b, made, state, provider["staff"], (worker, later))
    b.objects.append(made)
    for event_row in events:
        event_row.referral_id = made.id
    b.objects += events
    b.objects += [
        Row(ReferralSharedField, referral_id=made.id, code=c) for c in ("name_latin", "languages")
    ]
    b.referral_states[state] += 1


def transitions(
    b: Builder, made: Any, state: str, staff: uuid.UUID, sender: tuple[uuid.UUID, datetime]
) -> list[Any]:
    """The referral's answer and outcome (set on it) and the events of its transitions."""
    rng = b.rng
    worker, later = sender
    sent = made.sent_at
    events = [event(rng, None, "sent", worker, sent)]
    answered = min(sent + timedelta(days=rng.randrange(0, 7), hours=rng.randrange(1, 20)), b.now)
    if state in ("accepted", "completed", "not_completed"):
        made.answered_at, made.answered_by_id = answered, staff
        made.expected_completion = (answered + timedelta(days=rng.randrange(14, 90))).date()
        events.append(event(rng, "sent", "accepted", staff, answered))
    if state in ("completed", "not_completed"):
        closed = max(min(later, b.now), answered)
        made.closed_at, made.closed_by_id = closed, staff
        made.outcome_date = closed.date()
        if state == "completed":
            made.outcome = "Service delivered as planned."
        else:
            made.not_completed_reason = rng.choice(NOT_COMPLETED_REASONS)
        events.append(event(rng, "accepted", state, staff, closed))
    if state == "declined":
        made.answered_at, made.answered_by_id = answered, staff
        made.closed_at = answered
        made.decline_reason, code = rng.choice(DECLINE_REASONS)
        events.append(event(rng, "sent", "declined", staff, answered, reason_code=code))
    if state == "expired":
        made.closed_at = made.respond_by
        events.append(
            event(rng, "sent", "expired", None, made.respond_by, reason_code="deadline_passed")
        )
    return events


def event(
    rng: Any,
    from_state: str | None,
    to_state: str,
    actor: uuid.UUID | None,
    at: datetime,
    **extra: Any,
) -> Any:
    from referrals.models import ReferralEvent

    return Row(
        ReferralEvent,
        id=seeded_uuid(rng),
        from_state=from_state,
        to_state=to_state,
        actor_id=actor,
        at=at,
        **extra,
    )
