"""PostgreSQL: an event dated where no ``datetime`` reaches (``infinity``, a year past 9999,
before year 1) is reported by ``homeward audit verify`` as a break naming it, never as a
traceback (psycopg cannot load such a time) and never as intact, whatever its hash says."""

from __future__ import annotations

import pytest

from audit.chain import event_hash
from tests.audit.test_partitions import NOW, _cli, _sql, _write, pg  # noqa: F401
from tests.audit.test_review_partitions import EVENT

pytestmark = pytest.mark.postgres_only


@pytest.mark.parametrize("at", ["'10000-01-01 00:00:00+00'", "'0005-03-01 00:00:00+00 BC'"])
def test_verify_names_an_event_dated_outside_the_years_a_datetime_holds(pg, at):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 2)
    _sql(application, EVENT.format(seq=3, at=at, h="c"))
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert isinstance(verified.exception, SystemExit | None), repr(verified.exception)
    assert verified.exit_code == 1, verified.output
    assert "chain BROKEN at event 3 (changed): event 3 is dated" in verified.output


def test_an_event_dated_infinity_is_a_break_even_hashed_with_no_time(pg):  # noqa: F811
    """Hashed as the reference would read it (``occurred_at`` null) and linked to event 2:
    its hash fits what is read, but no event is written with that time."""
    application, _ = pg
    _write(application, NOW, 2)
    [(previous,)] = _sql(application, "SELECT hash FROM audit_event WHERE seq = 2")
    fields = {"seq": 3, "action": "probe", "outcome": "ok", "details": "{}"}
    crafted = event_hash({**fields, "prev_hash": previous})
    _sql(
        application,
        "INSERT INTO audit_event (seq, occurred_at, action, outcome, details, prev_hash, hash) "
        "VALUES (3, 'infinity', 'probe', 'ok', '{}', :previous, :crafted)",
        previous=previous,
        crafted=crafted,
    )
    _write(application, NOW, 1)
    verified = _cli(application, "verify", "--workers", "2", "--no-record")
    assert verified.exit_code == 1, verified.output
    assert "chain BROKEN at event 3 (changed): event 3 is dated infinity" in verified.output
