"""Screening for trafficking and the recovery and reflection period, through the pages."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case
from casework.screening import services
from casework.screening.models import ReflectionPeriod, Screening
from core.clock import utcnow
from core.config import ConfigError, Settings
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import SCREENING, record_screening, registered_case
from tests.factories import make_account, post_form, sign_in


def _case(db_session, url: str) -> Case:
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


def test_screening_then_reflection_period_with_a_visible_deadline(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    response = record_screening(client, url, SCREENING)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith("/screening/reflection")
    screening = db_session.scalar(select(Screening))
    assert screening.outcome == "possible" and screening.deciding_organisation_type == "ngo"
    with app.app_context():
        assert screening.indicators == ["debt_bondage", "deception", "retention_of_documents"]
    form = client.get(f"{url}/screening/reflection").get_data(as_text=True)
    assert 'value="30"' in form
    starts = utcnow().date() - timedelta(days=3)
    response = post_form(
        client, f"{url}/screening/reflection", {"starts_on": starts.isoformat(), "days": "30"}
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    ends = starts + timedelta(days=30)
    assert ends.isoformat() in page and "27 days left" in page
    assert "Possible victim of trafficking" in page and "Debt bondage" in page
    actions = set(db_session.scalars(select(AuditEvent.action)))
    assert {"screening.recorded", "reflection_period.started"} <= actions
    details = " ".join(d or "" for d in db_session.scalars(select(AuditEvent.details)))
    assert "debt_bondage" not in details and "bakery" not in details


@pytest.mark.parametrize("days", ["29", "0", "-5", "366", "thirty"])
def test_reflection_period_of_fewer_than_30_days_is_refused(
    app, db_session, client, caseworker, days
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    response = post_form(
        client, f"{url}/screening/reflection", {"starts_on": "2026-10-01", "days": days}
    )
    assert response.status_code == 200
    assert 'id="days-error"' in response.get_data(as_text=True)
    assert db_session.scalar(select(ReflectionPeriod)) is None


def test_reflection_period_service_enforces_the_setting(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    case = _case(db_session, registered_case(client))
    actor = Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        with pytest.raises(services.CaseworkError):
            services.start_reflection_period(db_session, actor, case, date(2026, 10, 1), 29)
        with pytest.raises(services.CaseworkError):
            services.start_reflection_period(
                db_session, actor, case, date(2026, 10, 1), 60, configured_days=90
            )
        period = services.start_reflection_period(
            db_session, actor, case, date(2026, 10, 1), configured_days=90
        )
    assert period.days == 90 and period.ends_on == date(2026, 12, 30)


def test_a_setting_below_30_days_is_refused_at_start():
    with pytest.raises(ConfigError, match="REFLECTION_PERIOD_DAYS"):
        Settings.from_env(environ={"HOMEWARD_REFLECTION_PERIOD_DAYS": "14"}).validate()
    Settings.from_env(environ={"HOMEWARD_REFLECTION_PERIOD_DAYS": "90"}).validate()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("screened_on", "2999-01-01", "cannot be in the future"),
        ("screened_on", "", "required"),
        ("outcome", "", "Choose the outcome"),
        ("outcome", "maybe", "Not a valid choice"),
        ("deciding_organisation_type", "", "Choose who decided"),
        ("indicators", "telepathy", "not a valid choice"),
        ("indicators", "", "not a valid choice"),
        ("means_of_control", "", "not a valid choice"),
    ],
)
def test_bad_screening_input_gets_a_message_next_to_the_field(
    app, db_session, client, caseworker, field, value, message
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    response = record_screening(client, url, {**SCREENING, field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in body and message.lower() in body.lower()
    assert db_session.scalar(select(Screening)) is None


def test_screenings_keep_their_history(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    record_screening(client, url, SCREENING)
    response = record_screening(
        client,
        url,
        {**SCREENING, "outcome": "actual", "deciding_organisation_type": "competent_authority"},
    )
    assert response.status_code == 302
    assert len(db_session.scalars(select(Screening)).all()) == 2
    page = client.get(url).get_data(as_text=True)
    assert "Latest of 2 screenings" in page and "Victim of trafficking" in page
    history = client.get(f"{url}/screening/").get_data(as_text=True)
    assert "Possible victim of trafficking" in history and "Victim of trafficking" in history
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.viewed"))


def test_not_a_victim_goes_back_to_the_case(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    response = record_screening(
        client, url, {**SCREENING, "outcome": "not_a_victim", "indicators": []}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url + "#screening")


def test_reflection_deadlines_for_the_task_list(app, db_session, client, caseworker, agency):
    sign_in(client, caseworker, db_session)
    soon = _case(db_session, registered_case(client))
    late = _case(db_session, registered_case(client, again=True))
    later = _case(db_session, registered_case(client, again=True))
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    actor = Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id)
    other = Actor(colleague.user.id, Role.CASEWORKER, agency.id)
    today = utcnow().date()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        services.start_reflection_period(db_session, actor, soon, today - timedelta(days=25))
        services.start_reflection_period(db_session, actor, late, today - timedelta(days=40))
        # Restated later with more days: the newest period is the one in force.
        services.start_reflection_period(db_session, actor, later, today - timedelta(days=29))
        db_session.flush()
        newest = services.start_reflection_period(
            db_session, actor, later, today - timedelta(days=29), 90
        )
        newest.recorded_at = utcnow() + timedelta(seconds=1)
        db_session.flush()
        deadlines = services.reflection_deadlines(db_session, actor)
        assert [(d.case_id, d.days_left, d.overdue) for d in deadlines] == [
            (late.id, -10, True),
            (soon.id, 5, False),
        ]
        assert services.reflection_deadlines(db_session, other) == []
