"""Statistical skeletons in bulk for the figures benchmark (``bench/reports_bench.py``).

:func:`fill` writes skeletons and their detail rows straight into the tables, in batches,
with a seeded, realistic mix of real vocabulary codes (:func:`check_codes` refuses any that is
not): case types, sexes, CTDC age bands, nationalities, kinds of exploitation and means of
control, durations, referrals in every state with decline reasons, quarterly sustainability
scores, plan actions, closures, erasures, over 24 months. The derived flags are written as the
flush listener would keep them; the detail rows' copies of their skeleton's month and
organisation are the database's own (its triggers).
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from sqlalchemy import insert

MONTHS = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(24)]
# Real codes of the vocabularies the figures read (casework.vocabulary, screening, consent,
# closure, monitoring, referrals), with a realistic skew and some unknowns (None).
CASE_TYPES = (
    ["returnee"] * 6 + ["presumed_victim"] * 3 + ["identified_victim"] * 2 + ["returnee_and_victim"]
)
SEXES = ["female"] * 5 + ["male"] * 5 + ["other", "unknown", None]
BANDS = [
    "0-8",
    "9-17",
    "9-17",
    "18-20",
    "21-23",
    "24-26",
    "27-29",
    "30-38",
    "30-38",
    "39-47",
    "48+",
    None,
]
NATIONALITIES = ["AF"] * 12 + ["PK", "PK", "IR", "TR", "UZ", "TJ", None]
EXPLOITATION = [
    "forced_labour",
    "sexual_exploitation",
    "child_labour",
    "forced_marriage",
    "servitude",
    "forced_begging",
    "organ_removal",
    "forced_criminality",
    "other",
]
CONTROL = [
    "debt_bondage",
    "takes_earnings",
    "threats",
    "psychological_abuse",
    "physical_abuse",
    "sexual_abuse",
    "false_promises",
    "restricts_movement",
    "withholds_documents",
    "threats_to_family",
]
SERVICES = [
    "health",
    "mental_health",
    "legal",
    "shelter",
    "education",
    "vocational_training",
    "employment",
    "business_grant",
    "family_tracing",
    "documentation",
    "cash_assistance",
    None,
]
STATES = [
    "sent",
    "accepted",
    "accepted",
    "declined",
    "expired",
    "completed",
    "completed",
    "completed",
    "not_completed",
    "cancelled",
]
# ReferralEvent.reason_code of a decline (free codes; "no_capacity" as the tests use) or none.
DECLINES = ["no_capacity", "no_capacity", "not_offered_here", "not_eligible", None]
CLOSURES = [
    "support_period_ended",
    "no_longer_eligible",
    "opted_out",
    "left_area",
    "death",
    "lost_contact",
    "funding_ended",
    "other",
    None,
]
DIMENSIONS = ["economic", "social", "psychosocial"]
COMPOSITE = "composite"


def check_codes() -> None:
    """Every code above is a real code of its vocabulary (the bench fails rather than measure
    made-up rows)."""
    from casework.closure.vocabulary import ClosureReason
    from casework.consent.vocabulary import ServiceType
    from casework.monitoring.vocabulary import Dimension
    from casework.screening.vocabulary import ExploitationType, MeansOfControl
    from casework.statistics import AGE_BANDS
    from casework.vocabulary import CaseType, Sex
    from referrals.vocabulary import ReferralState

    for codes, known in (
        (CASE_TYPES, {t.value for t in CaseType}),
        (SEXES, {s.value for s in Sex}),
        (BANDS, {band for _low, _high, band in AGE_BANDS}),
        (EXPLOITATION, {e.value for e in ExploitationType}),
        (CONTROL, {m.value for m in MeansOfControl}),
        (SERVICES, {s.value for s in ServiceType}),
        (STATES, {s.value for s in ReferralState}),
        (CLOSURES, {r.value for r in ClosureReason}),
        (DIMENSIONS, {d.value for d in Dimension}),
    ):
        unknown = {c for c in codes if c is not None} - known
        if unknown:
            raise SystemExit(f"not codes of their vocabulary: {sorted(unknown)}")


def fill(db: Any, organisations: list[uuid.UUID], providers: list[uuid.UUID], n: int) -> None:
    from casework.skeleton.models import (
        CaseSkeleton,
        CaseSkeletonAction,
        CaseSkeletonCode,
        CaseSkeletonReferral,
        CaseSkeletonScore,
    )

    rng = random.Random(11)
    batch = 5000
    for start in range(0, n, batch):
        skeletons, codes, referrals, scores, actions = [], [], [], [], []
        for _ in range(start, min(n, start + batch)):
            sid = uuid.uuid4()
            m = rng.randrange(len(MONTHS))
            band = rng.choice(BANDS)
            stage = rng.random()
            closed = stage > 0.8
            skeletons.append(
                {
                    "id": sid,
                    "organisation_id": rng.choice(organisations),
                    "case_type": rng.choice(CASE_TYPES),
                    "sex": rng.choice(SEXES),
                    "age_band": band,
                    "child": None if band is None else band in ("0-8", "9-17"),
                    "nationality": rng.choice(NATIONALITIES),
                    "registered_month": MONTHS[m],
                    "province": f"AF{rng.randrange(1, 35):02d}",
                    "days_to_screening": rng.randrange(0, 30) if stage > 0.1 else None,
                    "days_to_consent": rng.randrange(0, 20) if stage > 0.15 else None,
                    "days_to_plan": rng.randrange(5, 90) if stage > 0.3 else None,
                    "days_to_first_referral": rng.randrange(1, 60) if stage > 0.35 else None,
                    "reflection_periods": 1 if rng.random() < 0.2 else 0,
                    "reflection_days": 30 if rng.random() < 0.2 else None,
                    "reopenings": 1 if rng.random() < 0.03 else 0,
                    "transfers": 1 if rng.random() < 0.05 else 0,
                    "monitoring_started_month": MONTHS[min(m + 2, 23)] if stage > 0.5 else None,
                    "visits_done": rng.randrange(0, 6) if stage > 0.5 else 0,
                    "closed_month": MONTHS[min(m + rng.randrange(3, 12), 23)] if closed else None,
                    "closure_reason": rng.choice(CLOSURES) if closed else None,
                    "erased_month": MONTHS[23] if closed and rng.random() < 0.1 else None,
                }
            )
            if stage > 0.1:
                for field, found in (
                    ("exploitation_type", rng.sample(EXPLOITATION, rng.choice((1, 1, 2)))),
                    ("means_of_control", rng.sample(CONTROL, rng.randrange(0, 4))),
                ):
                    # first_code as casework.skeleton.derived keeps it (bulk inserts skip it)
                    codes.extend(
                        {
                            "skeleton_id": sid,
                            "field": field,
                            "code": c,
                            "first_code": c == min(found),
                        }
                        for c in found
                    )
            if stage > 0.35:
                for ordinal in range(1, rng.randrange(2, 5)):
                    state = rng.choice(STATES)
                    referrals.append(
                        {
                            "skeleton_id": sid,
                            "ordinal": ordinal,
                            "service_type": rng.choice(SERVICES),
                            "provider_id": rng.choice(providers),
                            "state": state,
                            "decline_reason": rng.choice(DECLINES) if state == "declined" else None,
                            "sent_month": MONTHS[min(m + 1, 23)],
                            "days_to_answer": rng.randrange(0, 15) if state != "sent" else None,
                            "days_to_complete": rng.randrange(10, 120)
                            if state in ("completed", "not_completed")
                            else None,
                            "transnational": rng.random() < 0.05,
                        }
                    )
            if stage > 0.5:
                last = rng.randrange(2, 5) - 1
                for q in range(1, last + 1):
                    at = m + 3 * q  # may run past the last month: scores of later quarters
                    period = f"{2025 + at // 12}-Q{(at % 12) // 3 + 1}"
                    values = {d: round(rng.uniform(0.2, 1.0), 2) for d in DIMENSIONS}
                    values[COMPOSITE] = round(sum(values.values()) / len(DIMENSIONS), 4)
                    for dim, score in values.items():
                        scores.append(
                            {
                                "skeleton_id": sid,
                                "period": period,
                                "dimension": dim,
                                "quarter_since_return": q,
                                "score": score,
                                # every dimension is scored each quarter: the last is latest
                                "latest": q == last,
                            }
                        )
            if stage > 0.3:
                seen: set[str | None] = set()
                for ordinal in range(1, rng.randrange(2, 6)):
                    dimension = rng.choice([*DIMENSIONS, None])
                    actions.append(
                        {
                            "skeleton_id": sid,
                            "ordinal": ordinal,
                            "dimension": dimension,
                            "due_month": MONTHS[min(m + ordinal, 23)],
                            "done_on_time": rng.choice((True, True, False, None)),
                            # due months never go back: a dimension's first action is due first
                            "earliest_due": dimension not in seen,
                        }
                    )
                    seen.add(dimension)
        db.execute(insert(CaseSkeleton), skeletons)
        for model, rows in (
            (CaseSkeletonCode, codes),
            (CaseSkeletonReferral, referrals),
            (CaseSkeletonScore, scores),
            (CaseSkeletonAction, actions),
        ):
            if rows:
                db.execute(insert(model), rows)
        db.commit()
        print(f"  {min(n, start + batch)}/{n} skeletons", flush=True)
