"""The statistical skeletons of a chunk's cases, built in bulk from the objects the generator
has just made, as ``casework.skeleton.services.refresh_skeleton`` would build them from the
database: the same fields and detail rows (codes, referrals, scores, actions), with the app's
own helpers where they are pure (``_person_part``, ``returned_month``, ``_codes``,
``_scores``, ``majority_at``, ``casework.statistics``). The parts that read the database are
mirrored here over the chunk's objects; ``tests/bench/test_generate_skeleton.py`` proves them
equal: ``refresh_skeleton`` run over a generated database changes nothing.

Generated cases have no transfers, reopenings or reflection periods, and no audit events
(so no ``case.stage_changed`` gives a month monitoring started, and an action marked done was
done at its last change, ``updated_at``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Table

from casework.statistics import codes, days_since, month, quarter

FINISHED = frozenset({"completed", "not_completed"})


def by_model(objects: list[Any]) -> defaultdict[str, list[Any]]:
    found: defaultdict[str, list[Any]] = defaultdict(list)
    for obj in objects:
        found[obj.model.__name__].append(obj)
    return found


def screening_part(case: Any, person: Any, made: defaultdict[str, list[Any]]) -> dict[str, Any]:
    """``casework.screening.queries.skeleton_part`` over the case's objects."""
    from casework.screening.queries import majority_at

    screenings = sorted(made["Screening"], key=lambda s: (s.recorded_at, s.id))
    stories = sorted(made["TraffickingStory"], key=lambda s: s.version)
    story = stories[-1] if stories else None
    part: dict[str, Any] = {}
    if screenings:
        latest = screenings[-1]
        first_on = min(s.screened_on for s in screenings)
        part = {
            "screening_outcome": latest.outcome,
            "exploitation_types": codes(latest.exploitation_types),
            "means_of_control": codes(latest.means_of_control),
            "screened_month": month(first_on),
            "days_to_screening": days_since(case.opened_at, first_on),
        }
    part.update({"reflection_periods": 0, "reflection_days": 0})
    if story is not None:
        part["recruiter_relation"] = story.recruiter_relation
        part["exploitation_countries"] = codes(story.exploitation_countries)
        part["exploitation_sectors"] = codes(story.exploitation_sectors)
        part["majority_at_exploitation"] = majority_at(person, story.exploitation_started_month)
        if not screenings or story.recorded_at >= screenings[-1].recorded_at:
            part["exploitation_types"] = codes(story.exploitation_types)
            part["means_of_control"] = codes(story.means_of_control)
    return part


def consent_part(case: Any, made: defaultdict[str, list[Any]]) -> dict[str, Any]:
    times = [r.recorded_at for r in made["LegalBasisRecord"] if r.basis == "consent"]
    first = min(times) if times else None
    return {"consent_month": month(first), "days_to_consent": days_since(case.opened_at, first)}


def planning_part(case: Any, made: defaultdict[str, list[Any]]) -> dict[str, Any]:
    """Approval month and days, and ``action_facts`` (done on time: done by ``updated_at``)."""
    approved = min(
        (r.decided_at for r in made["PlanReview"] if r.decision == "approved"), default=None
    )
    actions = sorted(made["PlanAction"], key=lambda a: (a.created_at, a.id))
    facts = [
        {
            "ordinal": n,
            "dimension": action.dimension,
            "due_month": month(action.due_on),
            "done_on_time": (
                action.updated_at.date() <= action.due_on if action.status == "done" else None
            ),
        }
        for n, action in enumerate(actions, start=1)
    ]
    return {
        "plan_approved_month": month(approved),
        "days_to_plan": days_since(case.opened_at, approved),
        "action_facts": facts,
    }


def monitoring_part(made: defaultdict[str, list[Any]]) -> dict[str, Any]:
    visits = sorted(made["MonitoringVisit"], key=lambda v: (v.visited_on, v.recorded_at))
    by_quarter: dict[str, Any] = {}
    for visit in visits:
        by_quarter[quarter(visit.visited_on)] = {
            str(k): (round(float(v), 2) if isinstance(v, int | float) else None)
            for k, v in (visit.scores or {}).items()
        }
    return {
        "monitoring_scores": by_quarter or None,
        "score_facts": [
            {"period": period, "dimension": dimension, "score": score}
            for period, scores in sorted(by_quarter.items())
            for dimension, score in sorted(scores.items())
            if score is not None
        ],
        "visits_done": len(visits),
        "monitoring_started_month": None,
    }


def closure_part(made: defaultdict[str, list[Any]]) -> dict[str, Any]:
    approved = [c for c in made["CaseClosure"] if c.status == "approved"]
    closure = max(approved, key=lambda c: c.decided_at) if approved else None
    return {
        "closed_month": month(closure.decided_at) if closure else None,
        "closure_reason": closure.reason if closure else None,
        "reopenings": 0,
    }


def referral_part(
    case: Any, made: defaultdict[str, list[Any]], types: dict[uuid.UUID, list[str]]
) -> dict[str, Any]:
    """``referrals.reading.skeleton_part`` over the case's referrals and their events."""
    referrals = made["Referral"]
    if not referrals:
        return {}
    declines = {
        e.referral_id: e.reason_code
        for e in sorted(made["ReferralEvent"], key=lambda e: e.at)
        if e.to_state == "declined" and e.reason_code
    }
    facts = []
    for n, r in enumerate(sorted(referrals, key=lambda r: (r.sent_at, str(r.id))), start=1):
        kinds = types.get(r.service_id, [])
        facts.append(
            {
                "ordinal": n,
                "service_type": kinds[0] if kinds else None,
                "provider_id": r.provider_organisation_id,
                "state": r.state,
                "decline_reason": declines.get(r.id) if r.state == "declined" else None,
                "sent_month": month(r.sent_at),
                "days_to_answer": days_since(r.sent_at, r.answered_at),
                "days_to_complete": days_since(
                    r.sent_at, r.closed_at if r.state in FINISHED else None
                ),
                "transnational": bool(r.transnational),
            }
        )
    first_sent = min(r.sent_at for r in referrals)
    return {
        "first_referral_month": month(first_sent),
        "days_to_first_referral": days_since(case.opened_at, first_sent),
        "referrals": sorted([",".join(types[r.service_id]), r.state] for r in referrals),
        "referral_facts": facts,
    }


def skeleton_values(
    case: Any, person: Any, objects: list[Any], types: dict[uuid.UUID, list[str]]
) -> dict[str, Any]:
    """``casework.skeleton.services.skeleton_values`` of a case from its generated objects."""
    from casework.skeleton.models import SKELETON_DETAILS, SKELETON_FIELDS
    from casework.skeleton.services import _codes, _person_part, _scores, returned_month

    made = by_model(objects)
    values: dict[str, Any] = dict.fromkeys(SKELETON_FIELDS)
    values.update({key: [] for key in SKELETON_DETAILS})
    values.update(
        {
            "organisation_id": case.organisation_id,
            "case_type": case.case_type,
            "vulnerability_codes": sorted(v.code for v in made["CaseVulnerability"]),
            "registered_month": month(case.opened_at),
            "returned_month": returned_month(case),
            "province": case.province_pcode,
            "referral_source": case.referral_source,
            "transfers": 0,
            **_person_part(person, case),
        }
    )
    for part in (
        screening_part(case, person, made),
        consent_part(case, made),
        planning_part(case, made),
        monitoring_part(made),
        closure_part(made),
        referral_part(case, made, types),
    ):
        values.update({k: v for k, v in part.items() if k in SKELETON_FIELDS + SKELETON_DETAILS})
    values["codes"] = _codes(values)
    values["score_facts"] = _scores(values, values["score_facts"] or [])
    return values


def skeleton_rows(
    cases: list[tuple[Any, Any, list[Any]]], types: dict[uuid.UUID, list[str]]
) -> dict[Table, list[dict[str, Any]]]:
    """The rows of the skeletons, their links and detail rows of ``(case, person, objects)``."""
    from casework.skeleton.derived import derived_columns
    from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton, CaseSkeletonLink
    from casework.skeleton.services import DETAIL_MODELS

    def table(model: Any) -> Table:
        found = model.__table__
        assert isinstance(found, Table)
        return found

    rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
    # The derived flags (casework.skeleton.derived) are left to their server default here and
    # set by insert_rows after the chunk is written, as the app's flush listener sets them.
    details = {
        key: (table(m), [c.key for c in table(m).columns if c.key not in derived_columns(m)])
        for key, (m, _k) in DETAIL_MODELS.items()
    }
    for case, person, objects in cases:
        values = skeleton_values(case, person, objects, types)
        skeleton_id = uuid.uuid4()
        rows[table(CaseSkeleton)].append(
            {"id": skeleton_id, **{f: values[f] for f in SKELETON_FIELDS}}
        )
        rows[table(CaseSkeletonLink)].append({"case_id": case.id, "skeleton_id": skeleton_id})
        for key, (detail, columns) in details.items():
            for row in values[key] or ():
                rows[detail].append(
                    {**{c: row.get(c) for c in columns}, "skeleton_id": skeleton_id}
                )
    return rows
