"""Each detail row's copy of its skeleton's registration month and organisation
(:class:`casework.skeleton.models.SkeletonCopies`): set by the database on every insert,
whoever writes the row, following the skeleton through a transfer or a corrected month, never
anything else; and the figures of a period or an organisation read them with no join."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select, text, update

from casework.skeleton.models import (
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonReferral,
    CaseSkeletonScore,
)
from reports.queries import counts_by, from_detail, skeleton_conditions
from reports.tables import Filters
from tests.factories import make_organisation
from tests.reports.indicator_fixtures import skeleton

DETAILS = (CaseSkeletonCode, CaseSkeletonReferral, CaseSkeletonScore, CaseSkeletonAction)
MIGRATION = next(
    (Path(__file__).parents[3] / "migrations" / "versions").glob("*_e6a1b2c3d4f5_*.py")
)


def _full(db_session, organisation_id, month="2026-03"):
    return skeleton(
        db_session,
        organisation_id,
        registered_month=month,
        codes={"exploitation_type": ["forced_labour", "sexual_exploitation"]},
        referral_facts=[{"service_type": "legal", "state": "sent", "sent_month": "2026-04"}],
        score_facts=[{"period": "2026-Q2", "dimension": "economic", "score": 0.5}],
        action_facts=[{"dimension": "economic", "due_month": "2026-05"}],
    )


def _copies(db_session, skeleton_id) -> set[tuple[str, object, object]]:
    """(table, month, organisation) of every detail row of the skeleton, as stored."""
    found = set()
    for model in DETAILS:
        table = model.__table__
        rows = db_session.execute(
            select(table.c.registered_month, table.c.organisation_id).where(
                table.c.skeleton_id == skeleton_id
            )
        )
        found |= {(table.name, month, org) for month, org in rows}
    return found


def _expected(month, organisation_id):
    return {(model.__table__.name, month, organisation_id) for model in DETAILS}


def test_every_detail_row_carries_its_skeletons_month_and_organisation(app, db_session):
    organisation = make_organisation(app, db_session)
    row = _full(db_session, organisation.id)
    assert _copies(db_session, row.id) == _expected("2026-03", organisation.id)


def test_a_bulk_insert_that_names_no_copy_gets_them_all_the_same(app, db_session):
    organisation = make_organisation(app, db_session)
    row = _full(db_session, organisation.id, month="2026-07")
    db_session.execute(
        insert(CaseSkeletonReferral).values(
            skeleton_id=row.id,
            ordinal=2,
            service_type="shelter",
            state="sent",
            sent_month="2026-08",
        )
    )
    assert _copies(db_session, row.id) == _expected("2026-07", organisation.id)


def test_the_copies_follow_a_transfer_and_a_corrected_month(app, db_session):
    first = make_organisation(app, db_session)
    second = make_organisation(app, db_session)
    row = _full(db_session, first.id)
    other = _full(db_session, first.id, month="2026-01")
    row.organisation_id = second.id
    db_session.flush()
    assert _copies(db_session, row.id) == _expected("2026-03", second.id)
    row.registered_month = "2026-02"
    db_session.flush()
    assert _copies(db_session, row.id) == _expected("2026-02", second.id)
    # The other skeleton's rows are untouched.
    assert _copies(db_session, other.id) == _expected("2026-01", first.id)


def test_a_write_of_a_copy_gets_the_skeletons_value_back(app, db_session):
    first = make_organisation(app, db_session)
    second = make_organisation(app, db_session)
    row = _full(db_session, first.id)
    for model in DETAILS:
        table = model.__table__
        db_session.execute(
            update(table)
            .where(table.c.skeleton_id == row.id)
            .values(organisation_id=second.id, registered_month="1999-01")
        )
    assert _copies(db_session, row.id) == _expected("2026-03", first.id)


def test_a_period_and_an_organisation_read_the_copies_with_no_join(app, db_session):
    first = make_organisation(app, db_session)
    second = make_organisation(app, db_session)
    moved = _full(db_session, first.id)
    _full(db_session, first.id, month="2025-11")  # outside the period
    _full(db_session, second.id)
    filters = Filters(organisation_ids=frozenset({second.id}))
    period = Filters(start=date(2026, 3, 1), end=date(2026, 3, 1))
    for chosen in (filters, period):
        stmt = from_detail(
            select(CaseSkeletonCode.code), CaseSkeletonCode, skeleton_conditions(chosen)
        )
        assert "case_skeleton " not in str(stmt.compile()) + " "  # the detail table alone
    count = CaseSkeletonCode.code
    assert counts_by(
        db_session, [count], skeleton_conditions(filters), detail=CaseSkeletonCode
    ) == {
        ("forced_labour",): 1,
        ("sexual_exploitation",): 1,
    }
    moved.organisation_id = second.id  # a transfer: the team's figures count it at once
    db_session.flush()
    assert counts_by(
        db_session, [count], skeleton_conditions(filters), detail=CaseSkeletonCode
    ) == {
        ("forced_labour",): 2,
        ("sexual_exploitation",): 2,
    }
    both = Filters(start=date(2026, 3, 1), end=date(2026, 3, 1), sex="female")
    stmt = from_detail(select(count), CaseSkeletonCode, skeleton_conditions(both))
    assert "JOIN case_skeleton " in str(stmt.compile())  # sex is the skeleton's alone


def test_the_migration_fills_the_copies_of_rows_written_before_it(app, db_session):
    organisation = make_organisation(app, db_session)
    row = _full(db_session, organisation.id)
    postgres = db_session.get_bind().dialect.name == "postgresql"
    for model in DETAILS:  # as rows stood before the migration: no copies (in this savepoint)
        name = model.__table__.name
        if postgres:
            db_session.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER {name}_copy"))
        else:
            db_session.execute(text(f"DROP TRIGGER {name}_copy_kept"))
        db_session.execute(
            text(f"UPDATE {name} SET registered_month = NULL, organisation_id = NULL")
        )
    assert _copies(db_session, row.id) == _expected(None, None)
    spec = importlib.util.spec_from_file_location("copies_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for statement in migration.BACKFILLS:
        db_session.execute(text(statement))
    assert _copies(db_session, row.id) == _expected("2026-03", organisation.id)
    assert db_session.get(CaseSkeleton, row.id) is row
