"""The directory's closed vocabularies: service status (HSDS) and the service-type taxonomy."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from casework.consent.vocabulary import ServiceType as ConsentServiceType
from core.vocabulary import Vocabulary


class ServiceStatus(StrEnum):
    """HSDS ``service.status`` values, stored exactly as HSDS spells them."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


class ServiceKind(StrEnum):
    """Homeward's service-type taxonomy (HSDS taxonomy terms, vocabulary ``homeward``)."""

    MEDICAL = "medical"
    MENTAL_HEALTH = "mental_health"
    LEGAL = "legal"
    SHELTER = "shelter"
    EDUCATION = "education"
    VOCATIONAL_TRAINING = "vocational_training"
    EMPLOYMENT = "employment"
    BUSINESS_GRANT = "business_grant"
    FAMILY_TRACING = "family_tracing"
    DOCUMENTATION = "documentation"
    CASH_ASSISTANCE = "cash_assistance"
    OTHER = "other"


#: Which kind of service a consent must cover for a referral to a service of this kind.
CONSENT_SERVICE_TYPE: dict[ServiceKind, ConsentServiceType] = {
    ServiceKind.MEDICAL: ConsentServiceType.HEALTH,
    ServiceKind.MENTAL_HEALTH: ConsentServiceType.MENTAL_HEALTH,
    ServiceKind.LEGAL: ConsentServiceType.LEGAL,
    ServiceKind.SHELTER: ConsentServiceType.SHELTER,
    ServiceKind.EDUCATION: ConsentServiceType.EDUCATION,
    ServiceKind.VOCATIONAL_TRAINING: ConsentServiceType.EDUCATION,
    ServiceKind.EMPLOYMENT: ConsentServiceType.LIVELIHOOD,
    ServiceKind.BUSINESS_GRANT: ConsentServiceType.LIVELIHOOD,
    ServiceKind.FAMILY_TRACING: ConsentServiceType.FAMILY_TRACING,
    ServiceKind.DOCUMENTATION: ConsentServiceType.LEGAL,
    ServiceKind.CASH_ASSISTANCE: ConsentServiceType.FINANCIAL,
    ServiceKind.OTHER: ConsentServiceType.OTHER,
}

LABELS: dict[StrEnum, object] = {
    ServiceStatus.ACTIVE: _l("Active"),
    ServiceStatus.INACTIVE: _l("Inactive"),
    ServiceStatus.DEFUNCT: _l("Defunct"),
    ServiceStatus.TEMPORARILY_CLOSED: _l("Temporarily closed"),
    ServiceKind.MEDICAL: _l("Medical care"),
    ServiceKind.MENTAL_HEALTH: _l("Mental health and psychosocial support"),
    ServiceKind.LEGAL: _l("Legal aid"),
    ServiceKind.SHELTER: _l("Shelter"),
    ServiceKind.EDUCATION: _l("Education"),
    ServiceKind.VOCATIONAL_TRAINING: _l("Vocational training"),
    ServiceKind.EMPLOYMENT: _l("Employment"),
    ServiceKind.BUSINESS_GRANT: _l("Business start-up grant"),
    ServiceKind.FAMILY_TRACING: _l("Family tracing"),
    ServiceKind.DOCUMENTATION: _l("Documentation"),
    ServiceKind.CASH_ASSISTANCE: _l("Cash assistance"),
    ServiceKind.OTHER: _l("Other"),
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices
