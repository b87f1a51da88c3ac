"""Why a case is closed (IOM's closure reasons), with their labels."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.lists.registry import define
from core.vocabulary import Vocabulary


class ClosureReason(StrEnum):
    SUPPORT_PERIOD_ENDED = "support_period_ended"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"
    OPTED_OUT = "opted_out"
    LEFT_AREA = "left_area"
    DEATH = "death"
    LOST_CONTACT = "lost_contact"
    FUNDING_ENDED = "funding_ended"
    OTHER = "other"


class ClosureStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


LABELS: dict[StrEnum, object] = {
    ClosureReason.SUPPORT_PERIOD_ENDED: _l("Support period ended"),
    ClosureReason.NO_LONGER_ELIGIBLE: _l("No longer eligible"),
    ClosureReason.OPTED_OUT: _l("The person opted out"),
    ClosureReason.LEFT_AREA: _l("The person left the area"),
    ClosureReason.DEATH: _l("Death"),
    ClosureReason.LOST_CONTACT: _l("Lost contact"),
    ClosureReason.FUNDING_ENDED: _l("Funding ended"),
    ClosureReason.OTHER: _l("Other reason"),
    ClosureStatus.PENDING: _l("Waiting for approval"),
    ClosureStatus.APPROVED: _l("Approved"),
    ClosureStatus.RETURNED: _l("Returned"),
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices

#: Closure reasons as a list a deployment can set (:mod:`core.lists`): the members of
#: ``ClosureReason`` are its built-in entries, administrators add others. "other" stays: it is
#: the reason any deployment can fall back on.
CLOSURE_REASONS = define(
    "closure_reason",
    _l("Closure reasons"),
    ((reason.value, LABELS[reason]) for reason in ClosureReason),
    kept=(ClosureReason.OTHER.value,),
    description=_l("Why a case ends, chosen when a caseworker asks to close it."),
).name
