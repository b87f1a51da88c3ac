"""One pending closure request per case, erasure request per person and transfer per case:
partial unique indexes (two requests made at the same moment can no longer both wait)

Duplicates that such races left behind are answered first (the oldest request stays pending).

Revision ID: 6d103f372596
Revises: 1cda7b2a5750
Create Date: 2026-12-02 16:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d103f372596"
down_revision: str | Sequence[str] | None = "1cda7b2a5750"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")

#: (index, table, column the request is unique per, status given to a younger duplicate)
INDEXES = (
    ("uq_case_closure_pending", "case_closure", "case_id", "returned"),
    ("uq_erasure_request_pending", "erasure_request", "person_id", "cancelled"),
    ("uq_case_transfer_pending", "case_transfer", "case_id", "declined"),
)


def _answer_duplicates(table: str, column: str, status: str) -> None:
    """Keep the oldest pending request of each group pending; answer the younger ones."""
    op.execute(
        sa.text(
            f"UPDATE {table} SET status = :status, decided_at = CURRENT_TIMESTAMP "
            f"WHERE status = 'pending' AND EXISTS (SELECT 1 FROM {table} AS older "
            f"WHERE older.{column} = {table}.{column} AND older.status = 'pending' "
            f"AND (older.requested_at < {table}.requested_at "
            f"OR (older.requested_at = {table}.requested_at AND older.id < {table}.id)))"
        ).bindparams(status=status)
    )


def upgrade() -> None:
    for name, table, column, status in INDEXES:
        _answer_duplicates(table, column, status)
        op.create_index(
            name,
            table,
            [column],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    for name, table, _column, _status in reversed(INDEXES):
        op.drop_index(name, table_name=table)
