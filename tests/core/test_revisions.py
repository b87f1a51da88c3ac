"""``core.revisions``: the migration revisions ``/readyz`` compares, read without Alembic,
give Alembic's own answers; and a worker that answers ``/readyz`` still has not loaded
Alembic (issue 18: it would stay in every worker's memory)."""

from __future__ import annotations

from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from core import migrate
from core.app import create_app
from core.db import get_session
from core.revisions import applied_revisions, shipped_revisions
from tests import databases
from tests.conftest import make_settings
from tests.core.test_start_up_imports import modules_loaded_by


def test_the_shipped_revisions_are_alembics():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    heads, known = shipped_revisions((migrate.MIGRATIONS_DIR / "versions").glob("*.py"))
    assert heads == set(script.get_heads())
    assert known == {r.revision for r in script.walk_revisions()}
    assert len(known) > 30


def _revision(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.py").write_text(f'"""{name}"""\n{body}\n\ndef upgrade(): ...\n')


def test_branches_a_merge_and_annotated_assignments(tmp_path):
    _revision(tmp_path, "a", 'revision = "a"\ndown_revision = None')
    _revision(tmp_path, "b", 'revision: str = "b"\ndown_revision: str | None = "a"')
    _revision(tmp_path, "c", "revision = 'c'\ndown_revision = 'a'")
    assert shipped_revisions(tmp_path.glob("*.py")) == ({"b", "c"}, {"a", "b", "c"})
    _revision(tmp_path, "m", 'revision = "m"\ndown_revision = ("b", "c")\nbranch_labels = None')
    assert shipped_revisions(tmp_path.glob("*.py")) == ({"m"}, {"a", "b", "c", "m"})


def test_the_applied_revisions_are_alembics(app, db_session):
    assert applied_revisions(db_session) == set(
        MigrationContext.configure(db_session.connection()).get_current_heads()
    )
    assert applied_revisions(db_session)


def test_an_empty_database_has_applied_none_and_is_not_ready(key_file, tmp_path):
    url = databases.fresh_sqlite(tmp_path, "empty")
    app = create_app(make_settings(url, key_file))
    with app.app_context():
        assert applied_revisions(get_session()) == set()
        # nothing failed: the session reads on
        assert get_session().execute(text("SELECT 1")).scalar_one() == 1
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "behind"


SCRIPT = """
import json, sys
import wsgi
with wsgi.app.test_client() as client:
    answered = client.get("/readyz")
    assert answered.status_code == 200, answered.get_data(as_text=True)
    assert answered.get_json()["migrations"] == "current"
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def test_a_worker_answering_readyz_has_not_loaded_alembic(tmp_path, key_file):
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    migrate.upgrade(url)
    loaded = modules_loaded_by(SCRIPT, url, key_file)
    assert "flask" in loaded
    assert loaded.isdisjoint({"alembic", "mako", "pygments"}), loaded & {"alembic", "mako"}
