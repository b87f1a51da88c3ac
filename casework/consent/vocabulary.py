"""Vocabularies of consent and legal basis, with their labels (stored values never change)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.lists.registry import define
from core.vocabulary import Vocabulary


class LegalBasis(StrEnum):
    CONSENT = "consent"
    VITAL_INTEREST = "vital_interest"
    PUBLIC_INTEREST = "public_interest"
    LEGAL_OBLIGATION = "legal_obligation"


class GivenBy(StrEnum):
    PERSON = "person"
    PARENT_OR_GUARDIAN = "parent_or_guardian"


class ChildAssent(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ABLE = "not_able"


class ConsentMethod(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"
    ELECTRONIC = "electronic"


class ServiceType(StrEnum):
    """Kinds of service: the one list a consent covers and the service directory's taxonomy
    (HSDS taxonomy terms, vocabulary ``homeward``) are made of, so both say the same thing."""

    HEALTH = "health"
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


LABELS: dict[StrEnum, object] = {
    LegalBasis.CONSENT: _l("Consent"),
    LegalBasis.VITAL_INTEREST: _l("Vital interest"),
    LegalBasis.PUBLIC_INTEREST: _l("Public interest"),
    LegalBasis.LEGAL_OBLIGATION: _l("Legal obligation"),
    GivenBy.PERSON: _l("The person"),
    GivenBy.PARENT_OR_GUARDIAN: _l("A parent or guardian (the person is a child)"),
    ChildAssent.YES: _l("The child agrees"),
    ChildAssent.NO: _l("The child does not agree"),
    ChildAssent.NOT_ABLE: _l("The child is not able to say"),
    ConsentMethod.WRITTEN: _l("Written"),
    ConsentMethod.ORAL: _l("Oral"),
    ConsentMethod.ELECTRONIC: _l("Electronic"),
    ServiceType.HEALTH: _l("Health care"),
    ServiceType.MENTAL_HEALTH: _l("Mental health and psychosocial support"),
    ServiceType.LEGAL: _l("Legal aid"),
    ServiceType.SHELTER: _l("Shelter and accommodation"),
    ServiceType.EDUCATION: _l("Education"),
    ServiceType.VOCATIONAL_TRAINING: _l("Vocational training"),
    ServiceType.EMPLOYMENT: _l("Employment"),
    ServiceType.BUSINESS_GRANT: _l("Business start-up grant"),
    ServiceType.FAMILY_TRACING: _l("Family tracing and reunification"),
    ServiceType.DOCUMENTATION: _l("Documentation"),
    ServiceType.CASH_ASSISTANCE: _l("Financial or in-kind assistance"),
    ServiceType.OTHER: _l("Other services"),
}


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(LABELS.items())
label = VOCABULARY.label
choices = VOCABULARY.choices

#: The kinds of service as a list a deployment can set (:mod:`core.lists`): the members of
#: ``ServiceType`` are its built-in entries, administrators add others. Read the kinds through
#: ``core.lists.queries`` (``SERVICE_TYPES``), never from the enum, so added ones count too.
SERVICE_TYPES = define(
    "service_type",
    _l("Kinds of service"),
    ((kind.value, LABELS[kind]) for kind in ServiceType),
    kept=(ServiceType.OTHER.value,),
    description=_l(
        "What a consent to share covers and how the service directory classifies services."
    ),
).name
