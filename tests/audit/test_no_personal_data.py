"""After a session that creates and views people, no known personal value is in the audit log."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from audit.models import AuditEvent
from audit.services import record
from auth import admin
from core.permissions import Role
from core.security import Actor
from tests.factories import csrf_token, sign_in
from tests.fixtures.audit import PASSWORD

NAME = "Fatima Rahimi"
NAME_LATIN = "Rahimi"
DATE_OF_BIRTH = "1994-03-17"
DOCUMENT_NUMBER = "P7734912"
EMAIL = "fatima.rahimi@example.test"
SECRETS = [NAME, NAME_LATIN, DATE_OF_BIRTH, DOCUMENT_NUMBER, EMAIL, "Фатима", PASSWORD]


def _script(app, client, db_session, organisation, make_account):
    caseworker = make_account(Role.CASEWORKER, name=f"{NAME} Caseworker")
    person_id, case_id = uuid.uuid4(), uuid.uuid4()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        actor = Actor(caseworker.user.id, Role.CASEWORKER, organisation.id, None)
        admin.create_user(
            db_session,
            None,
            email=EMAIL,
            display_name=f"{NAME} Фатима",
            organisation=organisation,
            role=Role.SUPERVISOR,
            password=PASSWORD,
            settings=app.config["HOMEWARD_SETTINGS"].auth,
        )
        # What casework records when people are registered and viewed: ids and field names.
        record(
            db_session,
            "person.created",
            actor=actor,
            object_type="person",
            object_id=person_id,
            case_id=case_id,
            details={"fields": ["names", "date_of_birth", "documents"]},
        )
        record(
            db_session,
            "person.viewed",
            actor=actor,
            object_type="person",
            object_id=person_id,
            case_id=case_id,
        )
        record(
            db_session,
            "person.searched",
            actor=actor,
            details={"results": 1, "index": "name_token"},
        )
    db_session.commit()
    token = csrf_token(client, "/login")
    client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": EMAIL.replace("fatima", "fatime"),
            "password": f"{DOCUMENT_NUMBER} {DATE_OF_BIRTH}",
        },
    )
    client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": EMAIL,
            "password": DOCUMENT_NUMBER,
        },
    )
    sign_in(client, caseworker)
    client.get(f"/audit/?object_id={DOCUMENT_NUMBER}&date_from={DATE_OF_BIRTH}")
    client.get(f"/audit/users/{uuid.uuid4()}?name={NAME_LATIN}")
    return case_id


def test_no_personal_data_in_the_audit_table_or_its_export(
    app, client, db_session, organisation, make_account
):
    _script(app, client, db_session, organisation, make_account)
    auditor = make_account(Role.AUDITOR)
    token = csrf_token(client, "/account")
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, auditor)
    token = csrf_token(client, "/audit/")
    export = client.post("/audit/export", data={"csrf_token": token})
    assert export.status_code == 200
    exported = export.get_data(as_text=True)
    db_session.expire_all()
    events = db_session.scalars(select(AuditEvent)).all()
    assert {e.action for e in events} >= {
        "person.created",
        "person.viewed",
        "login.failed",
        "access.denied",
    }
    table = "\n".join(
        "|".join(str(getattr(e, c.key)) for c in AuditEvent.__table__.columns) for e in events
    )
    assert len(exported.splitlines()) == len(events) + 1  # the header, then every event
    for secret in SECRETS:
        assert secret.lower() not in table.lower(), secret
        assert secret.lower() not in exported.lower(), secret
    assert "date_of_birth" in table  # field names are kept, their values are not
