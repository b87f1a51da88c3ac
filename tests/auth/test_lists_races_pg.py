"""Two administrators saving the same list entry at once on PostgreSQL: one wins, the other
gets the conflict (never a 500, never a lost write), whether the entry had a row yet or not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from auth import lists
from core import migrate
from core.app import create_app
from core.lists.models import ListEntry
from core.lists.registry import define
from tests import databases
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres_only

NAME = "test_race_kinds"
SPEC = define(NAME, _l("Race kinds"), (("cash", _l("Cash")), ("other", _l("Other"))))
LOCALES = ["en", "fa_AF"]


@pytest.fixture
def scratch(backend: str, key_file: Path, tmp_path: Path) -> Iterator[Flask]:
    if backend != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    url = databases.fresh_database(backend, tmp_path, "listrace")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)


def _race(app: Flask, first_labels: dict[str, str], second_labels: dict[str, str], version):
    """The first saves and holds its transaction open; the second saves meanwhile (its write
    waits for the first's lock); then the first commits. Returns the second's outcome."""
    engine = app.extensions["homeward_db"].engine
    outcome: dict[str, object] = {}
    with app.app_context(), Session(engine) as first:
        lists.update_labels(first, None, SPEC, "cash", first_labels, LOCALES, version)

        def second() -> None:
            with app.app_context(), Session(engine) as other:
                try:
                    lists.update_labels(other, None, SPEC, "cash", second_labels, LOCALES, version)
                    other.commit()
                    outcome["result"] = "saved"
                except lists.EntryConflict as exc:
                    outcome["result"] = "conflict"
                    outcome["current"] = exc.current

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1.0)  # it is waiting on the first's lock
        first.commit()
        thread.join(timeout=30)
    return outcome


def _stored(app: Flask) -> ListEntry | None:
    with Session(app.extensions["homeward_db"].engine) as session:
        return session.get(ListEntry, (NAME, "cash"))


def test_two_first_edits_of_a_built_in_entry(scratch: Flask) -> None:
    outcome = _race(scratch, {"en": "Money"}, {"en": "Coins"}, None)
    assert outcome["result"] == "conflict"
    assert outcome["current"] == {"labels": {"en": "Money"}, "retired": False}
    row = _stored(scratch)
    assert row is not None and row.labels == {"en": "Money"} and row.version == 1


def test_two_edits_of_the_same_version(scratch: Flask) -> None:
    with scratch.app_context(), Session(scratch.extensions["homeward_db"].engine) as session:
        lists.update_labels(session, None, SPEC, "cash", {"en": "Cash"}, LOCALES, None)
        session.commit()
    outcome = _race(scratch, {"en": "Money"}, {"fa_AF": "نقد"}, 1)
    assert outcome["result"] == "conflict"
    row = _stored(scratch)
    assert row is not None and row.labels == {"en": "Money"} and row.version == 2
