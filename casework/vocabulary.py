"""Closed vocabularies of casework, with their labels (stored values never change)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.lists.registry import define
from core.vocabulary import Vocabulary, by_enum


class CaseType(StrEnum):
    RETURNEE = "returnee"
    PRESUMED_VICTIM = "presumed_victim"
    IDENTIFIED_VICTIM = "identified_victim"
    RETURNEE_AND_VICTIM = "returnee_and_victim"


class Stage(StrEnum):
    IDENTIFICATION = "identification"
    ASSESSMENT = "assessment"
    PLANNING = "planning"
    IMPLEMENTATION = "implementation"
    MONITORING = "monitoring"
    CLOSED = "closed"


class Vulnerability(StrEnum):
    UNACCOMPANIED_CHILD = "unaccompanied_child"
    CHILD = "child"
    OLDER_PERSON = "older_person"
    DISABILITY = "disability"
    SERIOUS_MEDICAL = "serious_medical"
    MENTAL_HEALTH = "mental_health"
    GBV_SURVIVOR = "gbv_survivor"
    PREGNANCY = "pregnancy"
    SINGLE_PARENT = "single_parent"
    TRAFFICKING_VICTIM = "trafficking_victim"
    OTHER = "other"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class DocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    TRAVEL_DOCUMENT = "travel_document"
    BIRTH_CERTIFICATE = "birth_certificate"
    RESIDENCE_PERMIT = "residence_permit"
    OTHER = "other"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_LABELS: tuple[tuple[StrEnum, object], ...] = (
    (CaseType.RETURNEE, _l("Returnee")),
    (CaseType.PRESUMED_VICTIM, _l("Presumed victim of trafficking")),
    (CaseType.IDENTIFIED_VICTIM, _l("Identified victim of trafficking")),
    (CaseType.RETURNEE_AND_VICTIM, _l("Returnee and victim of trafficking")),
    (Stage.IDENTIFICATION, _l("Identification")),
    (Stage.ASSESSMENT, _l("Assessment")),
    (Stage.PLANNING, _l("Planning")),
    (Stage.IMPLEMENTATION, _l("Implementation")),
    (Stage.MONITORING, _l("Monitoring")),
    (Stage.CLOSED, _l("Closed")),
    (Vulnerability.UNACCOMPANIED_CHILD, _l("Unaccompanied or separated child")),
    (Vulnerability.CHILD, _l("Child")),
    (Vulnerability.OLDER_PERSON, _l("Older person")),
    (Vulnerability.DISABILITY, _l("Disability")),
    (Vulnerability.SERIOUS_MEDICAL, _l("Serious medical condition")),
    (Vulnerability.MENTAL_HEALTH, _l("Mental health")),
    (Vulnerability.GBV_SURVIVOR, _l("Survivor of gender-based violence")),
    (Vulnerability.PREGNANCY, _l("Pregnancy")),
    (Vulnerability.SINGLE_PARENT, _l("Single parent")),
    (Vulnerability.TRAFFICKING_VICTIM, _l("Victim of trafficking")),
    (Vulnerability.OTHER, _l("Other vulnerability")),
    (Sex.FEMALE, _l("Female")),
    (Sex.MALE, _l("Male")),
    (Sex.OTHER, _l("Other sex")),
    (Sex.UNKNOWN, _l("Not known")),
    (DocumentType.PASSPORT, _l("Passport")),
    (DocumentType.NATIONAL_ID, _l("National identity card")),
    (DocumentType.TRAVEL_DOCUMENT, _l("Travel document")),
    (DocumentType.BIRTH_CERTIFICATE, _l("Birth certificate")),
    (DocumentType.RESIDENCE_PERMIT, _l("Residence permit")),
    (DocumentType.OTHER, _l("Other document")),
    (RiskLevel.LOW, _l("Low risk")),
    (RiskLevel.MEDIUM, _l("Medium risk")),
    (RiskLevel.HIGH, _l("High risk")),
)
#: Labels by enum (values such as "other" recur across enums).
LABELS = by_enum(_LABELS)


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(_LABELS)
label = VOCABULARY.label
choices = VOCABULARY.choices

# Lists a deployment can set (:mod:`core.lists`): the enum members are their built-in entries,
# administrators add others. Read them through ``core.lists.queries`` with these names.
#: Vulnerabilities: a child (accompanied or not) decides who gives consent, so those stay.
VULNERABILITIES = define(
    "vulnerability",
    _l("Vulnerabilities"),
    ((v.value, LABELS[Vulnerability][v]) for v in Vulnerability),
    kept=(
        Vulnerability.CHILD.value,
        Vulnerability.UNACCOMPANIED_CHILD.value,
        Vulnerability.OTHER.value,
    ),
    description=_l("Recorded on a case; local additions are allowed."),
).name
#: Identity and travel documents: "other" is what a number typed without a type is saved as.
DOCUMENT_TYPES = define(
    "document_type",
    _l("Document types"),
    ((d.value, LABELS[DocumentType][d]) for d in DocumentType),
    kept=(DocumentType.OTHER.value,),
    description=_l("The kinds of identity and travel document recorded for a person."),
).name
#: Who referred the person (the case's "Referred by" names them, encrypted; this is the kind,
#: a plain statistical code). "Other" is what a source outside the list is recorded as.
REFERRAL_SOURCES = define(
    "referral_source",
    _l("Referral sources"),
    (
        ("self", _l("Self-referral")),
        ("family_community", _l("Family or community")),
        ("police", _l("Police")),
        ("border_immigration", _l("Border or immigration authority")),
        ("labour_inspectorate", _l("Labour inspectorate")),
        ("ngo", _l("Non-governmental organisation (NGO)")),
        ("international_organisation", _l("International organisation (IOM, UNHCR)")),
        ("embassy_consulate", _l("Embassy or consulate")),
        ("hotline", _l("Hotline")),
        ("health_social_services", _l("Health or social services")),
        ("other", _l("Other source")),
    ),
    kept=("other",),
    description=_l("Who referred the person to the organisation, recorded on a case."),
).name
