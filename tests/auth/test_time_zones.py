"""A time zone per user, defaulting to the organisation's, then HOMEWARD_DEFAULT_TIMEZONE."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select

from audit.models import AuditEvent
from auth.models import User, UserSession
from core.permissions import Role
from tests.factories import make_account, make_organisation, post_form, sign_in


def _signed_in_at(db_session, account, zone: str) -> str:
    """How the account page must show the newest session's start in ``zone``."""
    row = db_session.scalar(
        select(UserSession)
        .where(UserSession.user_id == account.user.id)
        .order_by(UserSession.created_at.desc())
    )
    moment = row.created_at.replace(tzinfo=UTC) if row.created_at.tzinfo is None else row.created_at
    return format_datetime(moment, "medium", tzinfo=ZoneInfo(zone), locale="en")


def test_the_users_time_zone_is_chosen_on_the_account_page(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    page = client.get("/account").get_data(as_text=True)
    assert _signed_in_at(db_session, account, "UTC") in page  # the deployment's default
    assert '<option value="Asia/Kabul">Asia/Kabul</option>' in page
    response = post_form(client, "/account/time-zone", {"time_zone": "Asia/Kabul"}, "/account")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, account.user.id).time_zone == "Asia/Kabul"
    page = client.get("/account").get_data(as_text=True)
    kabul = _signed_in_at(db_session, account, "Asia/Kabul")
    assert kabul in page and kabul != _signed_in_at(db_session, account, "UTC")
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(account.user.id))
    ).all()
    assert "user.time_zone_changed" in actions


def test_an_unknown_zone_is_refused(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    response = post_form(client, "/account/time-zone", {"time_zone": "Mars/Olympus"}, "/account")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, account.user.id).time_zone is None


def test_without_a_zone_of_their_own_users_see_their_organisations(app, db_session, client):
    organisation = make_organisation(app, db_session)
    organisation.time_zone = "Asia/Tashkent"
    db_session.commit()
    account = make_account(app, db_session, Role.CASEWORKER, organisation=organisation)
    sign_in(client, account, db_session)
    page = client.get("/account").get_data(as_text=True)
    assert _signed_in_at(db_session, account, "Asia/Tashkent") in page


def test_the_administrator_sets_an_organisations_zone(app, db_session, client):
    admin = make_account(app, db_session, Role.ADMINISTRATOR)
    sign_in(client, admin, db_session)
    organisation = admin.user.organisation
    url = f"/admin/organisations/{organisation.id}"
    data = {"name": organisation.name, "code": organisation.code, "country": "AF",
            "is_case_agency": "y", "active": "y", "time_zone": "Asia/Kabul"}  # fmt: skip
    assert post_form(client, url, data, url).status_code == 302
    db_session.expire_all()
    assert organisation.time_zone == "Asia/Kabul" and organisation.country == "AF"
    data["time_zone"] = "Nowhere/Else"
    page = post_form(client, url, data, url).get_data(as_text=True)
    assert "Choose a time zone from the list." in page
