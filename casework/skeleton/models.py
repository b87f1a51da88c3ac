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

from sqlalchemy import JSON, Boolean, ForeignKey, String
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
