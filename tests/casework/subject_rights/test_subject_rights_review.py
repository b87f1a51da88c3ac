"""Second reader: the subject access export must hold only the exporting organisation's data.

Every test here demonstrates a confirmed problem and fails until it is fixed.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from casework.models import Case
from casework.planning.models import Plan, PlanAction, PlanReview
from core.clock import utcnow
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from tests.factories import make_account, make_organisation, sign_in


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _case(db_session, url: str) -> Case:
    db_session.expire_all()
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


def test_export_leaves_out_plan_actions_and_reviews_of_another_organisations_case(
    app, db_session, client, farida, supervisor
):
    """PlanAction and PlanReview have no ``case_id`` column, so export._rows cannot filter
    them by organisation: another organisation's plan (its actions' descriptions and its
    supervisors' review comments, decrypted) lands in this organisation's export."""
    person_id = _case(db_session, farida).person_id
    elsewhere = make_organisation(app, db_session, agency=True)
    their_worker = make_account(app, db_session, Role.SUPERVISOR, organisation=elsewhere)
    other_case = Case(
        id=uuid.uuid4(),
        person_id=person_id,
        organisation_id=elsewhere.id,
        case_number="ELSE-2026-000009",
        case_type="returnee",
    )
    db_session.add(other_case)
    db_session.flush()
    plan = Plan(
        id=uuid.uuid4(),
        case_id=other_case.id,
        status="submitted",
        created_by_id=their_worker.user.id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db_session.add(plan)
    db_session.flush()
    action = PlanAction(
        id=uuid.uuid4(),
        plan_id=plan.id,
        person_id=person_id,
        dimension="psychosocial",
        due_on=date(2027, 1, 1),
        status="planned",
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    action.description = "THEIR-SECRET shelter address counselling"
    review = PlanReview(
        id=uuid.uuid4(),
        plan_id=plan.id,
        person_id=person_id,
        submitted_by_id=their_worker.user.id,
        submitted_at=utcnow(),
        action_count=1,
        decision="returned",
    )
    review.comment = "THEIR-SECRET review comment"
    db_session.add_all([action, review])
    db_session.commit()

    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    response = boss.get(f"{farida}/person-data/export.json")
    assert response.status_code == 200
    data = json.loads(response.get_data(as_text=True))
    assert data["records"]["plan_action"] == []
    assert data["records"]["plan_review"] == []
    assert "THEIR-SECRET" not in response.get_data(as_text=True)
    page = boss.get(f"{farida}/person-data/export").get_data(as_text=True)
    assert "THEIR-SECRET" not in page


def _transfer(app, db_session, url: str, to_organisation) -> None:
    """Move the case to ``to_organisation`` the way an accepted transfer does."""
    from casework.models import CaseTransfer
    from casework.transfers import accept
    from core.security import Actor

    case = _case(db_session, url)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=to_organisation)
    transfer = CaseTransfer(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        from_organisation_id=case.organisation_id,
        to_organisation_id=to_organisation.id,
        requested_by_id=case.assigned_to_id,
        status="pending",
    )
    db_session.add(transfer)
    db_session.flush()
    with app.test_request_context("/"):
        accept(db_session, Actor(receiver.user.id, Role.SUPERVISOR, to_organisation.id), transfer)
    db_session.commit()


def test_transfer_does_not_leave_an_erasure_request_nobody_can_decide(
    app, db_session, client, farida, supervisor
):
    """A pending erasure request keeps the old organisation's id. After a transfer the new
    organisation's supervisors can neither confirm, cancel nor request another one (one
    pending at a time), and the old one can no longer open the case: the person's right to
    erasure is blocked for good."""
    from casework.subject_rights.models import ErasureRequest
    from tests.factories import post_form

    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    assert (
        post_form(boss, f"{farida}/person-data/erasure", {"reason": "person_request"}).status_code
        == 302
    )
    new_home = make_organisation(app, db_session, agency=True)
    _transfer(app, db_session, farida, new_home)
    theirs = app.test_client()
    sign_in(
        theirs,
        make_account(app, db_session, Role.SUPERVISOR, organisation=new_home),
        db_session,
    )
    db_session.expire_all()
    # The transfer cancelled the old organisation's request (audited); the new one decides.
    assert db_session.scalar(select_pending_erasure()) is None
    old = db_session.scalars(select(ErasureRequest)).one()
    assert old.status == "cancelled"
    again = post_form(theirs, f"{farida}/person-data/erasure", {"reason": "person_request"})
    assert again.status_code == 302
    db_session.expire_all()
    pending = db_session.scalars(select_pending_erasure()).all()
    assert [p.organisation_id for p in pending] == [new_home.id]


def select_pending_erasure():
    from sqlalchemy import select

    from casework.subject_rights.models import ErasureRequest

    return select(ErasureRequest).where(ErasureRequest.status == "pending")


def test_transfer_does_not_leave_a_closure_request_nobody_can_decide(
    app, db_session, client, farida, supervisor
):
    """Same for a pending closure: it keeps the old organisation's id, so no supervisor of
    the new organisation may decide it, and no new one can be asked while it is pending."""
    from sqlalchemy import select

    from casework.closure.models import CaseClosure
    from tests.factories import post_form

    closure = {"reason": "lost_contact", "summary": "No answer for three months."}
    assert post_form(client, f"{farida}/closure/request", closure).status_code == 302
    new_home = make_organisation(app, db_session, agency=True)
    _transfer(app, db_session, farida, new_home)
    db_session.expire_all()
    pending = db_session.scalars(select(CaseClosure).where(CaseClosure.status == "pending")).all()
    theirs = app.test_client()
    sign_in(
        theirs,
        make_account(app, db_session, Role.SUPERVISOR, organisation=new_home),
        db_session,
    )
    for found in pending:
        decided = post_form(theirs, f"{farida}/closure/{found.id}", {"decision": "approve"})
        assert decided.status_code in (302, 303), decided.status_code


def test_case_page_shows_only_this_organisations_correction_records(
    app, db_session, client, farida, supervisor
):
    """The export leaves out corrections made through another organisation's case, but the
    case-page panel (corrections_of) lists every correction of the person, with the other
    organisation's free-text reason and its staff member's name."""
    from casework.subject_rights.models import PersonCorrection

    person_id = _case(db_session, farida).person_id
    elsewhere = make_organisation(app, db_session, agency=True)
    their_worker = make_account(app, db_session, Role.CASEWORKER, organisation=elsewhere)
    other_case = Case(
        id=uuid.uuid4(),
        person_id=person_id,
        organisation_id=elsewhere.id,
        case_number="ELSE-2026-000010",
        case_type="returnee",
    )
    db_session.add(other_case)
    db_session.flush()
    correction = PersonCorrection(
        id=uuid.uuid4(),
        person_id=person_id,
        case_id=other_case.id,
        field_name="phone",
        corrected_by_id=their_worker.user.id,
    )
    correction.old_value = "+93 700 000 000"
    correction.new_value = "+93 700 111 222"
    correction.reason = "THEIR-REASON she moved to the shelter in Kabul"
    db_session.add(correction)
    db_session.commit()
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    page = boss.get(farida).get_data(as_text=True)
    assert "THEIR-REASON" not in page
    assert their_worker.user.display_name not in page
