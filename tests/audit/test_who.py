"""The auditor's pages name staff: display names, roles and organisations, ids on hover, a
fallback for deleted accounts, details as a list, and a bounded number of queries per page."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from audit.services import record
from auth.models import Organisation, User
from core.permissions import Role
from core.security import Actor
from tests.factories import count_statements, csrf_token

CASE = uuid.UUID("c1c1c1c1-0000-4000-8000-000000000001")
OTHER_CASE = uuid.UUID("c2c2c2c2-0000-4000-8000-000000000002")
REFERRAL = uuid.UUID("e1e1e1e1-0000-4000-8000-000000000003")


@pytest.fixture
def worker(make_account):
    return make_account(Role.CASEWORKER, "Amira Haddad").user


@pytest.fixture
def ghost() -> Actor:
    """An actor whose account and organisation no longer exist."""
    return Actor(uuid.uuid4(), Role.SUPERVISOR, uuid.uuid4(), None)


@pytest.fixture
def touched(app, db_session, worker, ghost):
    """The case viewed and updated by a known caseworker and viewed by a deleted account."""
    actor = Actor(worker.id, Role.CASEWORKER, worker.organisation_id, None)
    with app.test_request_context("/"):
        record(
            db_session, "case.viewed", actor=actor, object_type="case", object_id=CASE, case_id=CASE
        )
        record(
            db_session,
            "case.updated",
            actor=actor,
            object_type="case",
            object_id=CASE,
            case_id=CASE,
            details={
                "fields": ["stage", "risk"],
                "case_ids": [str(OTHER_CASE)],
                "referral_id": str(REFERRAL),
                "scope": {"organisation_id": str(worker.organisation_id), "days": 3},
            },
        )
        record(
            db_session, "case.viewed", actor=ghost, object_type="case", object_id=CASE, case_id=CASE
        )
    db_session.commit()
    return actor


def _html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_who_touched_this_case_names_the_user_role_and_organisation(
    auditor_client, touched, worker
):
    html = _html(auditor_client.get(f"/audit/cases/{CASE}"))
    who = html.split('id="who-title"')[1].split("</section>")[0]
    assert "Amira Haddad" in who and "Caseworker" in who and "Audit Test Agency" in who
    assert f'title="{worker.id}"' in who and f'title="{worker.organisation_id}"' in who
    assert f'href="/audit/users/{worker.id}"' in who
    assert f"/audit/?organisation={worker.organisation_id}" in who


def test_a_deleted_account_shows_as_such_with_its_short_id(auditor_client, touched, ghost):
    html = _html(auditor_client.get(f"/audit/cases/{CASE}"))
    assert f'deleted account <bdi dir="ltr">{ghost.user_id.hex[:8]}</bdi>' in html
    assert f'deleted organisation <bdi dir="ltr">{ghost.organisation_id.hex[:8]}</bdi>' in html
    assert f'title="{ghost.user_id}"' in html and "Supervisor" in html


def test_the_log_names_actors_and_lists_details(auditor_client, touched, worker):
    html = _html(auditor_client.get(f"/audit/?case={CASE}"))
    assert html.count("Amira Haddad") >= 2 and "Audit Test Agency" in html
    assert f'title="{worker.id}"' in html
    assert '<dl class="audit-details">' in html
    assert "&#34;fields&#34;" not in html and '"fields"' not in html
    details = html.split('<dl class="audit-details">', 1)[1]
    assert "<dt>Fields</dt>" in details and "stage, risk" in details
    assert f'href="/audit/cases/{OTHER_CASE}"' in details
    assert f"object_id={REFERRAL}" in details and "object_type=referral" in details
    nested = details.split('class="audit-nested"')[1]
    assert '<dl class="audit-details">' in nested and "Audit Test Agency" in nested


def test_the_user_page_is_headed_with_the_name(auditor_client, touched, worker, ghost):
    assert "Activity of <bdi>Amira Haddad</bdi>" in _html(
        auditor_client.get(f"/audit/users/{worker.id}")
    )
    html = _html(auditor_client.get(f"/audit/users/{ghost.user_id}"))
    assert f"deleted account {ghost.user_id.hex[:8]}" in html


def test_the_export_keeps_ids_not_names(auditor_client, touched, worker):
    token = csrf_token(auditor_client, "/account")
    response = auditor_client.post(f"/audit/export?case={CASE}", data={"csrf_token": token})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["actor_user_id"] for r in rows} >= {str(worker.id)}
    assert "Amira Haddad" not in response.get_data(as_text=True)


def _staff(db_session, count: int) -> list[Actor]:
    """Accounts in organisations of their own (no password: they never sign in here)."""
    actors = []
    for _ in range(count):
        n = uuid.uuid4().hex[:8]
        org = Organisation(name=f"Agency {n}", code=n.upper(), country="XK", is_case_agency=True)
        db_session.add(org)
        db_session.flush()
        user = User(
            email=f"{n}@example.test",
            display_name=f"Staff {n}",
            organisation_id=org.id,
            role="caseworker",
        )
        db_session.add(user)
        db_session.flush()
        actors.append(Actor(user.id, Role.CASEWORKER, org.id, None))
    return actors


@pytest.mark.parametrize("path", ["/audit/?case={case}", "/audit/cases/{case}"])
def test_the_number_of_queries_does_not_grow_with_the_rows(app, db_session, auditor_client, path):
    def add(actors):
        with app.test_request_context("/"):
            for actor in actors:
                record(db_session, "case.viewed", actor=actor, case_id=CASE, details={"x": 1})
        db_session.commit()

    url = path.format(case=CASE)
    add(_staff(db_session, 2))
    count_statements(app, auditor_client, url)  # the first request of a session does more
    few = count_statements(app, auditor_client, url)
    add(_staff(db_session, 20))
    many = count_statements(app, auditor_client, url)
    assert many == few
    assert few <= 15


def test_alerts_name_the_user_and_the_locked_account(app, db_session, auditor_client, worker):
    actor = Actor(worker.id, Role.CASEWORKER, worker.organisation_id, None)
    settings = app.config["HOMEWARD_SETTINGS"]
    with app.test_request_context("/"):
        for _ in range(settings.AUDIT_ALERT_DENIALS_PER_HOUR):
            record(db_session, "access.denied", actor=actor, outcome="denied")
        record(
            db_session, "account.locked", object_type="user", object_id=worker.id, outcome="denied"
        )
    db_session.commit()
    html = _html(auditor_client.get("/audit/alerts?days=1"))
    assert html.count("Amira Haddad") >= 2 and f'title="{worker.id}"' in html


def test_the_log_filtered_by_account_or_organisation_names_it(auditor_client, touched, worker):
    html = _html(auditor_client.get(f"/audit/?user={worker.id}"))
    assert "<dt>User</dt><dd>" in html and html.count("Amira Haddad") >= 2
    html = _html(auditor_client.get(f"/audit/?organisation={worker.organisation_id}"))
    assert "<dt>Organisation</dt><dd>" in html


def test_details_of_any_shape_become_labelled_items(app, auditor_client, db_session):
    with app.test_request_context("/"):
        record(
            db_session,
            "report.made",
            case_id=CASE,
            details={
                "rows": [{"kind": "a", "count": 2}, {"kind": "b", "count": 0}],
                "any_provider": False,
                "reason": None,
            },
        )
    db_session.commit()
    html = _html(auditor_client.get("/audit/?action=report.made"))
    details = html.split('<dl class="audit-details">', 1)[1].split("</td>")[0]
    assert '<code dir="ltr">rows</code>' in details  # a key without a label, as written
    assert details.count('<dl class="audit-details">') == 3  # one per row, nested
    assert "<dt>Kind</dt>" in details and "<dt>Any provider</dt>" in details
    assert ">false<" in details and "—" in details
