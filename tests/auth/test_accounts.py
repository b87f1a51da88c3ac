"""Account lifecycle through the outbox and real SMTP: invitation, password set-up, MFA
enrolment, reset."""

from __future__ import annotations

import re

import pyotp

from core.permissions import Role
from tests.factories import make_account, make_organisation, post_form, shown_secret, sign_in


def _link(body: str, base: str) -> str:
    match = re.search(re.escape(base) + r"(/[\w/-]+)", body)
    assert match, body
    return match.group(1)


def test_invitation_leads_to_password_and_mfa(app, db_session, client, smtp_server, send_outbox):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    org = make_organisation(app, db_session)
    sign_in(client, admin_account, db_session)
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "new.caseworker@agency.local",
            "display_name": "Nadia Newcomer",
            "organisation": str(org.id),
            "role": "caseworker",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert smtp_server.messages == []  # the request only wrote to the outbox
    send_outbox()
    message = smtp_server.messages[-1]
    assert message["To"] == "new.caseworker@agency.local"
    body = smtp_server.last_body()
    assert "Nadia" not in body and "Newcomer" not in body  # no personal data in e-mails
    path = _link(body, app.config["HOMEWARD_SETTINGS"].BASE_URL)
    invitee = app.test_client()
    assert invitee.get(path).status_code == 200
    response = post_form(invitee, path, {"password": "short", "confirm": "short"})
    assert "at least 15" in response.get_data(as_text=True)
    response = post_form(
        invitee,
        path,
        {
            "password": "granite willow kestrel dawn",
            "confirm": "granite willow kestrel dawn",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/enrol")
    secret = shown_secret(invitee, "/login/enrol")
    response = post_form(invitee, "/login/enrol", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and "recovery codes" in response.get_data(as_text=True)
    assert invitee.get("/cases/").status_code == 200
    # The link works once.
    assert app.test_client().get(path).status_code == 404


def test_invitation_link_expires(app, db_session, client, smtp_server, send_outbox, time_travel):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    org = make_organisation(app, db_session)
    sign_in(client, admin_account, db_session)
    post_form(
        client,
        "/admin/users/new",
        {
            "email": "late@agency.local",
            "display_name": "Late Person",
            "organisation": str(org.id),
            "role": "caseworker",
            "preferred_language": "en",
        },
    )
    send_outbox()
    path = _link(smtp_server.last_body(), app.config["HOMEWARD_SETTINGS"].BASE_URL)
    time_travel(hours=73)
    assert app.test_client().get(path).status_code == 404


def test_password_reset_does_not_bypass_second_factor(
    app, db_session, client, smtp_server, send_outbox
):
    account = make_account(app, db_session, Role.CASEWORKER)
    response = post_form(client, "/password-reset", {"email": account.email})
    assert response.status_code == 302
    unknown = post_form(client, "/password-reset", {"email": "nobody@example.org"})
    assert unknown.status_code == 302  # same answer either way
    send_outbox()
    assert len(smtp_server.messages) == 1
    path = _link(smtp_server.last_body(), app.config["HOMEWARD_SETTINGS"].BASE_URL)
    new_password = "copper lantern seventy moons"
    response = post_form(client, path, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    response = post_form(client, "/login", {"email": account.email, "password": new_password})
    assert response.headers["Location"].endswith("/login/second-factor")
    assert client.get("/cases/").status_code == 302
    assert app.test_client().get(path).status_code == 404


def test_admin_cannot_demote_self_or_deactivate_self(app, db_session, client):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    sign_in(client, admin_account, db_session)
    url = f"/admin/users/{admin_account.user.id}"
    response = post_form(
        client,
        url,
        {
            "display_name": "x",
            "organisation": str(admin_account.user.organisation_id),
            "role": "caseworker",
            "preferred_language": "en",
        },
    )
    assert "cannot change your own role" in response.get_data(as_text=True)
    post_form(client, f"{url}/deactivate", {}, token_from=url)
    db_session.refresh(admin_account.user)
    assert admin_account.user.active


def test_admin_unlocks_locked_account(app, db_session, client):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    locked = make_account(app, db_session, Role.CASEWORKER)
    for _ in range(6):
        post_form(
            app.test_client(), "/login", {"email": locked.email, "password": "bad bad bad bad x"}
        )
    sign_in(client, admin_account, db_session)
    url = f"/admin/users/{locked.user.id}"
    assert "Locked until" in client.get(url).get_data(as_text=True)
    post_form(client, f"{url}/unlock", {}, token_from=url)
    sign_in(app.test_client(), locked, db_session)


def test_admin_sees_and_ends_a_session(app, db_session, client):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    worker = make_account(app, db_session, Role.CASEWORKER)
    worker_client = app.test_client()
    sign_in(worker_client, worker, db_session)
    sign_in(client, admin_account, db_session)
    url = f"/admin/users/{worker.user.id}"
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'action="(/admin/users/[^"]+/sessions/[^"]+/end)"', page)
    assert match
    assert post_form(client, match.group(1), {}, token_from=url).status_code == 302
    assert worker_client.get("/cases/").status_code == 302


def test_provider_role_needs_provider_organisation(app, db_session, client, smtp_server):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    agency = make_organisation(app, db_session, agency=True, provider=False)
    sign_in(client, admin_account, db_session)
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "p@agency.local",
            "display_name": "P",
            "organisation": str(agency.id),
            "role": "provider_staff",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    assert "Provider staff belong to a service provider" in response.get_data(as_text=True)


def test_organisation_create_and_edit(app, db_session, client):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    sign_in(client, admin_account, db_session)
    response = post_form(
        client,
        "/admin/organisations/new",
        {
            "name": "Safe Shelter",
            "code": "SHELTER",
            "country": "al",
            "is_provider": "y",
        },
    )
    assert response.status_code == 302
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "Safe Shelter" in page and "SHELTER" in page
    response = post_form(
        client,
        "/admin/organisations/new",
        {
            "name": "Dup",
            "code": "shelter",
            "country": "AL",
            "is_provider": "y",
        },
    )
    assert "exists already" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/admin/organisations/new",
        {
            "name": "Nothing",
            "code": "NONE",
            "country": "AL",
        },
    )
    assert "at least one kind" in response.get_data(as_text=True)
