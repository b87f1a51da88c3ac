"""Monitoring reads shared with the rest of casework."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case
from casework.monitoring.models import MonitoringVisit
from casework.statistics import quarter


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Monitoring's fields of the case's statistical skeleton: sustainability scores by quarter."""
    visits = session.scalars(
        select(MonitoringVisit)
        .where(MonitoringVisit.case_id == case.id)
        .order_by(MonitoringVisit.visited_on, MonitoringVisit.recorded_at)
    )
    by_quarter: dict[str, Any] = {}
    for visit in visits:
        scores = visit.scores or {}
        by_quarter[quarter(visit.visited_on)] = {
            str(k): (round(float(v), 2) if isinstance(v, int | float) else None)
            for k, v in scores.items()
        }
    return {"monitoring_scores": by_quarter or None}
