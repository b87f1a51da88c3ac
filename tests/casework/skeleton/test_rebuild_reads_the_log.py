"""A skeleton built after a flush is not final when it reads the audit log: the events the
request recorded are appended after that flush, at the commit, and rebuild the case again
(why that second rebuild is never skipped: ``casework.skeleton.tracking``)."""

from __future__ import annotations

from typing import Any

from casework.models import Case
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeletonLink
from casework.skeleton.services import skeleton_values
from casework.statistics import month
from core.clock import utcnow
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.planning_helpers import planned_case, review
from tests.factories import sign_in
from tests.referrals.helpers import case_id_of


def _committed_and_rebuilt(app, db_session, url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The committed skeleton's fields, and what a rebuild from the case's records gives."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    db_session.expire_all()
    link = db_session.get(CaseSkeletonLink, case_id_of(url))
    assert link is not None
    committed = {name: getattr(link.skeleton, name) for name in SKELETON_FIELDS}
    rebuilt = skeleton_values(db_session, db_session.get(Case, case_id_of(url)))
    return committed, {name: rebuilt[name] for name in SKELETON_FIELDS}


def test_the_plan_approval_gives_the_month_monitoring_started(
    app, db_session, client, case, supervisor
):
    """The approval moves the case to implementation: ``case.stage_changed`` is the one record
    of when (``casework.monitoring.queries.monitoring_started_month``). The commit's flush
    rebuilds the case before that event is appended; the event must rebuild it again."""
    planned_case(client, case)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    assert review(boss, case).status_code == 302
    committed, rebuilt = _committed_and_rebuilt(app, db_session, case)
    assert rebuilt["monitoring_started_month"] == month(utcnow())
    assert committed == rebuilt
