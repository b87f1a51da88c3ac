"""Two transactions change one case at once (PostgreSQL, READ COMMITTED): the skeleton the
last commit writes holds both changes. The commit's events rebuild the case after the chain's
lock is granted, when the other transaction's rows are visible; the rebuild after a flush ran
before (why the events' rebuild is never skipped: ``casework.skeleton.tracking``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.models import Case
from casework.monitoring.services import VisitDetails, current_survey, record_visit
from casework.monitoring.vocabulary import VisitType
from casework.skeleton.models import CaseSkeleton, CaseSkeletonLink
from core.clock import utcnow
from core.db import Database
from core.permissions import Role
from core.security import Actor
from tests.casework.test_duplicate_disclosure_race_pg import _setup
from tests.referrals.test_concurrency import scratch_app  # noqa: F401 - fixture

pytestmark = pytest.mark.postgres_only


def _visit(app, actor: Actor, case_id) -> object:
    """A session that has recorded a visit and flushed it (rebuilt, not committed)."""
    database: Database = app.extensions["homeward_db"]
    session = database.new_session()
    case = session.get(Case, case_id)
    assert case is not None
    details = VisitDetails(
        visited_on=utcnow().date() - timedelta(days=1), visit_type=VisitType.HOME
    )
    record_visit(session, actor, case, details)
    return session


def test_two_visits_at_once_are_both_counted(scratch_app):  # noqa: F811
    _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    with scratch_app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        with database.session_scope() as db:
            case = db.scalar(select(Case))
            assert case is not None
            case_id = case.id
            current_survey(db)  # written now: two first visits would both insert it
            actor = Actor(case.assigned_to_id, Role.CASEWORKER, case.organisation_id)
        first = _visit(scratch_app, actor, case_id)
        second = _visit(scratch_app, actor, case_id)
        first.commit()
        second.commit()  # its flush's rebuild saw one visit; its events come after the first
        first.close()
        second.close()
        with database.session_scope() as db:
            link = db.get(CaseSkeletonLink, case_id)
            assert link is not None
            skeleton = db.get(CaseSkeleton, link.skeleton_id)
            assert skeleton is not None and skeleton.visits_done == 2
