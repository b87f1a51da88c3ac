"""The scans of a figures page read side by side in one snapshot on PostgreSQL
(:mod:`reports.indicators.prefetch`): the same figures as one after the other, nothing a
concurrent write commits mid-page, no connection kept, and the cases where it steps aside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.skeleton.models import CaseSkeleton
from core import migrate
from core.app import create_app
from core.db import Database
from core.settings_sections import ReportSettings
from reports.indicators import api, prefetch
from reports.indicators.common import context
from reports.tables import Filters
from tests import databases
from tests.conftest import make_settings
from tests.factories import make_organisation
from tests.reports.indicator_fixtures import many

SETTINGS = ReportSettings(small_cell_threshold=5, sustainability_threshold=0.6, export_min_group=11)
PERIOD = Filters()


@pytest.fixture
def committed(backend: str, key_file: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own PostgreSQL database holding a committed population (worker
    connections see only what is committed)."""
    if backend != "postgresql":
        pytest.skip("snapshots are exported and read side by side on PostgreSQL only")
    url = databases.fresh_database(backend, tmp_path, "prefetch")
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_file))
    database: Database = app.extensions["homeward_db"]
    with app.app_context(), database.session_scope() as db:
        a = make_organisation(app, db)
        provider = make_organisation(app, db, agency=False, provider=True)
        _population(db, a.id, provider.id)
        db.commit()
    yield app
    assert database.engine is not None
    database.engine.dispose()
    databases.drop_postgres(url)


def _population(db: Session, organisation_id, provider_id) -> None:  # type: ignore[no-untyped-def]
    many(
        db,
        organisation_id,
        9,
        case_type="identified_victim",
        sex="female",
        age_band="24-26",
        child=False,
        nationality="AF",
        codes={"exploitation_type": ["forced_labour"], "means_of_control": ["debt_bondage"]},
        days_to_screening=2,
        days_to_plan=20,
        reflection_periods=1,
        reflection_days=30,
        referral_facts=[
            dict(
                service_type="health",
                provider_id=provider_id,
                state="completed",
                sent_month="2026-03",
                days_to_answer=2,
                days_to_complete=20,
            )
        ],
        monitoring_started_month="2026-03",
        visits_done=1,
        score_facts=[
            dict(period="2026-Q2", quarter_since_return=1, dimension="economic", score=0.5),
            dict(period="2026-Q2", quarter_since_return=1, dimension="composite", score=0.7),
        ],
        action_facts=[dict(dimension="economic", due_month="2026-05", done_on_time=True)],
    )
    many(
        db,
        organisation_id,
        6,
        case_type="presumed_victim",
        sex="male",
        age_band="9-17",
        child=True,
        nationality="PK",
        codes={"exploitation_type": ["sexual_exploitation"]},
        referral_facts=[
            dict(
                service_type="shelter",
                provider_id=provider_id,
                state="declined",
                decline_reason="no_capacity",
                sent_month="2026-04",
                days_to_answer=5,
            )
        ],
        closed_month="2026-08",
        closure_reason="support_period_ended",
    )


def _sections(app: Flask, *, side_by_side: bool):  # type: ignore[no-untyped-def]
    database: Database = app.extensions["homeward_db"]
    with app.test_request_context("/"), database.session_scope() as db:
        ctx = context(db, PERIOD, SETTINGS, 30)
        if side_by_side:
            found = prefetch.in_one_snapshot(ctx, api.SECTIONS)
            assert found is not None, "the page's scans were not read side by side"
            return found
        return tuple(section(ctx) for section in api.SECTIONS)


def test_side_by_side_gives_the_figures_one_after_the_other_gives(committed):
    together = _sections(committed, side_by_side=True)
    alone = _sections(committed, side_by_side=False)
    assert together == alone
    shown = {f.key: f for s in together for f in s.figures}

    def column(key: str) -> dict[str, object]:
        table = shown[key].table
        return {row: cells[0] for row, cells in zip(table.rows, table.cells, strict=True)}

    # One figure from each reading, with the population's numbers.
    assert column("registered_by_nationality")["Afghanistan (AF)"] == 9  # the tally
    assert column("registered_by_exploitation_type")["Forced labour"] == 9  # the codes
    assert column("closures_by_reason")["Support period ended"] == 6  # the closures
    referrals = shown["referrals_by_service_type"].table  # the referrals: by state
    assert dict(zip(referrals.rows, referrals.cells, strict=True))["Health care"][4] == 9


def test_compute_reads_side_by_side_and_keeps_no_connection(committed, monkeypatch):
    database: Database = committed.extensions["homeward_db"]
    assert database.engine is not None
    calls: list[int] = []
    real = prefetch.in_one_snapshot

    def spy(ctx, sections):  # type: ignore[no-untyped-def]
        found = real(ctx, sections)
        calls.append(0 if found is None else 1)
        return found

    monkeypatch.setattr(api, "in_one_snapshot", spy)
    with committed.test_request_context("/"), database.session_scope() as db:
        before = database.engine.pool.checkedout()  # type: ignore[attr-defined]
        sections = api.compute(db, PERIOD, SETTINGS, 30)
        db.rollback()
        assert database.engine.pool.checkedout() == before  # type: ignore[attr-defined]
    assert calls == [1]
    assert sections == api.linked_tables_agree(_sections(committed, side_by_side=False))


def test_a_write_committed_after_the_snapshot_is_in_no_reading(committed, monkeypatch):
    """Every reading, on every connection, sees the rows of the moment the page's snapshot
    was taken: a skeleton committed in between shows in none of them."""
    database: Database = committed.extensions["homeward_db"]
    before = _sections(committed, side_by_side=False)
    exported = prefetch._exported

    def then_a_write(db: Session):  # type: ignore[no-untyped-def]
        snapshot = exported(db)
        with committed.app_context(), database.session_scope() as other:
            organisation = other.scalars(select(CaseSkeleton.organisation_id)).first()
            _population(other, organisation, None)
            other.commit()
        return snapshot

    monkeypatch.setattr(prefetch, "_exported", then_a_write)
    during = _sections(committed, side_by_side=True)
    monkeypatch.undo()
    assert during == before
    assert _sections(committed, side_by_side=False) != before  # the write did land


def test_it_steps_aside_where_a_snapshot_would_not_show_the_session_s_own_rows(committed):
    database: Database = committed.extensions["homeward_db"]
    with committed.test_request_context("/"), database.session_scope() as db:
        organisation = db.scalars(select(CaseSkeleton.organisation_id)).first()
        many(db, organisation, 1, case_type="returnee")  # flushed, not committed
        ctx = context(db, PERIOD, SETTINGS, 30)
        assert prefetch.in_one_snapshot(ctx, api.SECTIONS) is None
        db.rollback()
        with db.begin_nested():
            assert prefetch.in_one_snapshot(context(db, PERIOD, SETTINGS, 30), api.SECTIONS) is None
        db.rollback()
