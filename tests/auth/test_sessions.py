"""Sessions: new id at login, server-side end, idle and absolute timeouts, CSRF, cookies."""

from __future__ import annotations

from sqlalchemy import select

from auth.models import UserSession
from core.permissions import Role
from tests.factories import make_account, post_form, sign_in


def _cookie(client):
    cookie = client.get_cookie("homeward_session")
    return cookie.value if cookie else None


def test_session_id_changes_at_login(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    client.get("/login")
    post_form(client, "/login", {"email": account.email, "password": account.password})
    before = _cookie(client)
    post_form(client, "/login/second-factor", {"code": account.code()})
    after = _cookie(client)
    assert before and after and before != after
    assert client.get("/cases/").status_code == 200


def test_cookie_flags(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    response = sign_in(client, account, db_session)
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert app.config["SESSION_COOKIE_SECURE"] is False  # test mode; production is Secure
    from core.config import Settings

    production = Settings.from_env(environ={}, ENV="production").to_flask()
    assert production["SESSION_COOKIE_SECURE"] is True


def _replay(app, cookie_value, path="/cases/"):
    other = app.test_client()
    other.set_cookie("homeward_session", cookie_value)
    return other.get(path)


def test_old_cookie_fails_after_logout(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    stolen = _cookie(client)
    assert _replay(app, stolen).status_code == 200
    post_form(client, "/logout", {}, token_from="/account")
    assert _replay(app, stolen).status_code == 302


def test_old_cookie_fails_after_password_change(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    stolen = _cookie(client)
    from tests.factories import forget_totp_step

    forget_totp_step(db_session, account)
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": account.password,
            "code": account.code(),
            "password": "fresh meadow lantern orbit",
            "confirm": "fresh meadow lantern orbit",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert _replay(app, stolen).status_code == 302


def test_old_cookie_fails_after_deactivation(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    sign_in(client, account, db_session)
    stolen = _cookie(client)
    admin_client = app.test_client()
    sign_in(admin_client, admin_account, db_session)
    url = f"/admin/users/{account.user.id}"
    assert post_form(admin_client, f"{url}/deactivate", {}, token_from=url).status_code == 302
    assert _replay(app, stolen).status_code == 302


def test_role_change_ends_sessions(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    sign_in(client, account, db_session)
    admin_client = app.test_client()
    sign_in(admin_client, admin_account, db_session)
    url = f"/admin/users/{account.user.id}"
    response = post_form(
        admin_client,
        url,
        {
            "display_name": account.user.display_name,
            "organisation": str(account.user.organisation_id),
            "role": "supervisor",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 302


def test_sign_out_everywhere(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    second = app.test_client()
    sign_in(second, account, db_session)
    assert second.get("/cases/").status_code == 200
    post_form(client, "/account/sign-out-everywhere", {}, token_from="/account")
    assert second.get("/cases/").status_code == 302
    assert client.get("/cases/").status_code == 302


def test_idle_timeout(app, db_session, client, time_travel):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    time_travel(minutes=29)
    assert client.get("/cases/").status_code == 200
    time_travel(minutes=29 + 31)
    assert client.get("/cases/").status_code == 302
    ended = db_session.scalars(
        select(UserSession.end_reason).where(UserSession.user_id == account.user.id)
    ).all()
    assert "idle_timeout" in ended


def test_absolute_timeout_even_when_active(app, db_session, client, time_travel):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    for minutes in range(25, 12 * 60, 25):
        time_travel(minutes=minutes)
        assert client.get("/cases/").status_code == 200
    time_travel(hours=12, minutes=1)
    assert client.get("/cases/").status_code == 302


def test_keep_alive_restarts_idle_clock(app, db_session, client, time_travel):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    time_travel(minutes=25)
    response = post_form(client, "/session/keep-alive", {}, token_from="/account")
    assert response.status_code == 200 and response.get_json()["seconds_left"] > 29 * 60
    time_travel(minutes=50)
    assert client.get("/cases/").status_code == 200


def test_csrf_missing_or_wrong_token_is_400(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    assert client.post("/login", data={"email": account.email, "password": "x"}).status_code == 400
    response = client.post(
        "/login", data={"email": account.email, "password": "x", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    sign_in(client, account, db_session)
    assert client.post("/logout", data={}).status_code == 400
    assert client.post("/account/sign-out-everywhere", data={"csrf_token": "no"}).status_code == 400


def test_authenticated_pages_are_not_cached(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    for path in ["/cases/", "/account", "/no/such/page"]:
        assert client.get(path).headers["Cache-Control"] == "no-store"
