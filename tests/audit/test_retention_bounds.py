"""Retention's bound that no clock sets: a month is dropped only once ``years * 12`` later
calendar months hold events, so a host clock running fast (shared by the app and the
database) cannot make this month's events look old."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from audit.partitions import add_months, create_ahead
from audit.retention import database_now, head_seq, plan
from audit.services import record
from core import clock
from core.app import create_app
from tests.audit.test_partitions import NOW, _cli, _db, _in_use, _where, _write, pg  # noqa: F401
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres_only

YEARS = 1
#: Thirteen months of use starting four years ago, and this month's: fourteen months with
#: events (``YEARS * 12 + 2``). The old ones are all past a one-year cutoff by the clock (and
#: by the newest event's time), so only the later months with events decide.
START = date(NOW.year - 4, 1, 1)
MONTHS = [add_months(START, step) for step in range(YEARS * 12 + 1)]


def _name(month: date) -> str:
    return f"audit_event_{month:%Y_%m}"


@pytest.fixture
def one_year(pg, key_file) -> Iterator[Flask]:  # noqa: F811
    """The partition tests' database, with HOMEWARD_AUDIT_RETENTION_YEARS=1."""
    _, url = pg
    application = create_app(make_settings(url, key_file, AUDIT_RETENTION_YEARS=YEARS))
    yield application
    _db(application).engine.dispose()


def _shared_clock(session: Session) -> datetime:
    """The database's clock when PostgreSQL runs on the app's host: as wrong as the app's."""
    return clock.utcnow()


def _months_of_use(application: Flask, first: date, months: int) -> None:
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, first, months=months - 1)
    _in_use(application, first, months)


def test_a_young_system_keeps_every_month_with_the_clock_years_ahead(one_year, monkeypatch):
    """Four months of use, then the host's clock five years fast, the app writing with it:
    every month is past the clock's cutoff (and the newest event's time minus a year), none
    has twelve later months with events, so nothing goes, and the dry run says why."""
    first = add_months(NOW.date(), -3)
    _months_of_use(one_year, first, 4)
    monkeypatch.setattr("audit.retention.database_now", _shared_clock)
    monkeypatch.setattr("audit.partition_commands.database_now", _shared_clock)
    clock.travel(timedelta(days=366 * 5))
    try:
        with one_year.app_context(), _db(one_year).session_scope() as session:
            record(session, "case.viewed", object_type="case")
        dry = _cli(one_year, "retention", "run", "--dry-run")
        done = _cli(one_year, "retention", "run")
    finally:
        clock.travel(timedelta(0))
    assert dry.exit_code == 0 and "nothing to drop" in dry.output, dry.output
    assert f"kept {_name(first)}: only 4 later months hold events" in dry.output
    assert "a month is dropped only once 12 later months do" in dry.output
    assert done.exit_code == 0 and "nothing to drop" in done.output, done.output
    where = _where(one_year)
    assert all(_name(add_months(first, step)) in where for step in range(4)), where


def test_a_system_in_use_drops_exactly_the_months_with_enough_later_ones(one_year):
    """Events in each of fourteen months, thirteen of them old: the first two have twelve
    or more later months with events and go; the third (eleven) and the rest stay."""
    _months_of_use(one_year, START, len(MONTHS))
    _write(one_year, NOW, 1)
    assert set(_where(one_year)) == {_name(m) for m in [*MONTHS, NOW.date()]}
    with one_year.app_context(), _db(one_year).session_scope() as session:
        planned = plan(session, YEARS, database_now(session), head_seq(session))
        session.rollback()
    assert [m.partition.month for m in planned.drop] == MONTHS[:2]
    assert [m.partition.month for m in planned.too_recent] == MONTHS[2:]
    assert planned.too_recent[0].later_months == 11 and planned.through_seq == 2
    dry = _cli(one_year, "retention", "run", "--dry-run")
    assert f"would drop {_name(MONTHS[1])}" in dry.output, dry.output
    assert f"kept {_name(MONTHS[2])}: only 11 later months hold events" in dry.output
    done = _cli(one_year, "retention", "run")
    assert done.exit_code == 0 and "events up to 2 dropped" in done.output, done.output
    assert set(_where(one_year)) == {_name(m) for m in [*MONTHS[2:], NOW.date()]}
    verified = _cli(one_year, "verify", "--workers", "1", "--no-record")
    assert verified.exit_code == 0 and "events up to 2 were removed" in verified.output
