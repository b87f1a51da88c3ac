"""Migrations: ``upgrade head`` equals the models; every revision goes down and up again."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

from core import migrate
from core.db import make_engine
from tests import databases


@pytest.fixture
def empty_database(backend, tmp_path):
    url = databases.fresh_database(backend, tmp_path, "migrations")
    yield url
    if backend == "postgresql":
        databases.drop_postgres(url)


def _revisions_base_to_head(url: str) -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_upgrade_head_matches_models(empty_database):
    migrate.upgrade(empty_database)
    assert migrate.drift_for_url(empty_database) == []


def test_every_revision_downgrades_and_upgrades(empty_database):
    revisions = _revisions_base_to_head(empty_database)
    assert revisions, "there must be at least one migration"
    for revision in revisions:
        migrate.upgrade(empty_database, revision)
    for _ in revisions:
        migrate.downgrade(empty_database, "-1")
    engine = make_engine(empty_database)
    try:
        from sqlalchemy import inspect

        leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert leftover == set(), f"downgrade to base left tables behind: {leftover}"
    migrate.upgrade(empty_database)
    assert migrate.drift_for_url(empty_database) == []


def test_revision_files_are_dated():
    names = [p.name for p in migrate.MIGRATIONS_DIR.joinpath("versions").glob("*.py")]
    assert names
    for name in names:
        date, time = name.split("_")[:2]
        assert len(date) == 8 and date.isdigit() and len(time) == 4 and time.isdigit(), name


def test_drift_is_detected(backend, tmp_path):
    """A model change without a migration is reported (the check itself can fail)."""
    url = databases.fresh_database(backend, tmp_path, "drift")
    try:
        migrate.upgrade(url)
        from sqlalchemy import Column, Integer, Table

        from core.db import Base

        extra = Table("drift_probe", Base.metadata, Column("id", Integer, primary_key=True))
        try:
            diffs = migrate.drift_for_url(url)
        finally:
            Base.metadata.remove(extra)
        assert any("drift_probe" in str(d) for d in diffs)
    finally:
        if backend == "postgresql":
            databases.drop_postgres(url)
