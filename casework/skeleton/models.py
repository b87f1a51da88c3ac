"""The statistical skeleton, declared once: what statistics keep of a case after erasure.

A skeleton row holds exactly :data:`SKELETON_FIELDS`: coded, coarse values (codes, bands,
months, quarter scores) that the figures need, with no link to the person, no free text and
nothing finer than a month. Plaintext by design; every other value of an erased person is
crypto-shredded or cleared (:mod:`casework.erasure`).

Every case has exactly one skeleton, kept current while its person exists
(:mod:`casework.skeleton.tracking`). The skeleton row itself names nobody: its id is random
and it has no column leading to the case. The link lives apart, in one
:class:`CaseSkeletonLink` row per case, which erasure deletes after the final snapshot; from
then on nothing leads from the skeleton back to the case or the person.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UUIDPrimaryKey

#: The declared skeleton: every column a :class:`CaseSkeleton` holds besides its row id.
SKELETON_FIELDS: tuple[str, ...] = (
    "organisation_id",
    "case_type",
    "sex",
    "age_band",
    "child",
    "nationality",
    "vulnerability_codes",
    "screening_outcome",
    "exploitation_types",
    "means_of_control",
    "registered_month",
    "screened_month",
    "consent_month",
    "plan_approved_month",
    "first_referral_month",
    "closed_month",
    "closure_reason",
    "referrals",
    "monitoring_scores",
    "province",
    "recruiter_relation",
    "exploitation_countries",
    "exploitation_sectors",
    "majority_at_exploitation",
    "referral_source",
    "returned_month",
    "days_to_screening",
    "days_to_consent",
    "days_to_plan",
    "days_to_first_referral",
    "reflection_periods",
    "reflection_days",
    "reopenings",
    "transfers",
    "monitoring_started_month",
    "visits_done",
    "erased_month",
)

#: The skeleton's detail rows, written from the values of these keys (lists of dicts, or of
#: codes for :class:`CaseSkeletonCode`) beside the columns above:
#: ``codes`` -> :class:`CaseSkeletonCode`, ``referral_facts`` -> :class:`CaseSkeletonReferral`,
#: ``score_facts`` -> :class:`CaseSkeletonScore`, ``action_facts`` -> :class:`CaseSkeletonAction`.
SKELETON_DETAILS: tuple[str, ...] = ("codes", "referral_facts", "score_facts", "action_facts")

#: The multi-valued coded fields that are also kept one code per row (CaseSkeletonCode.field),
#: so that figures count them with SQL: skeleton column -> field name.
CODE_FIELDS: dict[str, str] = {
    "exploitation_types": "exploitation_type",
    "means_of_control": "means_of_control",
    "exploitation_sectors": "exploitation_sector",
    "exploitation_countries": "exploitation_country",
    "vulnerability_codes": "vulnerability",
}


class SkeletonCopies:
    """A detail row's copy of its skeleton's registration month and organisation, so that
    figures of a period (and of an organisation) read the rows of the period directly, not
    every row joined to the skeletons (``reports.queries.from_detail``). The database keeps
    them (triggers of migration ``e6a1b2c3d4f5``): set on every insert from the skeleton,
    following every change of the skeleton's month or organisation, and taken from the
    skeleton again if anything writes them; the builder never writes them."""

    registered_month: Mapped[str | None] = mapped_column(String(7))
    organisation_id: Mapped[uuid.UUID | None]


#: The columns of :class:`SkeletonCopies` (the skeleton's builder leaves them to the database).
COPIED_COLUMNS: tuple[str, ...] = ("registered_month", "organisation_id")


def _copies_indexed(table: str) -> tuple[Index, Index]:
    return (
        Index(f"ix_{table}_registered", "registered_month", "organisation_id"),
        Index(f"ix_{table}_organisation", "organisation_id", "registered_month"),
    )


class CaseSkeletonLink(Base):
    """Which skeleton is a case's, while its person exists: deleted when the person is erased.

    Apart from :class:`CaseSkeleton` so that the skeleton row has no link to anyone; this row is
    tied to the case (and so to the person), and goes with the erasure.
    """

    __tablename__ = "case_skeleton_link"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("casefile.id", ondelete="CASCADE"), primary_key=True
    )
    skeleton_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_skeleton.id", ondelete="CASCADE"), unique=True
    )

    skeleton: Mapped[CaseSkeleton] = relationship("CaseSkeleton")


class CaseSkeleton(UUIDPrimaryKey, Base):
    """What statistics keep of an erased person's case (the fields of SKELETON_FIELDS).

    ``province`` is the P-code of the province of return or identification (core.places).
    """

    __tablename__ = "case_skeleton"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    case_type: Mapped[str] = mapped_column(String(30))
    sex: Mapped[str | None] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(10))
    child: Mapped[bool | None] = mapped_column(Boolean)
    nationality: Mapped[str | None] = mapped_column(String(2))
    vulnerability_codes: Mapped[list[str] | None] = mapped_column(JSON)
    screening_outcome: Mapped[str | None] = mapped_column(String(20))
    exploitation_types: Mapped[list[str] | None] = mapped_column(JSON)
    means_of_control: Mapped[list[str] | None] = mapped_column(JSON)
    #: ``YYYY-MM`` (skeletons written before months were kept hold ``YYYY``).
    registered_month: Mapped[str | None] = mapped_column(String(7))
    screened_month: Mapped[str | None] = mapped_column(String(7))
    consent_month: Mapped[str | None] = mapped_column(String(7))
    plan_approved_month: Mapped[str | None] = mapped_column(String(7))
    first_referral_month: Mapped[str | None] = mapped_column(String(7))
    closed_month: Mapped[str | None] = mapped_column(String(7))
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    #: ``[[service kinds (comma-joined codes), state], …]`` of the case's referrals.
    referrals: Mapped[list[list[str]] | None] = mapped_column(JSON)
    #: ``{"YYYY-Qn": {dimension: score}}``: the last visit's scores of each quarter.
    monitoring_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The P-code of the province of return or identification (``Case.province_pcode``).
    province: Mapped[str | None] = mapped_column(String(30))
    #: The trafficking story's codes (HTCDS/CTDC, :mod:`casework.screening.vocabulary`):
    #: recruiter relation, ISO 3166 alpha-2 countries and sectors of exploitation, and
    #: ``child``/``adult`` at the start of exploitation.
    recruiter_relation: Mapped[str | None] = mapped_column(String(20))
    exploitation_countries: Mapped[list[str] | None] = mapped_column(JSON)
    exploitation_sectors: Mapped[list[str] | None] = mapped_column(JSON)
    majority_at_exploitation: Mapped[str | None] = mapped_column(String(5))
    #: The kind of source that referred the person (``Case.referral_source``, a list code).
    referral_source: Mapped[str | None] = mapped_column(String(30))

    #: ``YYYY-MM`` of the person's return, where the case records it (else None).
    returned_month: Mapped[str | None] = mapped_column(String(7))
    #: Whole days from registration (``Case.opened_at``) to the first screening, the first
    #: consent, the first approved plan and the first referral sent (None: not yet). Durations
    #: only: no date finer than a month is kept.
    days_to_screening: Mapped[int | None] = mapped_column(Integer)
    days_to_consent: Mapped[int | None] = mapped_column(Integer)
    days_to_plan: Mapped[int | None] = mapped_column(Integer)
    days_to_first_referral: Mapped[int | None] = mapped_column(Integer)
    #: Reflection periods granted, and their total length in days.
    reflection_periods: Mapped[int | None] = mapped_column(Integer)
    reflection_days: Mapped[int | None] = mapped_column(Integer)
    #: How many times the case was reopened, and transferred to another organisation.
    reopenings: Mapped[int | None] = mapped_column(Integer)
    transfers: Mapped[int | None] = mapped_column(Integer)
    #: ``YYYY-MM`` the case entered implementation (follow-up visits fall due from then), and
    #: how many monitoring visits were recorded.
    monitoring_started_month: Mapped[str | None] = mapped_column(String(7))
    visits_done: Mapped[int | None] = mapped_column(Integer)
    #: ``YYYY-MM`` the person was erased (the final snapshot), None while they exist.
    erased_month: Mapped[str | None] = mapped_column(String(7))

    __table_args__ = (
        Index("ix_case_skeleton_registered", "registered_month", "organisation_id"),
        Index("ix_case_skeleton_organisation", "organisation_id", "registered_month"),
        # the figures of the cases closed, and of the people erased, in a period
        Index("ix_case_skeleton_closed", "closed_month"),
        Index("ix_case_skeleton_erased", "erased_month"),
    )


class CaseSkeletonCode(SkeletonCopies, Base):
    """One code of a multi-valued coded field of a skeleton (:data:`CODE_FIELDS`), so that
    figures count kinds of exploitation, means of control, sectors, countries and
    vulnerabilities with SQL (``GROUP BY field, code``)."""

    __tablename__ = "case_skeleton_code"

    skeleton_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_skeleton.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(30), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: Whether this is the skeleton's first code of the field (in code order): derived, kept
    #: by :mod:`casework.skeleton.derived`; the people with a code of a field are its rows
    #: so marked.
    first_code: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_case_skeleton_code_field", "field", "code"),
        *_copies_indexed("case_skeleton_code"),
    )


class CaseSkeletonReferral(SkeletonCopies, Base):
    """One referral of a skeleton's case, coded: service type, provider organisation, state,
    the decline reason's code, the month sent, whole days to the answer and to completion."""

    __tablename__ = "case_skeleton_referral"

    skeleton_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_skeleton.id", ondelete="CASCADE"), primary_key=True
    )
    #: 1, 2, ... in the order the case's referrals were sent.
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The service's first (main) type code.
    service_type: Mapped[str | None] = mapped_column(String(40))
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(20))
    decline_reason: Mapped[str | None] = mapped_column(String(40))
    sent_month: Mapped[str | None] = mapped_column(String(7))
    days_to_answer: Mapped[int | None] = mapped_column(Integer)
    days_to_complete: Mapped[int | None] = mapped_column(Integer)
    transnational: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_case_skeleton_referral_provider", "provider_id", "sent_month"),
        Index("ix_case_skeleton_referral_sent", "sent_month"),
        *_copies_indexed("case_skeleton_referral"),
    )


class CaseSkeletonScore(SkeletonCopies, Base):
    """A sustainability score of a skeleton's case: the last visit's score of each quarter
    (``YYYY-Qn``) and dimension, with the quarter counted from the return (1 = the quarter of
    the return; from registration where no return is recorded)."""

    __tablename__ = "case_skeleton_score"

    skeleton_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_skeleton.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(30), primary_key=True)
    quarter_since_return: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    #: Whether this is the person's latest score of the dimension (the greatest period with a
    #: score): derived from the other rows, kept by :mod:`casework.skeleton.derived` after
    #: every flush that writes scores, so that figures read each person's latest score
    #: without looking for it.
    latest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_case_skeleton_score_period", "period", "dimension"),
        *_copies_indexed("case_skeleton_score"),
    )


class CaseSkeletonAction(SkeletonCopies, Base):
    """A plan action of a skeleton's case: its dimension, the month it was due and whether it
    was done by its due date (None: not done)."""

    __tablename__ = "case_skeleton_action"

    skeleton_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_skeleton.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str | None] = mapped_column(String(30))
    due_month: Mapped[str | None] = mapped_column(String(7))
    done_on_time: Mapped[bool | None] = mapped_column(Boolean)
    #: Whether this is the person's action of its dimension due first (the earliest due
    #: month, then the smallest ordinal; no dimension is one group): derived, kept by
    #: :mod:`casework.skeleton.derived`. A person has actions of a dimension due before a
    #: month exactly when this one is.
    earliest_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_case_skeleton_action_due", "due_month"),
        *_copies_indexed("case_skeleton_action"),
    )
