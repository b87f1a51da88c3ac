"""Screening vocabularies: ILO forced-labour indicators, HTCDS means of control and types of
exploitation, outcomes and deciding organisations, and the codes of the trafficking story
(stored values never change).

The trafficking story's codes follow IOM's Human Trafficking Case Data Standard (HTCDS,
https://github.com/UNMigration/HTCDS, "HTCDS Field Reference.md", Person Victim Context:
``vic_MethodOfRecruitment``, ``vic_MethodsOfControl``, ``vic_TypeOfLabourExploitation``,
``vic_TypeOfSexExploitation``; Historic Trafficking Events ``hte_Type`` Recruitment / Transit /
Exploitation with ISO 3166 countries) and the codebook of the Counter Trafficking Data
Collaborative (CTDC, https://www.ctdatacollaborative.org), whose published columns
(``isForcedLabour``, ``isSexualExploit``, ``isOtherExploit``, ``meansOfControl*``,
``typeOfLabour*``, ``typeOfSex*``, ``recruiterRelation*``, ``CountryOfExploitation``,
``majorityStatusAtExploit``) :data:`CTDC_COLUMNS` maps our codes to, for the CTDC export.
Codes HTCDS lacks (threats to the family, forced criminality, border crossings, cooperation
with law enforcement) are ours and map to the nearest CTDC column or to none.
"""

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
    #: Not an HTCDS value (CTDC counts it under meansOfControlThreats).
    THREATS_TO_FAMILY = "threats_to_family"
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
    #: Forced criminal activity (HTCDS labour sector "IllicitActivities").
    FORCED_CRIMINALITY = "forced_criminality"
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


class RecruitmentMethod(StrEnum):
    """How the person was recruited (HTCDS ``vic_MethodOfRecruitment``)."""

    ABDUCTION = "abduction"
    EDUCATIONAL_FACILITY = "educational_facility"
    FAMILIAL = "familial"
    INTERNET = "internet"
    MARRIAGE_BROKER = "marriage_broker"
    INTIMATE_PARTNER = "intimate_partner"
    JOB_OFFER = "job_offer"
    POSING_AS_BENEFACTOR = "posing_as_benefactor"
    PUBLIC_AREA = "public_area"
    OFFER_OF_ACCOMMODATION = "offer_of_accommodation"
    SHELTER = "shelter"
    SMUGGLING = "smuggling"
    WORK = "work"
    OTHER = "other"
    UNKNOWN = "unknown"


class RecruiterRelation(StrEnum):
    """The recruiter's relation to the person (CTDC ``recruiterRelation*``)."""

    INTIMATE_PARTNER = "intimate_partner"
    FRIEND = "friend"
    FAMILY = "family"
    OTHER = "other"
    UNKNOWN = "unknown"


class BorderCrossing(StrEnum):
    """How a border was crossed (ours: HTCDS has no code list for it)."""

    REGULAR_OWN_DOCUMENTS = "regular_own_documents"
    REGULAR_FALSE_DOCUMENTS = "regular_false_documents"
    IRREGULAR_WITH_DOCUMENTS = "irregular_with_documents"
    IRREGULAR_WITHOUT_DOCUMENTS = "irregular_without_documents"
    UNKNOWN = "unknown"


class ExploitationSector(StrEnum):
    """Sectors of exploitation: HTCDS ``vic_TypeOfLabourExploitation`` and
    ``vic_TypeOfSexExploitation`` (CTDC ``typeOfLabour*`` and ``typeOfSex*``)."""

    AGRICULTURE = "agriculture"
    AQUAFARMING = "aquafarming"
    BEGGING = "begging"
    CONSTRUCTION = "construction"
    DOMESTIC_WORK = "domestic_work"
    HOSPITALITY = "hospitality"
    ILLICIT_ACTIVITIES = "illicit_activities"
    MANUFACTURING = "manufacturing"
    MINING_OR_DRILLING = "mining_or_drilling"
    PEDDLING = "peddling"
    TRANSPORTATION = "transportation"
    OTHER_LABOUR = "other_labour"
    PROSTITUTION = "prostitution"
    PORNOGRAPHY = "pornography"
    REMOTE_INTERACTIVE_SERVICES = "remote_interactive_services"
    PRIVATE_SEXUAL_SERVICES = "private_sexual_services"
    OTHER_SEXUAL = "other_sexual"


class Cooperation(StrEnum):
    """The person's cooperation with law enforcement (ours; never a condition of help)."""

    COOPERATING = "cooperating"
    CONSIDERING = "considering"
    DECLINED = "declined"
    NOT_DISCUSSED = "not_discussed"


class Majority(StrEnum):
    """Child or adult at the start of exploitation (CTDC ``majorityStatusAtExploit``)."""

    CHILD = "child"
    ADULT = "adult"


#: CTDC column (or value) for each of our codes, by list: what the CTDC export writes a 1 in
#: (``CountryOfExploitation`` takes the ISO code itself; ``majorityStatusAtExploit`` the value).
CTDC_COLUMNS: dict[type[StrEnum], dict[str, str]] = {
    ExploitationType: {
        "forced_labour": "isForcedLabour",
        "sexual_exploitation": "isSexualExploit",
        "child_labour": "isForcedLabour",
        "forced_marriage": "isForcedMarriage",
        "servitude": "isForcedLabour",
        "forced_military": "isForcedMilitary",
        "organ_removal": "isOrganRemoval",
        "forced_begging": "isForcedLabour",
        "forced_adoption": "isOtherExploit",
        "surrogacy": "isOtherExploit",
        "forced_criminality": "isForcedLabour",
        "other": "isOtherExploit",
    },
    ExploitationSector: {
        "agriculture": "typeOfLabourAgriculture",
        "aquafarming": "typeOfLabourAquafarming",
        "begging": "typeOfLabourBegging",
        "construction": "typeOfLabourConstruction",
        "domestic_work": "typeOfLabourDomesticWork",
        "hospitality": "typeOfLabourHospitality",
        "illicit_activities": "typeOfLabourIllicitActivities",
        "manufacturing": "typeOfLabourManufacturing",
        "mining_or_drilling": "typeOfLabourMiningOrDrilling",
        "peddling": "typeOfLabourPeddling",
        "transportation": "typeOfLabourTransportation",
        "other_labour": "typeOfLabourOther",
        "prostitution": "typeOfSexProstitution",
        "pornography": "typeOfSexPornography",
        "remote_interactive_services": "typeOfSexRemoteInteractiveServices",
        "private_sexual_services": "typeOfSexPrivateSexualServices",
        "other_sexual": "typeOfSexOther",
    },
    MeansOfControl: {
        "debt_bondage": "meansOfControlDebtBondage",
        "takes_earnings": "meansOfControlTakesEarnings",
        "restricts_financial_access": "meansOfControlRestrictsFinancialAccess",
        "threats": "meansOfControlThreats",
        "psychological_abuse": "meansOfControlPsychologicalAbuse",
        "physical_abuse": "meansOfControlPhysicalAbuse",
        "sexual_abuse": "meansOfControlSexualAbuse",
        "false_promises": "meansOfControlFalsePromises",
        "psychoactive_substances": "meansOfControlPsychoactiveSubstances",
        "restricts_movement": "meansOfControlRestrictsMovement",
        "restricts_medical_care": "meansOfControlRestrictsMedicalCare",
        "excessive_working_hours": "meansOfControlExcessiveWorkingHours",
        "uses_children": "meansOfControlUsesChildren",
        "threat_of_law_enforcement": "meansOfControlThreatOfLawEnforcement",
        "withholds_necessities": "meansOfControlWithholdsNecessities",
        "withholds_documents": "meansOfControlWithholdsDocuments",
        "threats_to_family": "meansOfControlThreats",
        "other": "meansOfControlOther",
    },
    RecruiterRelation: {
        "intimate_partner": "recruiterRelationIntimatePartner",
        "friend": "recruiterRelationFriend",
        "family": "recruiterRelationFamily",
        "other": "recruiterRelationOther",
        "unknown": "recruiterRelationUnknown",
    },
    RecruitmentMethod: {"abduction": "isAbduction"},
    Majority: {"child": "Minor", "adult": "Adult"},
}


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
    (MeansOfControl.THREATS_TO_FAMILY, _l("Threats to the family")),
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
    (ExploitationType.FORCED_CRIMINALITY, _l("Forced criminality")),
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
    (RecruitmentMethod.ABDUCTION, _l("Abduction")),
    (RecruitmentMethod.EDUCATIONAL_FACILITY, _l("At a school or college")),
    (RecruitmentMethod.FAMILIAL, _l("Through the family")),
    (RecruitmentMethod.INTERNET, _l("Internet (social media, online advertisement)")),
    (RecruitmentMethod.MARRIAGE_BROKER, _l("International marriage broker")),
    (RecruitmentMethod.INTIMATE_PARTNER, _l("Intimate partner or marriage proposal")),
    (RecruitmentMethod.JOB_OFFER, _l("Job offer or advertisement")),
    (RecruitmentMethod.POSING_AS_BENEFACTOR, _l("Someone posing as a benefactor")),
    (RecruitmentMethod.PUBLIC_AREA, _l("In a public place")),
    (RecruitmentMethod.OFFER_OF_ACCOMMODATION, _l("Offer of accommodation")),
    (RecruitmentMethod.SHELTER, _l("At a shelter")),
    (RecruitmentMethod.SMUGGLING, _l("Smuggling or ransom")),
    (RecruitmentMethod.WORK, _l("At work")),
    (RecruitmentMethod.OTHER, _l("Other way of recruitment")),
    (RecruitmentMethod.UNKNOWN, _l("Not known how")),
    (RecruiterRelation.INTIMATE_PARTNER, _l("Intimate partner")),
    (RecruiterRelation.FRIEND, _l("Friend")),
    (RecruiterRelation.FAMILY, _l("Family member")),
    (RecruiterRelation.OTHER, _l("Other relation")),
    (RecruiterRelation.UNKNOWN, _l("Relation not known")),
    (BorderCrossing.REGULAR_OWN_DOCUMENTS, _l("At a border post, with own documents")),
    (BorderCrossing.REGULAR_FALSE_DOCUMENTS, _l("At a border post, with false documents")),
    (BorderCrossing.IRREGULAR_WITH_DOCUMENTS, _l("Irregularly, carrying documents")),
    (BorderCrossing.IRREGULAR_WITHOUT_DOCUMENTS, _l("Irregularly, without documents")),
    (BorderCrossing.UNKNOWN, _l("Crossing not known")),
    (ExploitationSector.AGRICULTURE, _l("Agriculture")),
    (ExploitationSector.AQUAFARMING, _l("Fishing and aquafarming")),
    (ExploitationSector.BEGGING, _l("Begging")),
    (ExploitationSector.CONSTRUCTION, _l("Construction")),
    (ExploitationSector.DOMESTIC_WORK, _l("Domestic work")),
    (ExploitationSector.HOSPITALITY, _l("Hospitality")),
    (ExploitationSector.ILLICIT_ACTIVITIES, _l("Illicit activities")),
    (ExploitationSector.MANUFACTURING, _l("Manufacturing")),
    (ExploitationSector.MINING_OR_DRILLING, _l("Mining or drilling")),
    (ExploitationSector.PEDDLING, _l("Peddling")),
    (ExploitationSector.TRANSPORTATION, _l("Transportation")),
    (ExploitationSector.OTHER_LABOUR, _l("Other labour")),
    (ExploitationSector.PROSTITUTION, _l("Prostitution")),
    (ExploitationSector.PORNOGRAPHY, _l("Pornography")),
    (ExploitationSector.REMOTE_INTERACTIVE_SERVICES, _l("Remote interactive sexual services")),
    (ExploitationSector.PRIVATE_SEXUAL_SERVICES, _l("Private sexual services")),
    (ExploitationSector.OTHER_SEXUAL, _l("Other sexual exploitation")),
    (Cooperation.COOPERATING, _l("Cooperating with law enforcement")),
    (Cooperation.CONSIDERING, _l("Still deciding")),
    (Cooperation.DECLINED, _l("Declined to cooperate")),
    (Cooperation.NOT_DISCUSSED, _l("Not discussed")),
    (Majority.CHILD, _l("Child when the exploitation started")),
    (Majority.ADULT, _l("Adult when the exploitation started")),
)
#: Labels by enum (values such as "other" recur across enums).
LABELS = by_enum(_LABELS)


#: ``label(value, enum)`` and ``choices(enum)`` of this package's lists.
VOCABULARY = Vocabulary(_LABELS)
label = VOCABULARY.label
choices = VOCABULARY.choices
