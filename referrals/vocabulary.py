"""Closed vocabularies of referrals (states, urgency), with labels and the allowed transitions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

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
