"""audit append only and checkpoints

Revision ID: a9e3ffc0cfe6
Revises: b1e1ca290322
Create Date: 2026-11-28 05:42:47.796360+00:00

Adds the signed checkpoint table, two indexes for the auditor's filters, and triggers that make
``audit_event`` and ``audit_checkpoint`` append-only: on PostgreSQL UPDATE, DELETE and TRUNCATE
raise; on SQLite UPDATE and DELETE raise (SQLite has no TRUNCATE). Only the table owner can drop
or disable the triggers, which is why the application should connect as a role that owns
nothing (README, "Audit log").
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = 'a9e3ffc0cfe6'
down_revision: str | Sequence[str] | None = 'b1e1ca290322'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("audit_event", "audit_checkpoint")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION homeward_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION homeward_audit_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION homeward_audit_append_only()"
            )
    elif dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for verb in ("update", "delete"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
                )


def _drop_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
        op.execute("DROP FUNCTION IF EXISTS homeward_audit_append_only()")
    elif dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def upgrade() -> None:
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )
    with op.batch_alter_table('audit_checkpoint', schema=None) as batch_op:
        batch_op.create_index('ix_audit_checkpoint_seq', ['seq'], unique=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_organisation_seq', ['actor_organisation_id', 'seq'], unique=False)
        batch_op.create_index('ix_audit_event_outcome_seq', ['outcome', 'seq'], unique=False)

    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_outcome_seq')
        batch_op.drop_index('ix_audit_event_organisation_seq')

    with op.batch_alter_table('audit_checkpoint', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_checkpoint_seq')

    op.drop_table('audit_checkpoint')
