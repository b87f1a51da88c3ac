"""bench/generate/: a generated database is whole, searchable, audited and reproducible."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from audit.verify import verify_chain
from casework.models import Case, Person
from casework.queries import search_cases
from casework.screening.models import TraffickingStory
from casework.skeleton.derived import derived_columns
from casework.skeleton.models import COPIED_COLUMNS, SKELETON_FIELDS, CaseSkeletonLink
from casework.skeleton.services import DETAIL_MODELS, missing_skeletons, skeleton_values
from casework.vocabulary import Stage
from core.app import create_app
from core.db import Database, current_db
from core.permissions import Role
from core.security import Actor
from tests import databases
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
PEOPLE, EVENTS, SEED = 60, 200, 3


def load_generator() -> ModuleType:
    """The package ``bench/generate/`` (``bench`` is no installed package: from the root)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("bench.generate")


generator = load_generator()


def fresh_url(backend: str, directory: Path, suffix: str) -> str:
    if backend == "sqlite":
        return databases.fresh_sqlite(directory, suffix)  # a file that does not exist yet
    url = databases.postgres_url()
    assert url is not None
    return databases.fresh_postgres(url, suffix)  # an empty database: no tables


def run(url: str, key_file: Path, people: int = PEOPLE, **options: Any) -> Any:
    return generator.generate(
        url,
        people,
        audit_events=options.pop("audit_events", EVENTS),
        seed=SEED,
        key_file=str(key_file),
        quiet=True,
        **options,
    )


@pytest.fixture(scope="module")
def generated(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, Any, Flask]]:
    directory = tmp_path_factory.mktemp("generated")
    key_file = directory / "keys.json"  # missing: the generator makes it
    url = fresh_url(backend, directory, "gen")
    summary = run(url, key_file)
    app = create_app(make_settings(url, key_file))
    yield url, key_file, summary, app
    database: Database = app.extensions["homeward_db"]
    assert database.engine is not None
    database.engine.dispose()
    if backend == "postgresql":
        databases.drop_postgres(url)


def test_the_key_file_is_made_and_the_audit_chain_verifies(generated: Any) -> None:
    _url, key_file, _summary, app = generated
    assert key_file.is_file()
    with app.app_context(), current_db().session_scope() as db:
        report = verify_chain(db)
        assert report.problem is None
        assert report.events_checked >= EVENTS
        assert report.head_seq == report.events_checked


def test_every_case_has_the_skeleton_the_app_would_build(generated: Any) -> None:
    """Every case's skeleton columns and detail rows (codes, referrals, scores, actions) are
    what ``refresh_skeleton`` writes from ``skeleton_values`` for the case as it is now."""
    _url, _key, _summary, app = generated
    details: Counter[str] = Counter()
    with app.app_context(), current_db().session_scope() as db:
        cases = list(db.scalars(select(Case)))
        assert len(cases) == PEOPLE
        assert missing_skeletons(db) == []
        for case in cases:
            link = db.get(CaseSkeletonLink, case.id)
            assert link is not None
            values = skeleton_values(db, case)
            stored = {name: getattr(link.skeleton, name) for name in SKELETON_FIELDS}
            assert stored == {name: values[name] for name in SKELETON_FIELDS}, case.stage
            for key, (model, keys) in DETAIL_MODELS.items():
                # The derived flags are the flush listener's, not the builder's (their values
                # are checked by tests/bench/test_generate_skeleton.py through refresh_skeleton),
                # and the copies of the skeleton's month and organisation the database's
                # (tests/casework/skeleton/test_copies.py).
                derived = {"skeleton_id", *derived_columns(model), *COPIED_COLUMNS}
                columns = [c.key for c in model.__table__.columns if c.key not in derived]
                rows = db.scalars(
                    select(model).where(model.skeleton_id == link.skeleton_id)  # type: ignore[attr-defined]
                )
                have = {
                    tuple(getattr(r, k) for k in keys): {c: getattr(r, c) for c in columns}
                    for r in rows
                }
                want = {
                    tuple(r[k] for k in keys): {c: r.get(c) for c in columns} for r in values[key]
                }
                assert have == want, (key, case.stage)
                details[key] += len(have)
    # Not vacuous: the generated cases have rows in every detail table.
    assert set(details) == set(DETAIL_MODELS) and all(details.values()), details


def test_cases_span_every_stage_case_type_and_referral_state(generated: Any) -> None:
    _url, _key, summary, app = generated
    with app.app_context(), current_db().session_scope() as db:
        stages = Counter(db.scalars(select(Case.stage)))
        types = set(db.scalars(select(Case.case_type)))
        provinces = set(db.scalars(select(Case.province_pcode)))
        stories = db.scalar(select(func.count()).select_from(TraffickingStory))
    assert set(stages) == {s.value for s in Stage}
    assert {"returnee", "presumed_victim", "identified_victim"} <= types
    assert stages == Counter(summary.stages)
    assert set(summary.milestones) == set(generator.STEPS)
    assert {"sent", "accepted", "declined", "completed"} <= set(summary.referral_states)
    assert summary.visits > 0
    assert provinces - {None}  # Afghan returnees come back to the places' provinces
    assert stories  # victims' trafficking stories (their codes are in the skeletons)


def test_a_generated_name_is_found_by_the_caseworker_of_its_case_only(generated: Any) -> None:
    _url, _key, _summary, app = generated
    with app.app_context(), current_db().session_scope() as db:
        case = db.scalars(select(Case).order_by(Case.case_number)).first()
        assert case is not None
        person = db.get(Person, case.person_id)
        assert person is not None
        assert person.name_original and case.assigned_to_id
        tokens = person.name_original.split()
        term = f"{tokens[0]} {tokens[-1]}"
        owner = Actor(case.assigned_to_id, Role.CASEWORKER, case.organisation_id)
        assert case.id in {c.id for c in search_cases(db, owner, "name", term)}
        other_org = db.scalar(
            select(Case.organisation_id).where(Case.organisation_id != case.organisation_id)
        )
        outsider = Actor(case.assigned_to_id, Role.SUPERVISOR, other_org)
        assert case.id not in {c.id for c in search_cases(db, outsider, "name", term)}
        db.rollback()


def test_the_same_seed_gives_the_same_people(generated: Any, tmp_path: Path) -> None:
    """Two runs with one seed: the same counts, stages, case types and names."""
    _url, key_file, summary, app = generated
    other_url = databases.fresh_sqlite(tmp_path, "again")
    again = run(other_url, key_file, audit_events=0)
    assert (again.milestones, again.stages, again.case_types) == (
        summary.milestones,
        summary.stages,
        summary.case_types,
    )
    assert again.referral_states == summary.referral_states

    def names(flask_app: Flask) -> list[str]:
        with flask_app.app_context(), current_db().session_scope() as db:
            return sorted(p.name_original or "" for p in db.scalars(select(Person)))

    other = create_app(make_settings(other_url, key_file))
    try:
        assert names(other) == names(app)
    finally:
        other.extensions["homeward_db"].engine.dispose()


def test_a_database_with_cases_is_refused_unless_appending(generated: Any) -> None:
    url, key_file, _summary, app = generated
    with pytest.raises(SystemExit, match="--append"):
        run(url, key_file, people=5, audit_events=0)
    added = run(url, key_file, people=5, audit_events=20, append=True)
    assert sum(added.stages.values()) == 5
    with app.app_context(), current_db().session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Case)) == PEOPLE + 5
        assert missing_skeletons(db) == []
        assert verify_chain(db).problem is None


def test_staff_sign_in_with_the_printed_password(generated: Any) -> None:
    from auth.models import User
    from auth.passwords import verify_password
    from auth.services import hash_params

    _url, _key, _summary, app = generated
    settings = app.config["HOMEWARD_SETTINGS"].auth
    with app.app_context(), current_db().session_scope() as db:
        staff = list(db.scalars(select(User).where(User.email.like("%.generated.homeward.test"))))
        caseworkers = generator.staffing(PEOPLE + 5)  # after the appending run
        supervisors = sum(generator.teams(n) for n in caseworkers)
        assert len(staff) == sum(caseworkers) + supervisors + len(generator.PROVIDERS)
        for user in staff:
            assert verify_password(user.password_hash, generator.PASSWORD, hash_params(settings))


def test_staffing_grows_with_the_population_to_a_realistic_caseload() -> None:
    """About 60 open cases per caseworker at a million people (85% of cases open), at least
    two caseworkers per agency when there are few, and one supervisor per team of eight."""
    assert generator.staffing(10) == [2] * len(generator.AGENCIES)
    workers = generator.staffing(1_000_000)
    assert 55 <= 850_000 / sum(workers) <= 60
    assert all(n > 100 for n in workers)
    assert generator.teams(8) == 1 and generator.teams(9) == 2
