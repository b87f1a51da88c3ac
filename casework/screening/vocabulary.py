"""Screening vocabularies: ILO forced-labour indicators, HTCDS means of control and types of
exploitation, outcomes and deciding organisations (stored values never change)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from core.vocabulary import Vocabulary, by_enum


class IloIndicator(StrEnum):
    """The eleven ILO indicators of forced labour."""

    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability"
    DECEPTION = "deception"
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement"
    ISOLATION = "isolation"
    PHYSICAL_SEXUAL_VIOLENCE = "physical_sexual_violence"
    INTIMIDATION_THREATS = "intimidation_threats"
    RETENTION_OF_DOCUMENTS = "retention_of_documents"
    WITHHOLDING_OF_WAGES = "withholding_of_wages"
    DEBT_BONDAGE = "debt_bondage"
    ABUSIVE_CONDITIONS = "abusive_conditions"
    EXCESSIVE_OVERTIME = "excessive_overtime"


class MeansOfControl(StrEnum):
    """Means of control as in the Human Trafficking Case Data Standard (HTCDS)."""

    DEBT_BONDAGE = "debt_bondage"
    TAKES_EARNINGS = "takes_earnings"
    RESTRICTS_FINANCIAL_ACCESS = "restricts_financial_access"
    THREATS = "threats"
    PSYCHOLOGICAL_ABUSE = "psychological_abuse"
    PHYSICAL_ABUSE = "physical_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    FALSE_PROMISES = "false_promises"
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances"
    RESTRICTS_MOVEMENT = "restricts_movement"
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care"
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours"
    USES_CHILDREN = "uses_children"
    THREAT_OF_LAW_ENFORCEMENT = "threat_of_law_enforcement"
    WITHHOLDS_NECESSITIES = "withholds_necessities"
    WITHHOLDS_DOCUMENTS = "withholds_documents"
    OTHER = "other"


class ExploitationType(StrEnum):
    """Types of exploitation as in HTCDS."""

    FORCED_LABOUR = "forced_labour"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    CHILD_LABOUR = "child_labour"
    FORCED_MARRIAGE = "forced_marriage"
    SERVITUDE = "servitude"
    FORCED_MILITARY = "forced_military"
    ORGAN_REMOVAL = "organ_removal"
    FORCED_BEGGING = "forced_begging"
    FORCED_ADOPTION = "forced_adoption"
    SURROGACY = "surrogacy"
    OTHER = "other"


class Outcome(StrEnum):
    POSSIBLE = "possible"
    ACTUAL = "actual"
    NOT_A_VICTIM = "not_a_victim"


class DecidingOrganisation(StrEnum):
    LAW_ENFORCEMENT = "law_enforcement"
    COMPETENT_AUTHORITY = "competent_authority"
    JUDICIAL_AUTHORITY = "judicial_authority"
    NGO = "ngo"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    OTHER = "other"


_LABELS: tuple[tuple[StrEnum, object], ...] = (
    (IloIndicator.ABUSE_OF_VULNERABILITY, _l("Abuse of vulnerability")),
    (IloIndicator.DECEPTION, _l("Deception")),
    (IloIndicator.RESTRICTION_OF_MOVEMENT, _l("Restriction of movement")),
    (IloIndicator.ISOLATION, _l("Isolation")),
    (IloIndicator.PHYSICAL_SEXUAL_VIOLENCE, _l("Physical and sexual violence")),
    (IloIndicator.INTIMIDATION_THREATS, _l("Intimidation and threats")),
    (IloIndicator.RETENTION_OF_DOCUMENTS, _l("Retention of identity documents")),
    (IloIndicator.WITHHOLDING_OF_WAGES, _l("Withholding of wages")),
    (IloIndicator.DEBT_BONDAGE, _l("Debt bondage")),
    (IloIndicator.ABUSIVE_CONDITIONS, _l("Abusive working and living conditions")),
    (IloIndicator.EXCESSIVE_OVERTIME, _l("Excessive overtime")),
    (MeansOfControl.DEBT_BONDAGE, _l("Debt bondage")),
    (MeansOfControl.TAKES_EARNINGS, _l("Takes earnings")),
    (MeansOfControl.RESTRICTS_FINANCIAL_ACCESS, _l("Restricts access to money")),
    (MeansOfControl.THREATS, _l("Threats")),
    (MeansOfControl.PSYCHOLOGICAL_ABUSE, _l("Psychological abuse")),
    (MeansOfControl.PHYSICAL_ABUSE, _l("Physical abuse")),
    (MeansOfControl.SEXUAL_ABUSE, _l("Sexual abuse")),
    (MeansOfControl.FALSE_PROMISES, _l("False promises")),
    (MeansOfControl.PSYCHOACTIVE_SUBSTANCES, _l("Psychoactive substances")),
    (MeansOfControl.RESTRICTS_MOVEMENT, _l("Restricts movement")),
    (MeansOfControl.RESTRICTS_MEDICAL_CARE, _l("Restricts medical care")),
    (MeansOfControl.EXCESSIVE_WORKING_HOURS, _l("Excessive working hours")),
    (MeansOfControl.USES_CHILDREN, _l("Uses or threatens children")),
    (MeansOfControl.THREAT_OF_LAW_ENFORCEMENT, _l("Threat of the police or deportation")),
    (MeansOfControl.WITHHOLDS_NECESSITIES, _l("Withholds food, water or sleep")),
    (MeansOfControl.WITHHOLDS_DOCUMENTS, _l("Withholds documents")),
    (MeansOfControl.OTHER, _l("Other means of control")),
    (ExploitationType.FORCED_LABOUR, _l("Forced labour")),
    (ExploitationType.SEXUAL_EXPLOITATION, _l("Sexual exploitation")),
    (ExploitationType.CHILD_LABOUR, _l("Child labour")),
    (ExploitationType.FORCED_MARRIAGE, _l("Forced marriage")),
    (ExploitationType.SERVITUDE, _l("Servitude")),
    (ExploitationType.FORCED_MILITARY, _l("Forced military service (non-state)")),
    (ExploitationType.ORGAN_REMOVAL, _l("Organ removal")),
    (ExploitationType.FORCED_BEGGING, _l("Forced begging")),
    (ExploitationType.FORCED_ADOPTION, _l("Forced adoption")),
    (ExploitationType.SURROGACY, _l("Surrogacy")),
    (ExploitationType.OTHER, _l("Other exploitation")),
    (Outcome.POSSIBLE, _l("Possible victim of trafficking")),
    (Outcome.ACTUAL, _l("Victim of trafficking")),
    (Outcome.NOT_A_VICTIM, _l("Not a victim of trafficking")),
    (DecidingOrganisation.LAW_ENFORCEMENT, _l("Police or border authority")),
    (DecidingOrganisation.COMPETENT_AUTHORITY, _l("Competent authority (national referral)")),
    (DecidingOrganisation.JUDICIAL_AUTHORITY, _l("Court or prosecutor")),
    (DecidingOrganisation.NGO, _l("Non-governmental organisation")),
    (DecidingOrganisation.INTERNATIONAL_ORGANISATION, _l("International organisation")),
    (DecidingOrganisation.OTHER, _l("Other organisation")),
)
#: Labels by enum (values such as "other" recur across enums).
LABELS = by_enum(_LABELS)


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(_LABELS)
label = VOCABULARY.label
choices = VOCABULARY.choices
