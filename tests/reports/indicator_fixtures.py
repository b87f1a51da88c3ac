"""Hand-computed skeleton populations for the indicator tests (rows inserted directly)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from casework.skeleton.models import (
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonReferral,
    CaseSkeletonScore,
)


def skeleton(db: Session, organisation_id: uuid.UUID, **values: Any) -> CaseSkeleton:
    """A skeleton with its detail rows: ``codes`` ({field: [codes]}), ``referral_facts``,
    ``score_facts`` and ``action_facts`` (lists of dicts), the rest are columns."""
    codes = values.pop("codes", {})
    referrals = values.pop("referral_facts", [])
    scores = values.pop("score_facts", [])
    actions = values.pop("action_facts", [])
    row = CaseSkeleton(
        organisation_id=organisation_id,
        case_type=values.pop("case_type", "identified_victim"),
        registered_month=values.pop("registered_month", "2026-03"),
        **values,
    )
    db.add(row)
    db.flush()
    for field, found in codes.items():
        db.add_all(CaseSkeletonCode(skeleton_id=row.id, field=field, code=c) for c in found)
    for ordinal, fact in enumerate(referrals, 1):
        db.add(CaseSkeletonReferral(skeleton_id=row.id, ordinal=ordinal, **fact))
    for fact in scores:
        db.add(CaseSkeletonScore(skeleton_id=row.id, **fact))
    for ordinal, fact in enumerate(actions, 1):
        db.add(CaseSkeletonAction(skeleton_id=row.id, ordinal=ordinal, **fact))
    db.flush()
    return row


def many(db: Session, organisation_id: uuid.UUID, count: int, **values: Any) -> None:
    for _ in range(count):
        skeleton(
            db,
            organisation_id,
            **{k: (list(v) if isinstance(v, list) else v) for k, v in values.items()},
        )
