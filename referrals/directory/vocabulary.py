"""The directory's closed vocabularies: service status (HSDS) and the service-type taxonomy.

The kinds of service are casework's :class:`~casework.consent.vocabulary.ServiceType`, the
one list a consent covers, labelled there only, so the directory and consent never name a
kind two ways.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from casework.consent.vocabulary import SERVICE_TYPES, ServiceType
from core.vocabulary import Vocabulary

__all__ = [
    "LABELS",
    "LEGACY_KINDS",
    "SERVICE_TYPES",
    "ServiceStatus",
    "ServiceType",
    "choices",
    "label",
]


class ServiceStatus(StrEnum):
    """HSDS ``service.status`` values, stored exactly as HSDS spells them."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


#: Taxonomy codes the directory used before its kinds became consent's list, as HSDS files
#: exported then still name them: read as the kind they became.
LEGACY_KINDS: dict[str, ServiceType] = {"medical": ServiceType.HEALTH}

LABELS: dict[StrEnum, object] = {
    ServiceStatus.ACTIVE: _l("Active"),
    ServiceStatus.INACTIVE: _l("Inactive"),
    ServiceStatus.DEFUNCT: _l("Defunct"),
    ServiceStatus.TEMPORARILY_CLOSED: _l("Temporarily closed"),
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices
