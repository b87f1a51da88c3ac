"""Every case has exactly one statistical skeleton, kept current while its person exists, and
erasing the person changes no value of it (so no figure changes)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select

from casework.erasure import erase_person
from casework.models import Case
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton, CaseSkeletonLink
from casework.skeleton.services import fill_missing, missing_skeletons
from casework.statistics import month
from core.clock import utcnow
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from tests.casework.helpers import FARIDA, SCREENING, case_url, record_screening, register
from tests.casework.monitoring.test_monitoring import EXPECTED, VISIT
from tests.casework.planning_helpers import planned_case, review
from tests.casework.test_editing import PERSON, _version
from tests.factories import make_account, make_organisation, post_form, sign_in
from tests.referrals.helpers import case_id_of, provider_post, send


def _skeleton(db_session, url: str) -> CaseSkeleton:
    db_session.expire_all()
    link = db_session.get(CaseSkeletonLink, case_id_of(url))
    assert link is not None
    return link.skeleton


def _values(skeleton: CaseSkeleton) -> dict[str, Any]:
    """The skeleton's values, but the month of its erasure (which the erasure sets)."""
    return {name: getattr(skeleton, name) for name in SKELETON_FIELDS if name != "erased_month"}


def _count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(CaseSkeleton))


def test_registration_and_person_edit(app, db_session, client, case):
    first = _skeleton(db_session, case)
    assert (first.sex, first.age_band, first.child, first.nationality) == (
        "female",
        "30-38",
        False,
        "AF",
    )
    assert first.case_type == "presumed_victim" and first.consent_month is not None
    assert first.screening_outcome is None and first.referrals is None
    edit = f"{case}/person"
    data = {**PERSON, "date_of_birth": "2012-05-01", "version": _version(client, edit)}
    assert post_form(client, edit, data).status_code == 302
    again = _skeleton(db_session, case)
    assert again.id == first.id  # the same row, brought up to date
    assert (again.age_band, again.child) == ("9-17", True)
    details = f"{case}/details"
    data = {"case_type": "returnee", "version": _version(client, details)}
    assert post_form(client, details, data).status_code == 302
    assert _skeleton(db_session, case).case_type == "returnee"
    assert _count(db_session) == 1


def test_screening_visit_and_referral(app, db_session, client, case, service, provider_client):
    assert record_screening(client, case, SCREENING).status_code == 302
    skeleton = _skeleton(db_session, case)
    assert skeleton.screening_outcome == "possible"
    assert skeleton.means_of_control == ["threats", "withholds_documents"]
    assert post_form(client, f"{case}/monitoring/new", VISIT).status_code == 302
    assert list(_skeleton(db_session, case).monitoring_scores.values()) == [EXPECTED]
    referral = send(client, db_session, case, service, fields=("name_latin",))
    skeleton = _skeleton(db_session, case)
    assert skeleton.referrals == [["health", "sent"]] and skeleton.first_referral_month
    # The provider's answer is a conditional UPDATE outside the ORM: its audit event says so.
    assert provider_post(provider_client, referral, "accept").status_code == 302
    assert _skeleton(db_session, case).referrals == [["health", "accepted"]]
    assert _count(db_session) == 1


def test_plan_closure_reopening_and_transfer(app, db_session, client, case, supervisor):
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    planned_case(client, case)
    assert review(boss, case).status_code == 302
    assert _skeleton(db_session, case).plan_approved_month is not None
    closure = {"reason": "support_period_ended", "summary": "Twelve months of support completed."}
    assert post_form(client, f"{case}/closure/request", closure).status_code == 302
    decide = re.search(r'href="([^"]*/closure/[0-9a-f-]{36})"', boss.get(case).get_data(True))
    assert decide, "no closure decision link on the case page"
    assert post_form(boss, decide.group(1), {"decision": "approve"}).status_code == 302
    skeleton = _skeleton(db_session, case)
    assert (skeleton.closure_reason, skeleton.closed_month is not None) == (
        "support_period_ended",
        True,
    )
    reason = {"reason": "She came back and asks for help again."}
    assert post_form(client, f"{case}/closure/reopen", reason).status_code == 302
    other = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=other)
    offer = {"organisation": str(other.id)}
    assert post_form(boss, f"{case}/transfer", offer, token_from=case).status_code == 302
    taker = app.test_client()
    sign_in(taker, receiver, db_session)
    caseload = taker.get("/cases/").get_data(as_text=True)
    accept = re.search(r'action="(/cases/transfers/[^"]+/accept)"', caseload).group(1)
    assert post_form(taker, accept, {}, token_from="/cases/").status_code == 302
    assert _skeleton(db_session, case).organisation_id == other.id
    assert _count(db_session) == 1


def test_erasing_a_person_changes_no_figure(
    app, db_session, client, case, service, provider_client
):
    assert record_screening(client, case, SCREENING).status_code == 302
    referral = send(client, db_session, case, service, fields=("name_latin",))
    assert provider_post(provider_client, referral, "accept").status_code == 302
    someone_else = case_url(register(client, {**FARIDA, "name_latin": "Zarina Karimi"}, True))
    db_session.expire_all()
    before = sorted(map(repr, (_values(s) for s in db_session.scalars(select(CaseSkeleton)))))
    assert len(before) == 2
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    record = db_session.get(Case, case_id_of(case))
    with app.app_context():
        erase_person(db_session, None, record.person, "the person asked for it")
    db_session.flush()
    db_session.expire_all()
    after = sorted(map(repr, (_values(s) for s in db_session.scalars(select(CaseSkeleton)))))
    assert after == before
    erased = db_session.scalars(select(CaseSkeleton.erased_month)).all()
    assert sorted(erased, key=str) == sorted([None, month(utcnow())], key=str)
    # Nothing leads from the kept skeleton back to the case or the person any more.
    assert db_session.get(CaseSkeletonLink, record.id) is None
    assert db_session.get(CaseSkeletonLink, case_id_of(someone_else)) is not None
    # Later changes to the erased person's case do not reach the skeleton, nor make a new one.
    record = db_session.get(Case, record.id)
    record.stage = "closed"
    db_session.flush()
    assert _count(db_session) == 2 and missing_skeletons(db_session) == []


def test_cases_without_skeleton_get_one_from_the_command(app, db_session, client, case):
    link = db_session.get(CaseSkeletonLink, case_id_of(case))
    db_session.delete(link.skeleton)
    db_session.delete(link)
    db_session.flush()
    assert missing_skeletons(db_session) == [case_id_of(case)]
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    with app.app_context():
        assert fill_missing(db_session) == 1
    assert _skeleton(db_session, case).sex == "female"
    result = app.test_cli_runner().invoke(args=["cases", "rebuild-skeletons", "--all"])
    assert result.exit_code == 0 and "1 case(s)" in result.output, result.output


def test_an_audit_event_naming_a_case_has_it_rebuilt(app, db_session, case, monkeypatch):
    """Some services change a case with a conditional UPDATE outside the ORM; only their audit
    event says so. The commit appends events without a flush (issue 18, P5): they reach the
    tracking through ``audit.signals.events_appended``, reads excepted."""
    from audit.services import record
    from casework.skeleton import tracking

    touched: list[set] = []
    real = tracking._touched_cases

    def watched(session):
        cases = real(session)
        touched.append(set(cases))
        return cases

    monkeypatch.setattr(tracking, "_touched_cases", watched)
    changed, viewed = case_id_of(case), uuid.uuid4()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        session = app.extensions["homeward_db"].new_session()
        record(session, "referral.accepted", object_type="referral", case_id=changed)
        record(session, "case.viewed", object_type="case", case_id=viewed)
        session.commit()
        session.close()
    assert touched == [{changed}]
