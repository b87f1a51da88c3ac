"""Review: the audit log names what changed, never the values (DESIGN 5), so nothing of an
erased person's assessment or screening outlives erasure in the append-only log.

``assessment.recorded`` kept every risk level and ``screening.recorded`` the screening
outcome, per case and to the second, in a log erasure cannot touch: finer than the skeleton
(which has no risk levels at all) and linked to the case number.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from audit.models import AuditEvent
from tests.casework.helpers import SCREENING, record_screening
from tests.casework.planning_helpers import ASSESSMENT, record_assessment


def _details(db_session, action: str) -> dict:
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == action))
    assert event is not None, action
    return json.loads(event.details or "{}")


def test_assessment_and_screening_events_hold_no_values(db_session, client, farida):
    assert record_screening(client, farida, SCREENING).status_code == 302
    assert record_assessment(client, farida).status_code == 302
    assessment = _details(db_session, "assessment.recorded")
    text = json.dumps(assessment)
    for name in ("economic", "social", "psychosocial", "overall"):
        assert ASSESSMENT[f"{name}_risk_level"] not in text, name
    assert "overall_risk_level" in assessment["fields"]
    screening = _details(db_session, "screening.recorded")
    assert SCREENING["outcome"] not in json.dumps(screening)
    assert "outcome" in screening["fields"]
