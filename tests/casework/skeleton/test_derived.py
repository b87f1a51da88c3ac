"""The flags derived from a skeleton's detail rows (:mod:`casework.skeleton.derived`): each
person's latest score of a dimension, first code of a field and plan action of a dimension due
first, right after every flush whoever wrote the rows, through erasure, and as the
migration marks rows that were there before the flags."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, update

from casework.erasure import erase_person
from casework.models import Case
from casework.skeleton.models import (
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonLink,
    CaseSkeletonScore,
)
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.helpers import SCREENING, record_screening
from tests.casework.monitoring.test_monitoring import VISIT
from tests.factories import make_organisation, post_form
from tests.referrals.helpers import case_id_of
from tests.reports.indicator_fixtures import skeleton

MIGRATION = next(
    (Path(__file__).parents[3] / "migrations" / "versions").glob("*_c5d1e2f3a4b6_*.py")
)


def _latest(db_session, skeleton_id) -> dict[tuple[str, str], bool]:
    db_session.expire_all()
    rows = db_session.scalars(
        select(CaseSkeletonScore).where(CaseSkeletonScore.skeleton_id == skeleton_id)
    )
    return {(r.period, r.dimension): r.latest for r in rows}


def test_the_latest_score_moves_with_a_later_score_and_back(app, db_session):
    organisation = make_organisation(app, db_session)
    row = skeleton(
        db_session,
        organisation.id,
        score_facts=[
            {"period": "2026-Q1", "dimension": "economic", "score": 0.4},
            {"period": "2026-Q1", "dimension": "social", "score": 0.5},
        ],
    )
    other = skeleton(
        db_session,
        organisation.id,
        score_facts=[{"period": "2026-Q3", "dimension": "economic", "score": 0.9}],
    )
    assert _latest(db_session, row.id) == {
        ("2026-Q1", "economic"): True,
        ("2026-Q1", "social"): True,
    }
    # A later quarter's score of one dimension: the latest of that dimension only.
    db_session.add(
        CaseSkeletonScore(skeleton_id=row.id, period="2026-Q2", dimension="economic", score=0.7)
    )
    db_session.flush()
    assert _latest(db_session, row.id) == {
        ("2026-Q1", "economic"): False,
        ("2026-Q1", "social"): True,
        ("2026-Q2", "economic"): True,
    }
    # A later row without a score is never the latest, nor hides the one before.
    db_session.add(
        CaseSkeletonScore(skeleton_id=row.id, period="2026-Q4", dimension="economic", score=None)
    )
    db_session.flush()
    assert _latest(db_session, row.id)[("2026-Q2", "economic")] is True
    assert _latest(db_session, row.id)[("2026-Q4", "economic")] is False
    # The later score goes: the earlier is the latest again.
    later = db_session.get(CaseSkeletonScore, (row.id, "2026-Q2", "economic"))
    db_session.delete(later)
    db_session.flush()
    assert _latest(db_session, row.id)[("2026-Q1", "economic")] is True
    # Another person's scores are their own.
    assert _latest(db_session, other.id) == {("2026-Q3", "economic"): True}


def test_the_latest_score_of_a_case_after_a_second_visit_and_after_erasure(
    app, db_session, client, case
):
    assert record_screening(client, case, SCREENING).status_code == 302
    for visited_on in ("2026-06-30", "2026-08-10"):
        data = {**VISIT, "visited_on": visited_on}
        assert post_form(client, f"{case}/monitoring/new", data).status_code == 302
        db_session.expire_all()
    link = db_session.get(CaseSkeletonLink, case_id_of(case))
    skeleton_id = link.skeleton_id
    found = _latest(db_session, skeleton_id)
    assert found and all(latest == (period == "2026-Q3") for (period, _d), latest in found.items())
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    record = db_session.get(Case, case_id_of(case))
    with app.app_context():
        erase_person(db_session, None, record.person, "the person asked for it")
    db_session.flush()
    assert _latest(db_session, skeleton_id) == found


def test_the_first_code_of_each_field(app, db_session):
    organisation = make_organisation(app, db_session)
    row = skeleton(
        db_session,
        organisation.id,
        codes={"means_of_control": ["threats", "debt_bondage"], "exploitation_type": ["servitude"]},
    )

    def first() -> dict[tuple[str, str], bool]:
        db_session.expire_all()
        rows = db_session.scalars(
            select(CaseSkeletonCode).where(CaseSkeletonCode.skeleton_id == row.id)
        )
        return {(r.field, r.code): r.first_code for r in rows}

    assert first() == {
        ("means_of_control", "debt_bondage"): True,
        ("means_of_control", "threats"): False,
        ("exploitation_type", "servitude"): True,
    }
    db_session.delete(
        db_session.get(CaseSkeletonCode, (row.id, "means_of_control", "debt_bondage"))
    )
    db_session.flush()
    assert first()[("means_of_control", "threats")] is True


def test_the_action_of_each_dimension_due_first(app, db_session):
    organisation = make_organisation(app, db_session)
    row = skeleton(
        db_session,
        organisation.id,
        action_facts=[
            {"dimension": "economic", "due_month": "2026-05"},
            {"dimension": "economic", "due_month": "2026-03"},
            {"dimension": "economic", "due_month": "2026-03"},  # same month, later ordinal
            {"dimension": None, "due_month": "2026-07"},
            {"dimension": None, "due_month": "2026-06"},
            {"dimension": "social", "due_month": None},  # no due month: never first
        ],
    )
    db_session.expire_all()
    rows = db_session.scalars(
        select(CaseSkeletonAction)
        .where(CaseSkeletonAction.skeleton_id == row.id)
        .order_by(CaseSkeletonAction.ordinal)
    )
    assert [r.earliest_due for r in rows] == [False, True, False, False, True, False]


def test_the_migration_marks_rows_as_the_listener_does(app, db_session):
    organisation = make_organisation(app, db_session)
    skeleton(
        db_session,
        organisation.id,
        codes={"means_of_control": ["threats", "debt_bondage", "physical_abuse"]},
        score_facts=[
            {"period": "2026-Q1", "dimension": "economic", "score": 0.4},
            {"period": "2026-Q2", "dimension": "economic", "score": 0.6},
            {"period": "2026-Q3", "dimension": "economic", "score": None},
        ],
        action_facts=[
            {"dimension": None, "due_month": "2026-05"},
            {"dimension": None, "due_month": "2026-04"},
            {"dimension": "social", "due_month": "2026-04"},
        ],
    )
    models = {
        CaseSkeletonScore: "latest",
        CaseSkeletonCode: "first_code",
        CaseSkeletonAction: "earliest_due",
    }

    def flags() -> dict[str, list[tuple[object, ...]]]:
        return {
            column: sorted(
                tuple(row)
                for row in db_session.execute(select(*model.__table__.c)).all()  # type: ignore[attr-defined]
            )
            for model, column in models.items()
        }

    kept = flags()
    assert any(row[-1] for rows in kept.values() for row in rows)
    for model, column in models.items():  # every flag wrong, behind the listener's back
        table = model.__table__  # type: ignore[attr-defined]
        db_session.execute(update(table).values({column: ~table.c[column]}))
    assert flags() != kept
    spec = importlib.util.spec_from_file_location("flags_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for statement in migration.BACKFILLS:
        db_session.execute(migration.sa.text(statement))
    assert flags() == kept
