"""Closed vocabularies of referrals (states, urgency), with labels and the allowed transitions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.lists.registry import define
from core.vocabulary import Vocabulary


class ReferralState(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
    CANCELLED = "cancelled"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


#: Every allowed transition; anything else is refused.
TRANSITIONS: dict[ReferralState, frozenset[ReferralState]] = {
    ReferralState.SENT: frozenset(
        {
            ReferralState.ACCEPTED,
            ReferralState.DECLINED,
            ReferralState.EXPIRED,
            ReferralState.CANCELLED,
        }
    ),
    ReferralState.ACCEPTED: frozenset(
        {ReferralState.COMPLETED, ReferralState.NOT_COMPLETED, ReferralState.CANCELLED}
    ),
    ReferralState.DECLINED: frozenset(),
    ReferralState.EXPIRED: frozenset(),
    ReferralState.COMPLETED: frozenset(),
    ReferralState.NOT_COMPLETED: frozenset(),
    ReferralState.CANCELLED: frozenset(),
}

#: States still waiting on someone: the referring side may cancel, the provider sees the shared
#: fields, the referral can expire.
OPEN_STATES = frozenset({ReferralState.SENT, ReferralState.ACCEPTED})

LABELS: dict[StrEnum, object] = {
    ReferralState.SENT: _l("Sent, waiting for an answer"),
    ReferralState.ACCEPTED: _l("Accepted"),
    ReferralState.DECLINED: _l("Declined"),
    ReferralState.EXPIRED: _l("Expired (no answer in time)"),
    ReferralState.COMPLETED: _l("Completed"),
    ReferralState.NOT_COMPLETED: _l("Not completed"),
    ReferralState.CANCELLED: _l("Cancelled"),
    Urgency.ROUTINE: _l("Routine"),
    Urgency.URGENT: _l("Urgent"),
    Urgency.EMERGENCY: _l("Emergency"),
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices

#: Why a provider declines a referral, as a list a deployment can set (:mod:`core.lists`): the
#: code is recorded on the decline's ``ReferralEvent.reason_code`` and counted by the figures,
#: the provider's free text goes to the referrer only. "other" stays: any provider can fall
#: back on it.
DECLINE_REASONS = define(
    "referral_decline_reason",
    _l("Reasons for declining a referral"),
    (
        ("no_capacity", _l("No capacity or the waiting list is full")),
        (
            "not_eligible",
            _l("Outside our eligibility criteria (age, sex, nationality, kind of case)"),
        ),
        ("not_offered_here", _l("Service not offered at this location")),
        (
            "needs_specialised",
            _l("The person's needs exceed what we can provide (a specialised service)"),
        ),
        ("not_reached", _l("The person could not be reached or did not come")),
        ("person_declined", _l("The person declined the service")),
        ("safety_concern", _l("Safety concern for the person or staff")),
        ("other", _l("Other")),
    ),
    kept=("other",),
    description=_l("Why a service provider declines a referral, chosen when they decline it."),
).name
