"""``/readyz``: 503 only when the database is unreachable or behind the code's migrations; the
body reports what the packages collect (audit: checkpoint age and unsealed events)."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from audit.services import record
from audit.verify_signing import verified_checkpoint
from core import migrate
from core.app import create_app
from core.db import get_session
from core.security import public
from tests import databases
from tests.conftest import make_settings


def test_ready_on_a_current_database_with_audit_figures(app, client, db_session):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["database"], body["migrations"]) == ("ok", "ok", "current")
    assert body["revision"]["database"] == body["revision"]["code"]
    assert {"audit_checkpoint_age_seconds", "audit_unsealed_events"} <= body["figures"].keys()


def test_unsealed_events_and_checkpoint_age_follow_the_log(app, client, db_session):
    before = client.get("/readyz").get_json()["figures"]["audit_unsealed_events"]
    with app.test_request_context("/"):
        for _ in range(3):
            record(db_session, "test.probe")
    db_session.commit()
    figures = client.get("/readyz").get_json()["figures"]
    assert figures["audit_unsealed_events"] == before + 3

    seed = app.extensions["homeward_keys"].checkpoint_signing_key
    with app.test_request_context("/"):
        verified_checkpoint(db_session, seed)
    db_session.commit()
    figures = client.get("/readyz").get_json()["figures"]
    # Only the event recording the checkpoint itself is left for the next one to seal.
    assert figures["audit_unsealed_events"] == 1
    assert 0 <= figures["audit_checkpoint_age_seconds"] < 3600


def _previous_revision(url: str) -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    (head,) = script.get_heads()
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    return previous


def test_not_ready_when_migrations_are_behind(key_file, tmp_path):
    url = databases.fresh_sqlite(tmp_path, "behind")
    migrate.upgrade(url, _previous_revision(url))
    app = create_app(make_settings(url, key_file))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["migrations"]) == ("unavailable", "behind")
    migrate.upgrade(url)
    assert app.test_client().get("/readyz").status_code == 200


def test_a_database_ahead_of_the_code_is_still_ready(key_file, tmp_path):
    """A rolling upgrade: newer code migrated the schema; older workers keep serving."""
    url = databases.fresh_sqlite(tmp_path, "ahead")
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_file))
    with app.app_context():
        session = get_session()
        session.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
        session.commit()
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["migrations"] == "ahead"


def test_not_ready_when_the_database_is_unreachable(key_file, tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path}/no/such/dir/x.db", key_file))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_a_page_answers_503_with_a_friendly_page_when_the_database_is_unreachable(
    key_file, tmp_path
):
    app = create_app(make_settings(f"sqlite:///{tmp_path}/no/such/dir/x.db", key_file))

    @app.get("/_reads_the_database")
    def _reads():
        get_session().execute(text("SELECT 1"))
        return "ok"

    public(_reads)
    response = app.test_client().get("/_reads_the_database")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Temporarily unavailable" in page and "sqlite" not in page.lower()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_need_no_sign_in(client, path):
    assert client.get(path).status_code == 200
