"""audit event monthly partitions

Revision ID: d4f8a1b2c3e5
Revises: e6a1b2c3d4f5
Create Date: 2026-12-06 07:00:00+00:00

PostgreSQL only: ``audit_event`` becomes a table ``PARTITION BY RANGE (occurred_at)`` with one
partition per calendar month (UTC), named ``audit_event_YYYY_MM``, and ``audit_event_default``
for any month without one, so an insert never fails. Retention (``homeward audit retention
run``) then drops whole months instead of deleting rows, which the append-only triggers forbid.

What changes on PostgreSQL, and why:

* A partitioned table's unique constraints must include the partition key: the primary key is
  ``(seq, occurred_at)`` and the hash's unique constraint ``(hash, occurred_at)``. ``seq`` stays
  unique across partitions through ``audit_seq``: an AFTER INSERT row trigger
  (``homeward_audit_claim_seq``, SECURITY DEFINER, so the app role needs no grant on it) puts
  every event's ``seq`` there, under its own primary key, so a second event with a ``seq``
  fails. Like every SECURITY DEFINER function here it names its tables with their schema
  and puts ``pg_temp`` last on its ``search_path`` (unnamed, pg_temp is searched first, and a
  caller's temporary ``audit_seq`` would shadow the real one). ``audit_seq`` is append-only
  too and keeps the numbers of events dropped by retention, so they are never reused.
  ``seq > 0`` is checked on both tables. The hash is unique within a month; across months
  it follows from the chain (the hash covers ``seq``), which the verifier checks, so no guard
  table is kept for it.
* The append-only row trigger on the partitioned table is cloned to every partition, present
  and future; the BEFORE TRUNCATE statement trigger is not inherited, so it is made on the
  parent and on every partition (``homeward_audit_partition`` makes it on each new one).
* ``homeward_audit_partition(month)`` creates one month's partition, idempotently; this
  migration and ``homeward audit partitions`` (the owner's monthly job) call it. It refuses a
  month whose events already sit in the default partition: moving them would mean deleting
  from an append-only table.

SQLite: no-op both ways. SQLite has no partitioning, and a SQLite deployment is small (one
writer); its ``audit_event`` keeps the plain table, as the model declares it. The model is
unchanged (``seq`` its primary key, ``hash`` unique): Alembic's drift check compares neither
primary keys nor, for this table, the unique constraint's extra column (see core.migrate).

Events dated more than a day from the database's clock are refused for every role but the
owner (BEFORE INSERT trigger ``audit_event_bound_time``): they would land in the default
partition, which then blocks that month's partition for good. The owner is exempt (the copy
below, tests that travel in time; it may do anything anyway). Only months from 1970 to 8999 get
partitions, so an event dated ``infinity`` stays in the default partition.

``audit_head`` holds one row, the newest event's seq and hash, read through
``homeward_audit_head()`` (SECURITY DEFINER): appending reads the head there under the chain's
lock instead of ``ORDER BY seq DESC LIMIT 1`` over every partition. The database keeps the chain
continuous: an AFTER INSERT row trigger (``homeward_audit_keep_head``, SECURITY DEFINER) locks
the head, refuses any role but the owner an event that is not seq = head + 1 with prev_hash =
the head's hash, and moves the head to it. So no role but the owner can number an event far
ahead (2^63-1 once stopped every later append) or link one elsewhere. The app role has no
privilege on the table (docs/postgresql-roles.sql, Part 2), so it cannot move the head itself.
``audit_seq`` stays: continuity alone makes every new seq unique, but only while nobody rewinds
the head (the owner can); ``audit_seq`` still refuses a number used before, as a unique
violation, however the head was moved.

Both ways the new table gets the grants the old one had (the app role's INSERT and SELECT);
partitions get none (docs/postgresql-roles.sql, Part 2).

Downgrade: back to the plain table with the same rows, primary key, indexes and triggers as
before; ``audit_seq`` and the two functions are dropped.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4f8a1b2c3e5"
down_revision: str | Sequence[str] | None = "e6a1b2c3d4f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The indexes of ``audit_event`` (as the model declares them), made again on each table.
INDEXES = {
    "ix_audit_event_action_seq": "action, seq",
    "ix_audit_event_actor_seq": "actor_user_id, seq",
    "ix_audit_event_case_seq": "case_id, seq",
    "ix_audit_event_object_seq": "object_type, object_id, seq",
    "ix_audit_event_occurred_at": "occurred_at",
    "ix_audit_event_organisation_seq": "actor_organisation_id, seq",
    "ix_audit_event_outcome_seq": "outcome, seq",
}

PARTITION_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_partition(month date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    first_day timestamp := date_trunc('month', month::timestamp);
    low timestamptz := first_day AT TIME ZONE 'UTC';
    high timestamptz := (first_day + interval '1 month') AT TIME ZONE 'UTC';
    name text := 'audit_event_' || to_char(first_day, 'YYYY_MM');
    waiting bigint;
    grantee oid;
BEGIN
    IF NOT isfinite(month) OR month < DATE '1970-01-01' OR month >= DATE '9000-01-01' THEN
        RAISE EXCEPTION 'no audit partition for month %', month
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass(quote_ident(name)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF to_regclass('audit_event_default') IS NOT NULL THEN
        SELECT count(*) INTO waiting FROM audit_event_default
        WHERE occurred_at >= low AND occurred_at < high;
        IF waiting > 0 THEN
            RAISE EXCEPTION 'audit_event_default holds % event(s) of %: no partition made',
                waiting, to_char(first_day, 'YYYY-MM')
                USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'they stay in the default partition; see docs/deployment.md';
        END IF;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_event FOR VALUES FROM (%L) TO (%L)',
                   name, low, high);
    EXECUTE format('CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION homeward_audit_append_only()', name);
    -- the owner's default privileges may grant the app role INSERT on every new table: an
    -- event put in a partition directly would skip nothing now, but no role needs it
    FOR grantee IN SELECT DISTINCT a.grantee FROM pg_class AS c, aclexplode(c.relacl) AS a
                   WHERE c.oid = to_regclass(quote_ident(name)) AND a.grantee <> c.relowner LOOP
        EXECUTE format('REVOKE ALL ON %I FROM %s', name,
                       CASE grantee WHEN 0 THEN 'PUBLIC' ELSE grantee::regrole::text END);
    END LOOP;
    RETURN name;
END
$$
"""

CLAIM_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_claim_seq() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO public.audit_seq (seq) VALUES (NEW.seq);
    RETURN NULL;
END
$$
"""


#: Keeps the chain continuous and ``audit_head`` (one row: the newest event's seq and hash) on
#: it. A row trigger, so it fires for every partition too (cloned to each, present and future)
#: and for INSERT, COPY and MERGE alike. It locks the head row and refuses, for every role but
#: the owner, an event whose seq is not the head's + 1 or whose prev_hash is not the head's hash,
#: then moves the head to it. No head row: the chain is empty, (0, the genesis hash). Retention
#: drops the oldest months, never the head, so the next event still follows the newest one. The
#: owner (tests writing a break on purpose, repairs) is let through; the head then only moves
#: up. Inside a SECURITY DEFINER function current_user is the owner: the caller is the SET ROLE
#: in force, or else the session's user. Named after ``homeward_audit_claim_seq``, so fired
#: after it: a seq used before is refused by ``audit_seq`` first, as a unique violation.
HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_keep_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    head_seq bigint;
    head_hash text;
    caller text;
    known boolean;
BEGIN
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM public.audit_head AS h WHERE h.id = 1
    FOR UPDATE;
    known := FOUND;
    IF NOT known THEN
        head_seq := 0;
        head_hash := repeat('0', 64);
    END IF;
    IF NEW.seq <> head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
        caller := current_setting('role');
        IF caller = 'none' THEN
            caller := session_user;
        END IF;
        IF NOT pg_has_role(caller, (SELECT c.relowner FROM pg_class AS c
                                    WHERE c.oid = 'public.audit_event'::regclass), 'USAGE') THEN
            RAISE EXCEPTION 'audit event % does not follow the chain''s head (event %)',
                NEW.seq, head_seq
                USING ERRCODE = 'integrity_constraint_violation',
                HINT = 'events are appended through the application, seq = head + 1';
        END IF;
        IF NEW.seq <= head_seq THEN
            RETURN NULL;
        END IF;
    END IF;
    IF known THEN
        UPDATE public.audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    ELSE
        INSERT INTO public.audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash);
    END IF;
    RETURN NULL;
END
$$
"""

#: The head for any role (EXECUTE is PUBLIC's): nobody but the owner may write audit_head.
READ_HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_head(OUT seq bigint, OUT hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT h.seq, h.hash::text FROM public.audit_head AS h WHERE h.id = 1
$$
"""

#: Refuses, for any role but the table's owner (and superusers), an event dated more than a
#: day from the database's clock: such an event would sit in a month not made yet (the default
#: partition, which ``homeward audit partitions`` then refuses to split) or at +-infinity.
#: The owner is exempt: the upgrade copies old events, and the owner may do anything anyway.
BOUND_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_bound_time() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.occurred_at BETWEEN statement_timestamp() - interval '1 day'
                           AND statement_timestamp() + interval '1 day' THEN
        RETURN NEW;
    END IF;
    IF pg_has_role(current_user,
                   (SELECT relowner FROM pg_class WHERE oid = 'public.audit_event'::regclass),
                   'USAGE') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit event % dated % : more than a day from the database clock',
        NEW.seq, NEW.occurred_at
        USING HINT = 'check the application host''s clock';
END
$$
"""


#: The functions only the owner's triggers (and the owner) call.
TRIGGER_ONLY = (
    "homeward_audit_claim_seq()",
    "homeward_audit_keep_head()",
    "homeward_audit_bound_time()",
    "homeward_audit_partition(date)",
)


def _append_only(table: str) -> None:
    op.execute(
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION homeward_audit_append_only()"
    )
    _no_truncate(table, f"{table}_no_truncate")


def _no_truncate(table: str, trigger: str = "audit_event_no_truncate") -> None:
    op.execute(
        f"CREATE TRIGGER {trigger} BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION homeward_audit_append_only()"
    )


def _copy_grants(source: str, target: str) -> None:
    """Give ``target`` the privileges other roles hold on ``source`` (the app role's INSERT
    and SELECT), so the app writes events again as soon as the upgrade commits."""
    op.execute(
        "DO $$ DECLARE g record; BEGIN "
        "FOR g IN SELECT a.grantee::regrole::text AS who, a.privilege_type AS what "
        "FROM pg_class c, aclexplode(c.relacl) a "
        f"WHERE c.oid = '{source}'::regclass AND a.grantee NOT IN (0, c.relowner) LOOP "
        f"EXECUTE format('GRANT %s ON {target} TO %s', g.what, g.who); "
        "END LOOP; END $$"
    )


def _head() -> None:
    op.execute(
        "CREATE TABLE audit_head (id SMALLINT NOT NULL, seq BIGINT NOT NULL, "
        "hash VARCHAR(64) NOT NULL, CONSTRAINT pk_audit_head PRIMARY KEY (id), "
        "CONSTRAINT ck_audit_head_one_row CHECK (id = 1))"
    )
    op.execute(HEAD_FUNCTION)
    op.execute(READ_HEAD_FUNCTION)


def _keep_head() -> None:
    """After the copy: set the head once, to the newest event copied (none: the chain is
    empty), then check and move it with every insert. Copying under the trigger would check
    each old event, and refuse an old chain with a gap the verifier is there to report."""
    op.execute(
        "INSERT INTO audit_head (id, seq, hash) "
        "SELECT 1, seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
    )
    op.execute(
        "CREATE TRIGGER audit_event_keep_head AFTER INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION homeward_audit_keep_head()"
    )


def _indexes() -> None:
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON audit_event ({columns})")


def _set_aside() -> None:
    """Rename the current table and its constraints and indexes out of the way."""
    op.execute("ALTER TABLE audit_event RENAME TO audit_event_old")
    op.execute("ALTER TABLE audit_event_old RENAME CONSTRAINT pk_audit_event TO pk_audit_event_old")
    op.execute(
        "ALTER TABLE audit_event_old RENAME CONSTRAINT uq_audit_event_hash "
        "TO uq_audit_event_hash_old"
    )
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")


def _partition_months() -> None:
    """A partition for every month holding events, the current month and the 3 after it.

    Only months from 1970 to 8999: an event dated outside (``infinity`` included, which the
    app role could once write) stays in the default partition."""
    op.execute(
        "SELECT homeward_audit_partition(month::date) FROM ("
        " SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS month"
        " FROM audit_event_old WHERE occurred_at >= '1970-01-01' AND occurred_at < '9000-01-01'"
        " UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC')"
        " + make_interval(months => ahead) FROM generate_series(0, 3) AS ahead"
        ") AS months ORDER BY month"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps the plain table (module docstring)
    _set_aside()
    op.execute(
        "CREATE TABLE audit_event (LIKE audit_event_old INCLUDING DEFAULTS, "
        "CONSTRAINT ck_audit_event_seq_positive CHECK (seq > 0), "
        "CONSTRAINT pk_audit_event PRIMARY KEY (seq, occurred_at), "
        "CONSTRAINT uq_audit_event_hash UNIQUE (hash, occurred_at)"
        ") PARTITION BY RANGE (occurred_at)"
    )
    op.execute("CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT")
    op.execute(
        "CREATE TABLE audit_seq (seq BIGINT NOT NULL, "
        "CONSTRAINT pk_audit_seq PRIMARY KEY (seq), "
        "CONSTRAINT ck_audit_seq_positive CHECK (seq > 0))"
    )
    _append_only("audit_seq")
    op.execute(CLAIM_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_event_claim_seq AFTER INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION homeward_audit_claim_seq()"
    )
    _append_only("audit_event")
    _no_truncate("audit_event_default")
    _head()
    op.execute(PARTITION_FUNCTION)
    _partition_months()
    op.execute("INSERT INTO audit_event SELECT * FROM audit_event_old ORDER BY seq")
    _keep_head()
    _copy_grants("audit_event_old", "audit_event")
    op.execute("DROP TABLE audit_event_old")
    _indexes()
    op.execute(BOUND_FUNCTION)  # after the copy (the owner is exempt anyway)
    op.execute(
        "CREATE TRIGGER audit_event_bound_time BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION homeward_audit_bound_time()"
    )
    # Trigger functions only: nobody but the owner may attach them to a table of their own (a
    # SECURITY DEFINER one fired from an app role's temporary table would write audit_seq or
    # audit_head as the owner). EXECUTE is checked when a trigger is made, not when it fires.
    # Every grantee but the owner: the owner's default privileges may have granted EXECUTE on
    # new functions to the app role by name, not only to PUBLIC.
    for function in TRIGGER_ONLY:
        op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
        _revoke_all(f"'{function}'::regprocedure", "FUNCTION", "pg_proc", "proacl", "proowner")
    for table in ("audit_seq", "audit_head"):  # (Part 2 revokes too, but after the upgrade)
        _revoke_all(f"'{table}'::regclass", "TABLE", "pg_class", "relacl", "relowner")


def _revoke_all(target: str, kind: str, catalog: str, acl: str, owner: str) -> None:
    """Revoke every privilege on ``target`` from every grantee but its owner (PUBLIC too)."""
    op.execute(
        "DO $$ DECLARE g oid; BEGIN "
        f"FOR g IN SELECT DISTINCT a.grantee FROM {catalog} AS o, aclexplode(o.{acl}) AS a "
        f"WHERE o.oid = {target} AND a.grantee <> o.{owner} LOOP "
        f"EXECUTE format('REVOKE ALL ON {kind} %s FROM %s', {target}, "
        "CASE g WHEN 0 THEN 'PUBLIC' ELSE g::regrole::text END); "
        "END LOOP; END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE audit_event RENAME TO audit_event_partitioned")
    op.execute(
        "ALTER TABLE audit_event_partitioned RENAME CONSTRAINT pk_audit_event "
        "TO pk_audit_event_partitioned"
    )
    op.execute(
        "ALTER TABLE audit_event_partitioned RENAME CONSTRAINT uq_audit_event_hash "
        "TO uq_audit_event_hash_partitioned"
    )
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_partitioned")
    op.execute(
        "CREATE TABLE audit_event (LIKE audit_event_partitioned INCLUDING DEFAULTS, "
        "CONSTRAINT pk_audit_event PRIMARY KEY (seq), "
        "CONSTRAINT uq_audit_event_hash UNIQUE (hash))"
    )
    op.execute("INSERT INTO audit_event SELECT * FROM audit_event_partitioned ORDER BY seq")
    _copy_grants("audit_event_partitioned", "audit_event")
    op.execute("DROP TABLE audit_event_partitioned")  # and every partition with it
    _indexes()
    _append_only("audit_event")
    op.execute("DROP FUNCTION homeward_audit_partition(date)")
    op.execute("DROP FUNCTION homeward_audit_claim_seq()")
    op.execute("DROP FUNCTION homeward_audit_bound_time()")
    op.execute("DROP FUNCTION homeward_audit_keep_head()")
    op.execute("DROP FUNCTION homeward_audit_head()")
    op.execute("DROP TABLE audit_head")
    op.execute("DROP TABLE audit_seq")
