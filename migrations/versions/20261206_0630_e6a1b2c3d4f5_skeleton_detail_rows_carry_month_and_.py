"""Skeleton detail rows carry their skeleton's registration month and organisation

A figures page filtered by period (and, for a case team, organisation) read every code,
score and plan action of the skeletons, hashed the period's skeletons and joined the two:
most of a first page's time at 100,000 cases. Each detail row now carries a copy of its
skeleton's ``registered_month`` and ``organisation_id``, indexed, so those figures read the
rows of the period directly (``reports.queries.from_detail``). The copies are the
database's own: a trigger fills them on every insert of a detail row (whoever writes it, the
skeleton's builder or a bulk fill) and another follows a change of the skeleton's month or
organisation (a transfer), so they can never differ from the skeleton's.

Revision ID: e6a1b2c3d4f5
Revises: c2e8f9a0b1d3
Create Date: 2026-12-06 06:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e6a1b2c3d4f5"
down_revision: str | Sequence[str] | None = "c2e8f9a0b1d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DETAILS = (
    "case_skeleton_code",
    "case_skeleton_referral",
    "case_skeleton_score",
    "case_skeleton_action",
)
COPY = (
    "registered_month = (SELECT s.registered_month FROM case_skeleton s WHERE s.id = {row}), "
    "organisation_id = (SELECT s.organisation_id FROM case_skeleton s WHERE s.id = {row})"
)
#: The copies of the rows there before, from their skeletons (a test runs them too).
BACKFILLS = tuple(
    f"UPDATE {table} SET {COPY.format(row=f'{table}.skeleton_id')}" for table in DETAILS
)

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION homeward_skeleton_detail_copy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT s.registered_month, s.organisation_id INTO NEW.registered_month, NEW.organisation_id
    FROM case_skeleton s WHERE s.id = NEW.skeleton_id;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION homeward_skeleton_copies_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_skeleton_code SET registered_month = NEW.registered_month,
        organisation_id = NEW.organisation_id WHERE skeleton_id = NEW.id;
    UPDATE case_skeleton_referral SET registered_month = NEW.registered_month,
        organisation_id = NEW.organisation_id WHERE skeleton_id = NEW.id;
    UPDATE case_skeleton_score SET registered_month = NEW.registered_month,
        organisation_id = NEW.organisation_id WHERE skeleton_id = NEW.id;
    UPDATE case_skeleton_action SET registered_month = NEW.registered_month,
        organisation_id = NEW.organisation_id WHERE skeleton_id = NEW.id;
    RETURN NULL;
END $$;
"""


def _create_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute(PG_FUNCTIONS)
        for table in DETAILS:
            # BEFORE INSERT OR UPDATE OF the copies: a write that set them otherwise is undone.
            op.execute(
                f"CREATE TRIGGER {table}_copy BEFORE INSERT OR UPDATE OF skeleton_id, "
                f"registered_month, organisation_id ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION homeward_skeleton_detail_copy()"
            )
        op.execute(
            "CREATE TRIGGER case_skeleton_copies_follow AFTER UPDATE OF registered_month, "
            "organisation_id ON case_skeleton FOR EACH ROW "
            "WHEN (OLD.registered_month IS DISTINCT FROM NEW.registered_month "
            "OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id) "
            "EXECUTE FUNCTION homeward_skeleton_copies_follow()"
        )
        return
    for table in DETAILS:
        copy = COPY.format(row="NEW.skeleton_id")
        op.execute(
            f"CREATE TRIGGER {table}_copy AFTER INSERT ON {table} FOR EACH ROW BEGIN "
            f"UPDATE {table} SET {copy} WHERE rowid = NEW.rowid; END"
        )
        # A write of the copies (or of the row's skeleton) takes the skeleton's values again.
        op.execute(
            f"CREATE TRIGGER {table}_copy_kept AFTER UPDATE OF skeleton_id, registered_month, "
            f"organisation_id ON {table} FOR EACH ROW BEGIN "
            f"UPDATE {table} SET {copy} WHERE rowid = NEW.rowid; END"
        )
    updates = " ".join(
        f"UPDATE {table} SET registered_month = NEW.registered_month, "
        f"organisation_id = NEW.organisation_id WHERE skeleton_id = NEW.id;"
        for table in DETAILS
    )
    op.execute(
        "CREATE TRIGGER case_skeleton_copies_follow AFTER UPDATE OF registered_month, "
        "organisation_id ON case_skeleton FOR EACH ROW "
        "WHEN OLD.registered_month IS NOT NEW.registered_month "
        f"OR OLD.organisation_id IS NOT NEW.organisation_id BEGIN {updates} END"
    )


def _drop_triggers(dialect: str) -> None:
    on = " ON case_skeleton" if dialect == "postgresql" else ""
    op.execute(f"DROP TRIGGER IF EXISTS case_skeleton_copies_follow{on}")
    for table in DETAILS:
        on = f" ON {table}" if dialect == "postgresql" else ""
        op.execute(f"DROP TRIGGER IF EXISTS {table}_copy{on}")
        if dialect != "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_copy_kept")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS homeward_skeleton_copies_follow()")
        op.execute("DROP FUNCTION IF EXISTS homeward_skeleton_detail_copy()")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in DETAILS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("registered_month", sa.String(length=7), nullable=True))
            batch_op.add_column(sa.Column("organisation_id", sa.Uuid(), nullable=True))
        op.create_index(
            f"ix_{table}_registered", table, ["registered_month", "organisation_id"], unique=False
        )
        op.create_index(
            f"ix_{table}_organisation", table, ["organisation_id", "registered_month"], unique=False
        )
    for statement in BACKFILLS:
        op.execute(statement)
    _create_triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    for table in DETAILS:
        op.drop_index(f"ix_{table}_organisation", table_name=table)
        op.drop_index(f"ix_{table}_registered", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("organisation_id")
            batch_op.drop_column("registered_month")
