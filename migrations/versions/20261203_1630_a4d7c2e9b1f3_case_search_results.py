"""Search results by a short-lived, per-session id (case ids only, never the term), so a
search can redirect to a result page that Back and reload show again

Revision ID: a4d7c2e9b1f3
Revises: 5e2b8c41d9a7
Create Date: 2026-12-03 16:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "a4d7c2e9b1f3"
down_revision: str | Sequence[str] | None = "5e2b8c41d9a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_search",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_hash"],
            ["user_session.token_hash"],
            name=op.f("fk_case_search_session_hash_user_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_search")),
    )
    op.create_index(op.f("ix_case_search_expires_at"), "case_search", ["expires_at"], unique=False)
    op.create_index(
        op.f("ix_case_search_session_hash"), "case_search", ["session_hash"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_case_search_session_hash"), table_name="case_search")
    op.drop_index(op.f("ix_case_search_expires_at"), table_name="case_search")
    op.drop_table("case_search")
