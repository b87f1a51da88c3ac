"""The database keeps the chain continuous (migration d4f8a1b2c3e5, ``homeward_audit_keep_head``).

Every role but the owner may only append seq = head + 1 with prev_hash = the head's hash,
through the parent or a partition named directly; the head follows each event, survives
retention, and the monthly job gives nothing away and waits for no reader."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

from audit import partitions
from audit.partitions import PartitionBusyError, add_months, create_ahead
from tests.audit.test_partitions import NOW, _cli, _db, _old_months, _sql, _write, pg  # noqa: F401
from tests.audit.test_review3_partitions import _as_role, _conninfo, pg_role  # noqa: F401
from tests.audit.test_review_partitions import EVENT

pytestmark = pytest.mark.postgres_only

HEAD = "SELECT seq, hash FROM homeward_audit_head()"
FOLLOW = "(SELECT hash FROM homeward_audit_head())"


def _event(seq: int, h: str, prev: str = FOLLOW, table: str = "audit_event") -> str:
    event = EVENT.format(seq=seq, at="now()", h=h).replace("repeat('0', 64)", prev)
    return event.replace("INTO audit_event ", f"INTO {table} ")


def test_the_first_event_follows_the_genesis_hash(pg_role):  # noqa: F811
    application, url, role = pg_role
    assert _sql(application, HEAD) == [(None, None)]
    with pytest.raises(psycopg.errors.IntegrityError):
        _as_role(url, role, _event(2, "a", "repeat('0', 64)"))
    with pytest.raises(psycopg.errors.IntegrityError):
        _as_role(url, role, _event(1, "a", "repeat('1', 64)"))
    _as_role(url, role, _event(1, "a", "repeat('0', 64)"))
    assert _sql(application, HEAD) == [(1, "a" * 64)]


@pytest.mark.parametrize("seq", [1, 2, 4, 2**63 - 1])
def test_the_app_role_may_append_only_the_next_event(pg_role, seq):  # noqa: F811
    application, url, role = pg_role
    _write(application, NOW, 2)
    before = _sql(application, HEAD)
    with pytest.raises(psycopg.errors.IntegrityError):
        _as_role(url, role, _event(seq, "f"))
    with pytest.raises(psycopg.errors.IntegrityError):  # the right seq, linked elsewhere
        _as_role(url, role, _event(3, "f", "repeat('e', 64)"))
    assert _sql(application, HEAD) == before
    _write(application, NOW, 1)
    assert _sql(application, HEAD)[0][0] == 3


def test_an_insert_naming_a_partition_is_checked_too(pg_role):  # noqa: F811
    """The row trigger is cloned to every partition: a grant on one (by hand, or default
    privileges before this fix) opens no way around the check."""
    application, url, role = pg_role
    _write(application, NOW, 1)
    partition = f"audit_event_{NOW:%Y_%m}"
    _sql(application, f"GRANT INSERT ON {partition} TO {role}")
    with pytest.raises(psycopg.errors.IntegrityError):
        _as_role(url, role, _event(2**63 - 1, "f", table=partition))
    _as_role(url, role, _event(2, "b", table=partition))
    assert _sql(application, HEAD) == [(2, "b" * 64)]


def test_several_events_in_one_statement_each_follow_the_one_before(pg_role):  # noqa: F811
    application, url, role = pg_role
    _write(application, NOW, 1)
    (seq, head) = _sql(application, HEAD)[0]
    values = (
        f"({seq + 1}, now(), 'p', 'ok', '{{}}', '{head}', repeat('b', 64)), "
        f"({seq + 2}, now(), 'p', 'ok', '{{}}', repeat('b', 64), repeat('c', 64))"
    )
    columns = "(seq, occurred_at, action, outcome, details, prev_hash, hash)"
    _as_role(url, role, f"INSERT INTO audit_event {columns} VALUES {values}")
    assert _sql(application, HEAD) == [(3, "c" * 64)]
    broken = values.replace("repeat('b', 64), repeat('c', 64)", "repeat('x', 64), 'c'")
    with pytest.raises(psycopg.errors.IntegrityError):
        _as_role(url, role, f"INSERT INTO audit_event {columns} VALUES {broken}")


def test_appends_follow_the_head_after_retention_dropped_the_oldest_months(pg):  # noqa: F811
    application, _ = pg
    _old_months(application)
    before = _sql(application, HEAD)
    assert _cli(application, "retention", "run").exit_code == 0
    assert _sql(application, HEAD)[0][0] >= before[0][0]  # (its own events follow the head)
    _write(application, NOW, 2)
    newest = "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
    assert _sql(application, HEAD) == _sql(application, newest)
    assert "chain intact" in _cli(application, "verify", "--workers", "1", "--no-record").output


def test_the_monthly_job_gives_up_on_a_locked_month_and_names_it(pg, monkeypatch):  # noqa: F811
    application, url = pg
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "200ms")
    monkeypatch.setattr(partitions, "LOCK_PAUSE", 0.1)
    month = add_months(NOW.date(), 9)
    with psycopg.connect(_conninfo(url)) as reader:
        reader.execute("SELECT count(*) FROM audit_event")
        started = time.monotonic()
        with (
            application.app_context(),
            _db(application).session_scope() as session,
            pytest.raises(PartitionBusyError, match=f"{month:%Y-%m}"),
        ):
            create_ahead(session, month, months=0)
        assert time.monotonic() - started < 5
    with application.app_context(), _db(application).session_scope() as session:
        assert create_ahead(session, month, months=0).created == [f"{month:%Y-%m}"]
        assert create_ahead(session, month, months=0).present == [f"{month:%Y-%m}"]
        assert session.execute(text("SHOW lock_timeout")).scalar() == "0"  # (restored)
