"""audit: take the chain's lock and read its head in one call

Revision ID: 267cac8c0932
Revises: d4f8a1b2c3e5
Create Date: 2026-12-06 18:40:00+00:00

PostgreSQL only. Appending events (``audit.services``) took the chain's advisory lock in one
statement and read the head (``homeward_audit_head()``) in a second: two round trips to the
server on every commit that records (issue 18, target P5). ``homeward_audit_lock_head(wait,
lock_key)`` does both in one: it sets ``lock_timeout`` for the rest of the transaction (as the
statement it replaces did, with ``set_config(..., true)``), takes
``pg_advisory_xact_lock(lock_key)``, and only then reads the head.

Why a PL/pgSQL function and not one SQL statement: in READ COMMITTED a statement reads with
the snapshot it took when it began, so a head read by the statement that waited for the lock
would predate the commit of the writer it waited for, and name a head that is no longer the
newest (the append would then fork the chain, or fail on ``audit_seq``). A VOLATILE PL/pgSQL
function takes a new snapshot for each statement inside it, so its ``SELECT``, run after the
``PERFORM`` that was granted the lock, sees every append committed before the lock was ours.

It runs as its caller (SECURITY INVOKER), like the statement it replaces: any role may set its
own ``lock_timeout`` and take an advisory lock, and the head is read through
``homeward_audit_head()``, the SECURITY DEFINER reader any role may already call. So it widens
no privilege; EXECUTE stays PUBLIC's, as ``homeward_audit_head()``'s is, and the app role needs
no grant (docs/postgresql-roles.sql). It names everything with its schema and pins its
``search_path`` (``pg_temp`` last) as the other audit functions do. The ``SET search_path``
clause restores only ``search_path`` when the function returns: the ``lock_timeout`` it sets
stays in force until the transaction ends (a test checks it).

SQLite: no-op both ways (the append takes SQLite's one write lock before it reads the head).
Downgrade drops the function; the code before this revision does not call it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "267cac8c0932"
down_revision: str | Sequence[str] | None = "d4f8a1b2c3e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCK_HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_lock_head(
    wait text, lock_key bigint, OUT seq bigint, OUT hash text
)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM pg_catalog.set_config('lock_timeout', wait, true);
    PERFORM pg_catalog.pg_advisory_xact_lock(lock_key);
    -- A statement of its own, so a snapshot of its own, taken after the lock was granted.
    SELECT h.seq, h.hash INTO seq, hash FROM public.homeward_audit_head() AS h;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: one writer already (module docstring)
    op.execute(LOCK_HEAD_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION homeward_audit_lock_head(text, bigint)")
