"""The generator's bulk skeletons are the app's: ``refresh_skeleton`` run over every generated
case (several seeds, every stage) adds, changes and deletes nothing in the skeleton tables."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from casework.models import Case
from casework.skeleton.models import CaseSkeleton, CaseSkeletonLink
from casework.skeleton.services import DETAIL_MODELS, refresh_skeleton
from casework.vocabulary import Stage
from core.app import create_app
from core.db import Database, current_db
from tests import databases
from tests.bench.test_generate import fresh_url, generator
from tests.conftest import make_settings

PEOPLE, SEEDS = 40, (11, 12, 13)
MODELS: list[Any] = [
    CaseSkeleton,
    CaseSkeletonLink,
    *(model for model, _keys in DETAIL_MODELS.values()),
]


@pytest.fixture(scope="module")
def generated(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    directory = tmp_path_factory.mktemp("skeletons")
    key_file = directory / "keys.json"
    url = fresh_url(backend, directory, "skel")
    for n, seed in enumerate(SEEDS):  # chunks smaller than a run: several chunks per seed
        generator.generate(
            url, PEOPLE, seed=seed, key_file=str(key_file), quiet=True, append=n > 0, chunk=16
        )
    app = create_app(make_settings(url, key_file))
    yield app
    database: Database = app.extensions["homeward_db"]
    assert database.engine is not None
    database.engine.dispose()
    if backend == "postgresql":
        databases.drop_postgres(url)


def snapshot(db: Session) -> dict[str, list[str]]:
    """Every row of the skeleton tables, as sorted JSON texts per table."""
    found = {}
    for model in MODELS:
        table = model.__table__
        assert isinstance(table, Table)
        found[table.name] = sorted(
            json.dumps(dict(row._mapping), default=str, sort_keys=True)
            for row in db.execute(select(table))
        )
    return found


def test_refresh_skeleton_changes_no_generated_skeleton(generated: Flask) -> None:
    with generated.app_context(), current_db().session_scope() as db:
        before = snapshot(db)
        cases = list(db.scalars(select(Case)))
        for case in cases:
            refresh_skeleton(db, case)
        unchanged = not (db.new or db.dirty or db.deleted)
        db.flush()
        after = snapshot(db)
        stages = Counter(case.stage for case in cases)
        db.rollback()
    assert len(cases) == PEOPLE * len(SEEDS)
    assert set(stages) == {stage.value for stage in Stage}, stages
    # Not vacuous: one skeleton per case and rows in every detail table.
    assert len(before["case_skeleton"]) == len(before["case_skeleton_link"]) == len(cases)
    assert all(before.values()), {name: len(rows) for name, rows in before.items()}
    assert unchanged
    assert after == before
