"""The task list: derived deadlines grouped by urgency, navigation counts, and scope."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case
from casework.screening import services
from casework.signals import tasks_collecting
from casework.task_routes import group_tasks
from casework.tasks import Task, tasks_for
from core.clock import utcnow
from core.config import ConfigError, Settings
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import registered_case
from tests.factories import make_account, settings_of, sign_in


def _task(reference: str, due: date | None) -> Task:
    return Task("test", "Test", reference, "casework.index", due=due)


def test_tasks_are_grouped_overdue_due_soon_waiting_and_later():
    today = utcnow().date()
    tasks = [
        _task("A", today - timedelta(days=1)),
        _task("B", today),
        _task("C", today + timedelta(days=14)),
        _task("D", today + timedelta(days=15)),
        _task("E", None),
    ]
    groups = group_tasks(tasks, 14)
    assert [t.reference for t in groups.overdue] == ["A"]
    assert [t.reference for t in groups.due_soon] == ["B", "C"]
    assert [t.reference for t in groups.later] == ["D"]
    assert [t.reference for t in groups.waiting] == ["E"]
    assert groups.needing_attention == 4 and groups.total == 5
    assert tasks[0].overdue and not tasks[1].overdue and not tasks[4].overdue


def test_every_source_contributes_and_overdue_come_first(app, db_session):
    today = utcnow().date()
    actor = Actor(uuid.uuid4(), Role.CASEWORKER, uuid.uuid4())

    def late(actor, session, **_extra):
        return [_task("LATE", today - timedelta(days=3))]

    def soon(actor, session, **_extra):
        return [_task("SOON", today + timedelta(days=2))]

    tasks_collecting.connect(late)
    tasks_collecting.connect(soon)
    try:
        with app.test_request_context("/"):
            refs = [t.reference for t in tasks_for(db_session, actor, settings_of(app))]
        assert refs.index("LATE") < refs.index("SOON")
    finally:
        tasks_collecting.disconnect(late)
        tasks_collecting.disconnect(soon)


def test_the_horizon_setting_is_validated():
    with pytest.raises(ConfigError):
        Settings(TASK_HORIZON_DAYS=0).validate()
    Settings(TASK_HORIZON_DAYS=90).validate()


def test_reflection_period_ending_shows_on_the_list_and_in_the_navigation(
    app, db_session, client, caseworker, agency
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    actor = Actor(caseworker.user.id, Role.CASEWORKER, agency.id)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        services.start_reflection_period(
            db_session, actor, case, utcnow().date() - timedelta(days=35)
        )
    db_session.flush()

    page = client.get("/tasks/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert case.case_number in html and "Reflection period ends" in html
    assert "Overdue" in html
    assert f'/cases/{case.id}"' in html
    # The navigation count on any page.
    nav = client.get("/cases/").get_data(as_text=True)
    assert 'href="/tasks/">My tasks <span class="badge">1' in nav
    # The caseworker may open the case: the list names the person, and the log says whose.
    assert "Farida" in html and "فریده" in html
    viewed = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "tasks.viewed")).all()
    assert viewed and json.loads(viewed[-1].details) == {"count": 1, "case_ids": [str(case.id)]}


def test_a_colleague_does_not_get_my_cases_tasks(app, db_session, client, caseworker, agency):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    actor = Actor(caseworker.user.id, Role.CASEWORKER, agency.id)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        services.start_reflection_period(
            db_session, actor, case, utcnow().date() - timedelta(days=25)
        )
    db_session.flush()
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    other = app.test_client()
    sign_in(other, colleague, db_session)
    html = other.get("/tasks/").get_data(as_text=True)
    assert case.case_number not in html
    assert "Nothing is due" in html


def test_provider_staff_have_a_task_list_and_auditors_do_not(app, db_session, client):
    provider = make_account(app, db_session, Role.PROVIDER_STAFF)
    sign_in(client, provider, db_session)
    assert client.get("/tasks/").status_code == 200
    auditor = make_account(app, db_session, Role.AUDITOR)
    other = app.test_client()
    sign_in(other, auditor, db_session)
    assert other.get("/tasks/").status_code == 403
