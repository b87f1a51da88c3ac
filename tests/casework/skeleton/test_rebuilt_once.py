"""A transaction's touched cases are rebuilt once, at its commit (or before a read of a
skeleton), not after each of its flushes (issue 18: a registration built its skeleton twice)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import bindparam, event, select, text
from sqlalchemy.orm import Session

from audit.services import record
from casework.erasure import erase_person
from casework.models import Case
from casework.skeleton import tracking
from casework.skeleton.models import CaseSkeleton, CaseSkeletonLink
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.helpers import FARIDA, case_url, register
from tests.casework.test_editing import _version
from tests.factories import post_form
from tests.referrals.helpers import case_id_of


@pytest.fixture
def rebuilds(monkeypatch) -> Counter:
    """How many times each case's skeleton was rebuilt."""
    counted: Counter = Counter()
    real = tracking.refresh_skeleton

    def counting(session, case, **extra):
        counted[case.id] += 1
        return real(session, case, **extra)

    monkeypatch.setattr(tracking, "refresh_skeleton", counting)
    return counted


def _skeleton_of(db_session, case_id) -> CaseSkeleton:
    link = db_session.get(CaseSkeletonLink, case_id)
    assert link is not None
    return link.skeleton


def test_a_registration_builds_its_skeleton_once(app, db_session, client, case, rebuilds):
    url = case_url(register(client, {**FARIDA, "name_latin": "Mina Rahimi"}, confirm_new=True))
    assert url != case
    case_id = case_id_of(url)
    assert rebuilds == {case_id: 1}
    db_session.expire_all()
    assert _skeleton_of(db_session, case_id).case_type == FARIDA["case_type"]


def test_an_edit_of_a_case_is_rebuilt_once(app, db_session, client, case, rebuilds):
    details = f"{case}/details"
    data = {"case_type": "returnee", "version": _version(client, details)}
    assert post_form(client, details, data).status_code == 302
    assert rebuilds == {case_id_of(case): 1}
    db_session.expire_all()
    assert _skeleton_of(db_session, case_id_of(case)).case_type == "returnee"


@pytest.fixture
def changed(app, db_session, case) -> Case:
    """The case, loaded in the test's session with key material, its type changed (not
    flushed)."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    record = db_session.get(Case, case_id_of(case))
    record.case_type = "returnee"
    return record


def _read_case_type(db_session, case_id) -> str:
    return db_session.scalar(
        select(CaseSkeleton.case_type)
        .join(CaseSkeletonLink, CaseSkeletonLink.skeleton_id == CaseSkeleton.id)
        .where(CaseSkeletonLink.case_id == case_id)
    )


def test_a_commit_without_an_audit_event_rebuilds_from_its_unflushed_changes(
    db_session, changed, rebuilds
):
    db_session.commit()  # nothing flushed before: the commit's rebuild must flush first
    assert rebuilds == {changed.id: 1}
    db_session.expire_all()
    assert _skeleton_of(db_session, changed.id).case_type == "returnee"


def test_a_read_of_a_skeleton_sees_the_changes_before_it(db_session, changed, rebuilds):
    db_session.flush()
    assert rebuilds == {}  # the flush only noted the case
    assert _read_case_type(db_session, changed.id) == "returnee"
    assert rebuilds == {changed.id: 1}
    changed.case_type = "presumed_victim"  # not even flushed: the read's autoflush writes it
    assert _read_case_type(db_session, changed.id) == "presumed_victim"
    assert rebuilds == {changed.id: 2}


def test_a_rolled_back_savepoint_keeps_the_cases_touched_before_it(db_session, changed, rebuilds):
    db_session.flush()
    savepoint = db_session.begin_nested()
    changed.risk_level = "high"
    db_session.flush()
    savepoint.rollback()
    db_session.commit()
    assert rebuilds == {changed.id: 1}
    db_session.expire_all()
    assert _skeleton_of(db_session, changed.id).case_type == "returnee"


def test_a_rollback_forgets_the_touched_cases(db_session, changed, rebuilds):
    db_session.flush()
    assert db_session.info.get(tracking.CASES) == {changed.id}
    db_session.rollback()
    assert not db_session.info.get(tracking.CASES) and rebuilds == {}


# ---- the second reader's cases -------------------------------------------------------------


def test_a_rebuild_undone_by_a_savepoint_rollback_is_done_again(db_session, changed, rebuilds):
    db_session.flush()
    savepoint = db_session.begin_nested()
    assert _read_case_type(db_session, changed.id) == "returnee"  # rebuilt inside it
    savepoint.rollback()  # the rebuild's writes go; the change, made before, stays
    db_session.commit()
    db_session.expire_all()
    assert _skeleton_of(db_session, changed.id).case_type == "returnee"


def test_a_change_a_later_listener_makes_at_the_commit_is_rebuilt(db_session, changed, rebuilds):
    db_session.flush()

    def late(session):
        if session is db_session:
            changed.case_type = "identified_victim"

    event.listen(Session, "before_commit", late)  # after the skeleton's own listener
    try:
        db_session.commit()
    finally:
        event.remove(Session, "before_commit", late)
    # Rebuilt by the commit itself (a later read would rebuild what it left behind): the
    # skeleton is read around the session's listeners.
    assert rebuilds == {changed.id: 2} and not tracking._touched(db_session)
    stored = db_session.info["connection"].execute(
        select(CaseSkeleton.case_type)
        .join(CaseSkeletonLink, CaseSkeletonLink.skeleton_id == CaseSkeleton.id)
        .where(CaseSkeletonLink.case_id == changed.id)
    )
    assert stored.scalar() == "identified_victim"


def test_a_commit_that_failed_leaves_the_next_flushes_waiting(db_session, changed, rebuilds):
    def failing(session):
        if session is db_session:
            raise RuntimeError("a listener refused the commit")

    event.listen(Session, "before_commit", failing)
    try:
        with pytest.raises(RuntimeError):
            db_session.commit()
    finally:
        event.remove(Session, "before_commit", failing)
    assert rebuilds == {changed.id: 1}
    changed.case_type = "identified_victim"
    db_session.flush()  # the transaction goes on: a flush only notes the case again
    assert rebuilds == {changed.id: 1} and tracking._touched(db_session)


def test_a_session_without_keys_keeps_its_touched_cases_for_one_that_has_them(
    app, db_session, case, rebuilds
):
    session = app.extensions["homeward_db"].new_session()
    try:
        record = session.get(Case, case_id_of(case))
        record.case_type = "returnee"
        session.commit()  # no key material: the person cannot be read, the case waits
        assert rebuilds == {} and session.info.get(tracking.CASES) == {record.id}
        bind_crypto(session, app.extensions[EXTENSION_KEY])
        session.commit()
        assert rebuilds == {record.id: 1}
    finally:
        session.close()
    db_session.expire_all()
    assert _skeleton_of(db_session, case_id_of(case)).case_type == "returnee"


def test_a_refresh_and_a_text_query_read_the_skeleton_current(db_session, changed):
    skeleton = _skeleton_of(db_session, changed.id)
    assert skeleton.case_type == "returnee"
    changed.case_type = "identified_victim"
    db_session.flush()
    db_session.refresh(skeleton)  # a refresh does not flush: the read writes the rebuild
    assert skeleton.case_type == "identified_victim"
    changed.case_type = "returnee_and_victim"
    query = text("SELECT case_type FROM case_skeleton WHERE id = :id").bindparams(
        bindparam("id", type_=CaseSkeleton.id.type)
    )
    assert db_session.scalar(query, {"id": skeleton.id}) == "returnee_and_victim"


def test_a_released_savepoint_leaves_the_rebuild_to_the_commit(app, db_session, changed, rebuilds):
    with db_session.begin_nested():
        changed.risk_level = "high"
    assert rebuilds == {}
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        record(db_session, "case.updated", object_type="case", case_id=changed.id)
        db_session.commit()
    assert rebuilds == {changed.id: 1}


def test_an_erasure_undone_by_a_savepoint_leaves_the_skeleton_kept_current(app, db_session, case):
    """The final snapshot an erasure takes marks the case final for the session; a savepoint
    rolled back over the erasure undoes the mark with it, so later changes to the case (its
    person still there) reach its skeleton again."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case_id = case_id_of(case)
    record_ = db_session.get(Case, case_id)
    savepoint = db_session.begin_nested()
    with app.app_context():
        erase_person(db_session, None, record_.person, "the person asked for it")
    db_session.flush()
    assert db_session.get(CaseSkeletonLink, case_id) is None
    savepoint.rollback()
    db_session.expire_all()
    record_ = db_session.get(Case, case_id)
    assert record_.person.erased_at is None
    record_.case_type = "returnee"
    db_session.flush()
    tracking.rebuild_touched(db_session)
    db_session.flush()
    db_session.expire_all()
    assert _skeleton_of(db_session, case_id).case_type == "returnee"  # before: FARIDA's type
