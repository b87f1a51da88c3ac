"""A transaction's touched cases are rebuilt once, at its commit (or before a read of a
skeleton), not after each of its flushes (issue 18: a registration built its skeleton twice)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

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
