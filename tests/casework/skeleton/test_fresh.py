"""A case rebuilt after a flush is not rebuilt again for the commit's events naming it, unless
something may have changed it since (``casework.skeleton.tracking.FRESH``, issue 18): a
statement outside the unit of work, or the end of a savepoint."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from audit.services import record
from casework.models import Case
from casework.skeleton.models import CaseSkeletonLink
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.helpers import FARIDA, case_url, register
from tests.referrals.helpers import case_id_of


def _counting(monkeypatch: Any) -> list[Any]:
    """The case ids the tracking rebuilds, in order."""
    from casework.skeleton import tracking

    rebuilt: list[Any] = []
    real = tracking.refresh_skeleton

    def counted(session, case, **kwargs):
        rebuilt.append(case.id)
        return real(session, case, **kwargs)

    monkeypatch.setattr(tracking, "refresh_skeleton", counted)
    return rebuilt


def _case_type(db_session, case_id) -> str:
    db_session.expire_all()
    link = db_session.get(CaseSkeletonLink, case_id)
    assert link is not None
    return str(link.skeleton.case_type)


def test_a_registration_rebuilds_its_case_once(app, db_session, client, case, monkeypatch):
    rebuilt = _counting(monkeypatch)
    other = case_url(register(client, {**FARIDA, "name_latin": "Zarina Karimi"}, True))
    assert rebuilt == [case_id_of(other)]
    # ... and the one rebuild saw everything: the skeleton holds the new case.
    assert _case_type(db_session, case_id_of(other)) == "presumed_victim"


def _session(app):
    session = app.extensions["homeward_db"].new_session()
    bind_crypto(session, app.extensions[EXTENSION_KEY])
    return session


def test_an_update_outside_the_unit_of_work_after_the_rebuild_is_rebuilt_again(
    app, db_session, case, monkeypatch
):
    """The flush's rebuild happened before the service's own ``UPDATE``; the event naming the
    case must rebuild it again, or the skeleton keeps the type the flush wrote."""
    rebuilt = _counting(monkeypatch)
    changed = case_id_of(case)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        session = _session(app)
        session.get(Case, changed).case_type = "identified_victim"
        session.flush()  # rebuilt here: the case is fresh
        assert rebuilt == [changed]
        session.execute(update(Case).where(Case.id == changed).values(case_type="returnee"))
        record(session, "case.updated", object_type="case", object_id=changed, case_id=changed)
        session.commit()
        session.close()
    assert rebuilt == [changed, changed]
    assert _case_type(db_session, changed) == "returnee"


def test_a_fresh_case_is_rebuilt_once_for_its_events(app, db_session, case, monkeypatch):
    rebuilt = _counting(monkeypatch)
    changed = case_id_of(case)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        session = _session(app)
        session.get(Case, changed).case_type = "returnee"
        session.flush()
        record(session, "case.updated", object_type="case", object_id=changed, case_id=changed)
        session.commit()
        session.close()
    assert rebuilt == [changed]
    assert _case_type(db_session, changed) == "returnee"


def test_a_rebuild_undone_by_a_savepoint_is_done_again(app, db_session, case, monkeypatch):
    """The change is flushed before the savepoint and rebuilt; the rebuild's writes are flushed
    inside the savepoint, which rolls back: the event at the commit must rebuild the case."""
    rebuilt = _counting(monkeypatch)
    changed = case_id_of(case)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        session = _session(app)
        session.get(Case, changed).case_type = "returnee"
        savepoint = session.begin_nested()  # flushes the change first: rebuilt, pending
        session.flush()  # the rebuild's writes, inside the savepoint
        savepoint.rollback()
        record(session, "case.updated", object_type="case", object_id=changed, case_id=changed)
        session.commit()
        session.close()
    assert rebuilt == [changed, changed]
    assert _case_type(db_session, changed) == "returnee"


def test_a_case_is_fresh_only_within_its_transaction(app, db_session, case, monkeypatch):
    """Rebuilt in one transaction; changed by another session before this session's next one
    names it in an event: the next one rebuilds it."""
    rebuilt = _counting(monkeypatch)
    changed = case_id_of(case)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        session = _session(app)
        session.get(Case, changed).case_type = "identified_victim"
        session.commit()
        other = _session(app)
        other.execute(update(Case.__table__).where(Case.id == changed).values(case_type="returnee"))
        other.commit()
        other.close()
        session.expire_all()
        record(session, "case.updated", object_type="case", object_id=changed, case_id=changed)
        session.commit()
        session.close()
    assert rebuilt == [changed, changed]
    assert _case_type(db_session, changed) == "returnee"
