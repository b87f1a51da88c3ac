"""Break-the-glass: a reason, exactly one case, a time limit, a banner, an alert for auditors."""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEvent
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import make_account, post_form, sign_in


def _two_cases_of_a_colleague(app, db_session, agency):
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    writer = app.test_client()
    sign_in(writer, colleague, db_session)
    first = case_url(register(writer, FARIDA))
    second = case_url(
        register(writer, {"name_original": "Рустам Алиев", "case_type": "returnee"}, True)
    )
    return first, second


def test_emergency_access_opens_one_case_for_the_set_time(
    app, db_session, client, caseworker, agency, time_travel
):
    first, second = _two_cases_of_a_colleague(app, db_session, agency)
    sign_in(client, caseworker, db_session)
    refused = client.get(first)
    assert refused.status_code == 403 and "Emergency access" in refused.get_data(as_text=True)
    case_id = first.rsplit("/", 1)[1]
    short = post_form(client, f"{first}/emergency", {"reason": "need it"})
    assert short.status_code == 200 and "between 15 and 500" in short.get_data(as_text=True)
    granted = post_form(
        client,
        f"{first}/emergency",
        {"reason": "Person collapsed at the centre; need medical history now."},
    )
    assert granted.status_code == 302
    page = client.get(first)
    assert page.status_code == 200 and "Emergency access until" in page.get_data(as_text=True)
    assert client.get(second).status_code == 403  # exactly the one case
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "case.emergency_access")
    )
    assert str(event.case_id) == case_id and event.actor_user_id == caseworker.user.id
    assert "collapsed" not in event.details  # the reason is not copied into the log
    views = db_session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.action == "case.viewed", AuditEvent.actor_user_id == caseworker.user.id
        )
    ).all()
    assert any("emergency_grant" in v for v in views)
    time_travel(minutes=61)
    sign_in(client, caseworker, db_session)
    assert client.get(first).status_code == 403


def test_roles_without_emergency_access_get_plain_403(app, db_session, client, caseworker):
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = case_url(register(writer, FARIDA))
    for role in (Role.PROVIDER_STAFF, Role.AUDITOR, Role.ADMINISTRATOR):
        outsider_client = app.test_client()
        sign_in(outsider_client, make_account(app, db_session, role), db_session)
        body = outsider_client.get(url).get_data(as_text=True)
        assert "Emergency access" not in body
        assert (
            post_form(
                outsider_client,
                f"{url}/emergency",
                {"reason": "Trying to get in without a right to."},
                token_from="/account",
            ).status_code
            == 403
        )
