"""Second reader of issue 18, P5: the skeleton follows the events' last write, not a lost one.

The commit's append inserts its events outside the unit of work and tells the skeleton's
tracking through ``audit.signals.events_appended``. Events recorded before a savepoint and
written inside it (a read of the audit table there) are undone when it rolls back, and with
them the rebuild they caused; they go back to the queue, and their write at the commit must
touch their case again."""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEvent
from audit.services import PENDING, flush_pending, record
from tests.referrals.helpers import case_id_of


def test_events_written_in_a_rolled_back_savepoint_touch_their_case_again(
    app, db_session, case, monkeypatch
):
    from casework.skeleton import tracking

    touched: list[set] = []
    real = tracking._touched_cases

    def watched(session):
        cases = real(session)
        touched.append(set(cases))
        return cases

    monkeypatch.setattr(tracking, "_touched_cases", watched)
    changed = case_id_of(case)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        session = app.extensions["homeward_db"].new_session()
        event = record(session, "referral.accepted", object_type="referral", case_id=changed)
        savepoint = session.begin_nested()
        flush_pending(session)  # written inside the savepoint: the case is rebuilt there
        assert event.seq is not None and touched == [{changed}]
        savepoint.rollback()
        assert [item.event.case_id for item in session.info[PENDING]] == [changed]
        session.commit()
        stored = session.scalar(
            select(AuditEvent).where(AuditEvent.case_id == changed).order_by(AuditEvent.seq.desc())
        )
        session.close()
    assert touched == [{changed}, {changed}]
    assert stored is not None and stored.action == "referral.accepted"
