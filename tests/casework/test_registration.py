"""Registering, finding and reading cases: encryption at rest, search in three scripts, scope."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from audit.models import AuditEvent
from casework.models import Case, CaseNote, Person
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register, search
from tests.factories import make_account, make_organisation, post_form, sign_in


def test_register_then_case_page_shows_everything(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    page = client.get(url).get_data(as_text=True)
    for text in [
        "فریده نظری",
        "Farida Nazari",
        "Фарида Назари",
        "1994-03-15",
        "P-1234 567",
        "Herat",
        "Islam Qala border point",
        "Presumed victim of trafficking",
        "Single parent",
        "High risk",
    ]:
        assert text in page, text
    case = db_session.scalar(select(Case).order_by(Case.opened_at.desc()))
    assert case.case_number.startswith(f"{caseworker.user.organisation.code}-")
    assert case.assigned_to_id == caseworker.user.id
    assert url.endswith(str(case.id))
    events = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id)
    ).all()
    assert "case.created" in events and "case.viewed" in events


def test_only_name_and_type_are_required(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    response = register(client, {"case_type": "returnee"})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    case_url(register(client, {"name_original": "Timur", "case_type": "returnee"}))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "1994-02-30", "Not a valid date"),
        ("nationality", "Afghanistan", "Choose a country from the list"),
        ("phone", "<script>", "Digits"),
        ("name_original", "x" * 5000, "longer than 200 characters"),
        ("case_type", "martian", "Not a valid choice"),
        ("vulnerabilities", "", "not a valid choice"),
        ("vulnerabilities", "martian", "not a valid choice"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(
    app, db_session, client, caseworker, field, value, message
):
    sign_in(client, caseworker, db_session)
    response = register(client, {**FARIDA, field: value})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body and message.lower() in body.lower()
    assert "Farida Nazari" in body  # what was typed is kept


@pytest.mark.parametrize(
    "query", ["Farida", "فریده", "Фарида", "Farīda", "nazari farida", "FARIDA NAZARI"]
)
def test_search_by_name_in_any_script(app, db_session, client, caseworker, query):
    sign_in(client, caseworker, db_session)
    case_url(register(client, FARIDA))
    case_url(register(client, {"name_original": "Рустам Алиев", "case_type": "returnee"}, True))
    body = search(client, "name", query).get_data(as_text=True)
    assert "1 case found." in body and "Farida Nazari" in body
    assert "Рустам" not in body


def test_search_by_document_date_and_case_number(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    case_url(register(client, FARIDA))
    number = db_session.scalar(select(Case.case_number))
    for kind, term in [
        ("document", "p1234567"),
        ("date_of_birth", "1994-03-15"),
        ("case_number", number.lower()),
    ]:
        assert "Farida Nazari" in search(client, kind, term).get_data(as_text=True), kind
    body = search(client, "date_of_birth", "15/03/1994").get_data(as_text=True)
    assert "YYYY-MM-DD" in body


def test_search_terms_never_reach_the_audit_log_or_the_url(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    case_url(register(client, FARIDA))
    response = search(client, "name", "Nazari")
    assert response.status_code == 200
    rows = db_session.execute(select(AuditEvent.details, AuditEvent.object_id)).all()
    assert all("Nazari" not in (d or "") and "نظری" not in (d or "") for d, _ in rows)


def test_duplicate_warning_in_any_script(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    case_url(register(client, FARIDA))
    again = {"name_original": "Фарида Назари", "case_type": "returnee"}
    response = register(client, again)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Possible matches" in body
    assert db_session.scalar(select(func.count()).select_from(Person)) == 1
    case_url(register(client, again, confirm_new=True))
    assert db_session.scalar(select(func.count()).select_from(Person)) == 2


def test_duplicate_in_another_organisation_reveals_nothing(app, db_session, client, caseworker):
    other_org = make_organisation(app, db_session, agency=True)
    other = make_account(app, db_session, Role.CASEWORKER, organisation=other_org)
    other_client = app.test_client()
    sign_in(other_client, other, db_session)
    case_url(register(other_client, FARIDA))
    sign_in(client, caseworker, db_session)
    response = register(client, {"name_original": "Farida Nazari", "case_type": "returnee"})
    body = response.get_data(as_text=True)
    assert other_org.name in body
    other_case = db_session.scalar(select(Case))
    for secret in [other_case.case_number, str(other_case.id), "فریده", "1994-03-15", "P-1234"]:
        assert secret not in body


def test_caseworker_sees_only_assigned_cases(app, db_session, client, caseworker, agency):
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    colleague_client = app.test_client()
    sign_in(colleague_client, colleague, db_session)
    url = case_url(register(colleague_client, FARIDA))
    sign_in(client, caseworker, db_session)
    assert client.get(url).status_code == 403
    assert "Farida" not in client.get("/cases/").get_data(as_text=True)
    assert "0 cases" in search(client, "name", "Farida").get_data(
        as_text=True
    ) or "Nobody you may see matches" in search(client, "name", "Farida").get_data(as_text=True)
    denied = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access.denied", AuditEvent.actor_user_id == caseworker.user.id
        )
    ).all()
    assert denied and str(denied[0].case_id) == url.rsplit("/", 1)[1]


@pytest.mark.parametrize("role", [Role.PROVIDER_STAFF, Role.AUDITOR, Role.ADMINISTRATOR])
def test_other_roles_never_open_a_case(app, db_session, client, caseworker, role):
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = case_url(register(writer, FARIDA))
    outsider = make_account(app, db_session, role)
    sign_in(client, outsider, db_session)
    response = client.get(url)
    assert response.status_code == 403 and "Farida" not in response.get_data(as_text=True)


def test_supervisor_sees_organisation_and_assigns(
    app, db_session, client, caseworker, supervisor, agency
):
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = case_url(register(writer, FARIDA))
    sign_in(client, supervisor, db_session)
    assert "Farida Nazari" in client.get("/cases/").get_data(as_text=True)
    response = post_form(
        client, f"{url}/assign", {"assignee": str(colleague.user.id)}, token_from=url
    )
    assert response.status_code == 302
    assert writer.get(url).status_code == 403
    other_client = app.test_client()
    sign_in(other_client, colleague, db_session)
    assert other_client.get(url).status_code == 200
    foreign = make_account(app, db_session, Role.CASEWORKER)
    response = post_form(
        client, f"{url}/assign", {"assignee": str(foreign.user.id)}, token_from=url
    )
    assert "Choose an active caseworker" in client.get(url).get_data(as_text=True)


def test_supervisor_of_another_organisation_is_refused(app, db_session, client, caseworker):
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = case_url(register(writer, FARIDA))
    stranger = make_account(app, db_session, Role.SUPERVISOR)
    sign_in(client, stranger, db_session)
    assert client.get(url).status_code == 403
    assert (
        post_form(
            client, f"{url}/assign", {"assignee": str(stranger.user.id)}, token_from="/cases/"
        ).status_code
        == 403
    )


def test_notes_are_append_only_and_encrypted(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    post_form(
        client,
        f"{url}/notes",
        {"body": "Met at the border; wants to call her sister."},
        token_from=url,
    )
    note = db_session.scalar(select(CaseNote))
    post_form(
        client,
        f"{url}/notes",
        {"body": "Correction: her cousin.", "corrects": str(note.id)},
        token_from=url,
    )
    page = client.get(url).get_data(as_text=True)
    assert "wants to call her sister" in page and "Correction: her cousin." in page
    raw = db_session.execute(select(CaseNote.body_ciphertext)).scalars().all()
    assert all(b"sister" not in r and b"cousin" not in r for r in raw)


def test_no_plaintext_at_rest_after_registering_in_the_ui(
    app, db_session, client, caseworker, backend, database_url
):
    sign_in(client, caseworker, db_session)
    case_url(register(client, FARIDA))
    values = [
        "Farida",
        "Nazari",
        "فریده",
        "نظری",
        "Фарида",
        "1994-03-15",
        "1234567",
        "Herat",
        "Ghoryan",
        "700 123",
        "Islam Qala",
        "Border police",
    ]
    if backend == "sqlite":
        db_session.commit()
        conn = db_session.info["connection"]
        rows = []
        for (table,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'"):
            rows += [repr(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"')]
        dump = "\n".join(rows)
    else:
        # The rows are in this test's open transaction: read them through the same connection.
        conn = db_session.info["connection"]
        tables = [
            t
            for (t,) in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        dump = "\n".join(
            repr(r) for t in tables for r in conn.exec_driver_sql(f'SELECT * FROM "{t}"')
        )
    for value in values:
        for form in {value, value.casefold(), value.upper()}:
            assert form not in dump, form
            assert form.encode("utf-8").hex() not in dump


def test_pg_dump_of_committed_registration_holds_no_plaintext(app, key_file, backend, tmp_path):
    """A registration committed for real, then `pg_dump` of the whole database."""
    if backend != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    from core import migrate
    from core.app import create_app
    from tests import databases
    from tests.conftest import make_settings

    url = databases.fresh_database(backend, tmp_path, "dump")
    try:
        migrate.upgrade(url)
        live = create_app(make_settings(url, key_file, MFA_REQUIRED_FOR_ALL=False))
        with live.app_context():
            from auth import admin
            from core.db import current_db

            with current_db().session_scope() as db:
                org = admin.create_organisation(
                    db,
                    None,
                    name="Dump agency",
                    code="DUMP",
                    country="XK",
                    is_case_agency=True,
                    is_provider=False,
                )
                admin.create_user(
                    db,
                    None,
                    email="dump@example.org",
                    display_name="Dump Worker",
                    organisation=org,
                    role=Role.CASEWORKER,
                    password="violet harbour seventeen kites",
                    settings=live.config["HOMEWARD_SETTINGS"].auth,
                )
        client = live.test_client()
        post_form(
            client,
            "/login",
            {"email": "dump@example.org", "password": "violet harbour seventeen kites"},
        )
        case_url(register(client, FARIDA))
        live.extensions["homeward_db"].engine.dispose()
        parsed = make_url(url)
        dump = subprocess.run(
            [
                "pg_dump",
                "-h",
                parsed.host or "127.0.0.1",
                "-p",
                str(parsed.port or 5432),
                "-U",
                parsed.username or "postgres",
                parsed.database or "",
            ],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
        assert b"person" in dump  # the dump is real
        for value in ["Farida", "Nazari", "فریده", "Фарида", "1994-03-15", "1234567", "Herat"]:
            for form in {value, value.casefold(), value.upper()}:
                assert form.encode("utf-8") not in dump, form
                assert form.encode("utf-16-le") not in dump, form
    finally:
        databases.drop_postgres(url)
