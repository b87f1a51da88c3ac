"""Why a person's data is erased (GDPR Art. 17 grounds, in plain words), and request states."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.vocabulary import Vocabulary


class ErasureReason(StrEnum):
    PERSON_REQUEST = "person_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_LONGER_NEEDED = "no_longer_needed"
    UNLAWFUL = "unlawful"
    LEGAL_OBLIGATION = "legal_obligation"
    RETENTION_ENDED = "retention_ended"


class ErasureStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


LABELS: dict[StrEnum, object] = {
    ErasureReason.PERSON_REQUEST: _l("The person asked for it"),
    ErasureReason.CONSENT_WITHDRAWN: _l("Consent withdrawn and no other basis"),
    ErasureReason.NO_LONGER_NEEDED: _l("No longer needed for its purpose"),
    ErasureReason.UNLAWFUL: _l("Processed unlawfully"),
    ErasureReason.LEGAL_OBLIGATION: _l("A legal obligation to erase"),
    ErasureReason.RETENTION_ENDED: _l("Retention period ended"),
    ErasureStatus.PENDING: _l("Waiting for a second supervisor"),
    ErasureStatus.CONFIRMED: _l("Confirmed and erased"),
    ErasureStatus.CANCELLED: _l("Cancelled"),
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices
