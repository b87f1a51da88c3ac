"""Kinds of assistance (a list a deployment can set) and the states of a disbursement."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.lists.registry import define
from core.vocabulary import Vocabulary

#: The list's name in ``core.lists`` (administrators add kinds and label them per language).
KIND_LIST = "assistance_kind"

define(
    KIND_LIST,
    _l("Kinds of assistance"),
    builtin=(
        ("cash", _l("Cash")),
        ("in_kind", _l("In-kind")),
        ("business_grant", _l("Business grant")),
        ("education", _l("Education")),
        ("medical", _l("Medical")),
        ("housing", _l("Housing")),
        ("legal", _l("Legal")),
        ("transport", _l("Transport")),
        ("other", _l("Other")),
    ),
    kept=("other",),
    description=_l("What a disbursement of the reintegration package paid for."),
)


class DisbursementStatus(StrEnum):
    """``recorded``: at or under the approval threshold, counted at once; ``pending``: waits
    for a second person and is reserved against the budget; ``approved``: counted;
    ``returned``: refused by the second person, not counted."""

    RECORDED = "recorded"
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


#: The states that count against the budget as used, and as reserved.
COUNTED = (DisbursementStatus.RECORDED.value, DisbursementStatus.APPROVED.value)
RESERVED = (DisbursementStatus.PENDING.value,)

LABELS: dict[StrEnum, object] = {
    DisbursementStatus.RECORDED: _l("Delivered"),
    DisbursementStatus.PENDING: _l("Waiting for approval"),
    DisbursementStatus.APPROVED: _l("Approved"),
    DisbursementStatus.RETURNED: _l("Returned"),
}

#: ``label(value, enum)`` and ``choices(enum)`` of this package's fixed lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
