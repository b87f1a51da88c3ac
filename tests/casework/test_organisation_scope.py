"""A case is only ever in scope inside its own organisation: moving a caseworker to another
organisation takes their old cases away (unassigned, audited), and no assignment left pointing
at someone of another organisation opens a case, a task or a count."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from audit.models import AuditEvent
from auth import admin
from auth.models import User
from casework import policy
from casework.models import Case
from casework.monitoring.services import visits_due
from casework.planning.tasks import plan_due
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA, case_url, register, search
from tests.factories import make_account, make_organisation, post_form, sign_in


def _move(app, db_session, account, organisation) -> None:
    """An administrator moves the account to ``organisation`` (the real service)."""
    administrator = make_account(app, db_session, Role.ADMINISTRATOR)
    actor = Actor(administrator.user.id, Role.ADMINISTRATOR, administrator.user.organisation_id)
    with app.test_request_context("/"):
        user = db_session.get(User, account.user.id)
        changed = admin.update_user(
            db_session,
            actor,
            user,
            display_name=user.display_name,
            organisation=organisation,
            role=Role(user.role),
            preferred_language=user.preferred_language,
        )
        db_session.commit()
    assert "organisation_id" in changed


def test_moved_caseworker_loses_the_old_organisations_cases(
    app, db_session, client, caseworker, supervisor
):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    case_id = uuid.UUID(url.rsplit("/", 1)[1])
    ngo = make_organisation(app, db_session, agency=True, provider=True)
    _move(app, db_session, caseworker, ngo)

    sign_in(client, caseworker, db_session)
    page = client.get(url)
    assert page.status_code == 403 and "Farida" not in page.get_data(as_text=True)
    note = post_form(client, f"{url}/notes", {"body": "Still here."}, token_from="/account")
    assert note.status_code == 403
    assert "Farida" not in client.get("/cases/").get_data(as_text=True)
    assert url not in search(client, "name", "Farida Nazari").get_data(as_text=True)

    # The old organisation's supervisors see the case as unassigned, and the log says why.
    case = db_session.get(Case, case_id)
    db_session.refresh(case)
    assert case.assigned_to_id is None
    event = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "case.unassigned", AuditEvent.case_id == case_id
        )
    )
    assert event is not None and event.object_id == str(case_id)
    assert "Farida" not in (event.details or "")
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    assert boss.get(url).status_code == 200
    assert "Farida" in boss.get("/cases/?assigned=").get_data(as_text=True)


def test_moving_within_the_organisation_keeps_the_cases(app, db_session, client, caseworker):
    """A name or language change (no move) leaves the caseload alone."""
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    administrator = make_account(app, db_session, Role.ADMINISTRATOR)
    actor = Actor(administrator.user.id, Role.ADMINISTRATOR, administrator.user.organisation_id)
    with app.test_request_context("/"):
        user = db_session.get(User, caseworker.user.id)
        admin.update_user(
            db_session,
            actor,
            user,
            display_name="Renamed Worker",
            organisation=user.organisation,
            role=Role.CASEWORKER,
            preferred_language=user.preferred_language,
        )
        db_session.commit()
    assert db_session.scalar(select(Case.assigned_to_id)) == caseworker.user.id
    assert client.get(url).status_code == 200


def test_an_assignment_outside_the_actors_organisation_opens_nothing(
    app, db_session, client, caseworker, time_travel
):
    """Whatever leaves an assignment behind, the scope rule itself requires the organisation:
    in Python, in its SQL twin, in the caseload, the task sources and the case pages."""
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    case_id = uuid.UUID(url.rsplit("/", 1)[1])
    other = make_organisation(app, db_session, agency=True)
    db_session.execute(update(Case).where(Case.id == case_id).values(organisation_id=other.id))
    db_session.commit()
    case = db_session.get(Case, case_id)
    db_session.refresh(case)
    assert case.assigned_to_id == caseworker.user.id

    actor = Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id)
    assert not policy.can_view_case(actor, case)
    assert db_session.scalar(select(Case.id).where(policy.visible_cases(actor))) is None
    assert client.get(url).status_code == 403
    assert (
        post_form(client, f"{url}/notes", {"body": "x"}, token_from="/account").status_code == 403
    )
    assert "Farida" not in client.get("/cases/").get_data(as_text=True)
    assert url not in search(client, "name", "Farida Nazari").get_data(as_text=True)
    # Old enough for its plan to be due, in a stage where visits are due: still not theirs.
    db_session.execute(update(Case).where(Case.id == case_id).values(stage="monitoring"))
    db_session.commit()
    time_travel(days=200)
    with app.test_request_context("/"):
        assert [t.case_id for t in plan_due(db_session, actor)] == []
        assert visits_due(db_session, actor, within_days=400) == []
        # The same case in the actor's own organisation would be due (the test is meaningful).
        home = Actor(caseworker.user.id, Role.CASEWORKER, other.id)
        assert [t.case_id for t in plan_due(db_session, home)] == [case_id]
        assert [v.case_id for v in visits_due(db_session, home, within_days=400)] == [case_id]
