"""Closed vocabularies of assessment and planning, with their labels."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.vocabulary import Vocabulary


class Dimension(StrEnum):
    """IOM's three dimensions of reintegration."""

    ECONOMIC = "economic"
    SOCIAL = "social"
    PSYCHOSOCIAL = "psychosocial"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    #: Approved once, then an action was added, edited or removed: needs a new approval.
    CHANGED = "changed"


class Decision(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


#: Statuses of an action that still needs doing (the task list reads these).
OPEN_ACTION_STATUSES = frozenset({ActionStatus.PLANNED.value, ActionStatus.IN_PROGRESS.value})
#: Plan statuses from which the plan may be submitted for approval.
SUBMITTABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED, PlanStatus.CHANGED})

# StrEnum members equal their values, so two enums sharing a value ("approved", "returned")
# would overwrite each other in one mapping: each enum has its own.
LABELS: dict[type[StrEnum], dict[StrEnum, object]] = {
    Dimension: {
        Dimension.ECONOMIC: _l("Economic"),
        Dimension.SOCIAL: _l("Social"),
        Dimension.PSYCHOSOCIAL: _l("Psychosocial"),
    },
    ActionStatus: {
        ActionStatus.PLANNED: _l("Planned"),
        ActionStatus.IN_PROGRESS: _l("In progress"),
        ActionStatus.DONE: _l("Done"),
        ActionStatus.CANCELLED: _l("Cancelled"),
    },
    PlanStatus: {
        PlanStatus.DRAFT: _l("Draft, not yet submitted"),
        PlanStatus.SUBMITTED: _l("Waiting for approval"),
        PlanStatus.APPROVED: _l("Approved"),
        PlanStatus.RETURNED: _l("Returned with comments"),
        PlanStatus.CHANGED: _l("Changed, needs approval"),
    },
    Decision: {
        Decision.PENDING: _l("Waiting for a decision"),
        Decision.APPROVED: _l("Approved"),
        Decision.RETURNED: _l("Returned"),
    },
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(pair for labels in LABELS.values() for pair in labels.items())
label = VOCABULARY.label
choices = VOCABULARY.choices
