"""A month whose events were left in ``audit_event_default`` (the monthly partitions job
lapsed) keeps every later month past retention, since retention drops only the chain's first
events and never rows. docs/deployment.md gives the owner's fix, checked here: the default
partition, holding that one month, becomes the month's partition and a new default is made."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from audit.partitions import add_months, create_ahead
from tests.audit.test_partitions import (  # noqa: F401
    IN_USE,
    NOW,
    OLD,
    PREVIOUS,
    _cli,
    _db,
    _in_use,
    _sql,
    _write,
    pg,
)

pytestmark = pytest.mark.postgres_only

#: docs/deployment.md's statements, for a default partition holding the events of April only.
FIX = """
SET LOCAL lock_timeout = '5s';
ALTER TABLE audit_event DETACH PARTITION audit_event_default;
ALTER TABLE audit_event_default RENAME TO audit_event_{month:%Y_%m};
ALTER TABLE audit_event ATTACH PARTITION audit_event_{month:%Y_%m}
    FOR VALUES FROM ('{month:%Y-%m}-01 00:00:00+00') TO ('{after:%Y-%m}-01 00:00:00+00');
CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event_default
    FOR EACH STATEMENT EXECUTE FUNCTION homeward_audit_append_only();
"""


def test_the_documented_fix_lets_retention_drop_the_later_months(pg):  # noqa: F811
    application, _ = pg
    later = OLD.replace(month=OLD.month + 2)
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, OLD.date(), months=0)
        create_ahead(session, later.date(), months=0)
    _write(application, OLD, 2)
    _write(application, PREVIOUS, 2)  # into the default partition
    _write(application, later, 2)
    month = PREVIOUS.date().replace(day=1)
    fix = FIX.format(month=month, after=add_months(month, 1))
    with application.app_context(), _db(application).session_scope() as session:
        connection = session.connection().connection.driver_connection
        assert connection is not None
        connection.execute(fix)
    assert _sql(application, "SELECT count(*) FROM audit_event_default") == [(0,)]
    assert _sql(application, f"SELECT count(*) FROM audit_event_{month:%Y_%m}") == [(2,)]
    _in_use(application, add_months(later.date(), 1), IN_USE)  # (the later-months bound)
    _write(application, NOW, 1)
    done = _cli(application, "retention", "run")
    assert done.exit_code == 0, done.output
    assert f"dropped audit_event_{later:%Y_%m}" in done.output
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert verified.exit_code == 0, verified.output
    with pytest.raises(DBAPIError, match="is append-only: TRUNCATE is not allowed"):
        _sql(application, "TRUNCATE audit_event_default")
