"""Monitoring reads shared with the rest of casework."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.queries import case_event_details
from casework.models import Case
from casework.monitoring.models import MonitoringVisit
from casework.statistics import month, quarter
from casework.vocabulary import Stage


def monitoring_started_month(session: Session, case: Case) -> str | None:
    """``YYYY-MM`` the case first entered implementation (follow-up visits fall due from then).

    The stage is advanced by the work done and every move is audited as
    ``case.stage_changed`` (:mod:`casework.stages`); that log is the one record of when a
    stage began (the case row keeps only the current stage), as
    ``casework.monitoring.services.visits_due`` reads it. The first move into implementation
    counts (a reopened case entering it again does not restart its monitoring)."""
    for occurred_at, details in case_event_details(session, case.id, "case.stage_changed"):
        if details.get("to") == Stage.IMPLEMENTATION.value:
            return month(occurred_at)
    return None


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Monitoring's fields of the case's statistical skeleton: sustainability scores by
    quarter (the last visit of each quarter), as a JSON column and as ``score_facts`` rows
    (``quarter_since_return`` is counted by the builder, which knows the return month; a
    dimension the visit could not score has no row), visits recorded, and the month the case
    entered implementation."""
    visits = list(
        session.scalars(
            select(MonitoringVisit)
            .where(MonitoringVisit.case_id == case.id)
            .order_by(MonitoringVisit.visited_on, MonitoringVisit.recorded_at)
        )
    )
    by_quarter: dict[str, Any] = {}
    for visit in visits:
        scores = visit.scores or {}
        by_quarter[quarter(visit.visited_on)] = {
            str(k): (round(float(v), 2) if isinstance(v, int | float) else None)
            for k, v in scores.items()
        }
    score_facts = [
        {"period": period, "dimension": dimension, "score": score}
        for period, scores in sorted(by_quarter.items())
        for dimension, score in sorted(scores.items())
        if score is not None
    ]
    return {
        "monitoring_scores": by_quarter or None,
        "score_facts": score_facts,
        "visits_done": len(visits),
        "monitoring_started_month": monitoring_started_month(session, case),
    }
