"""The outbox: e-mail written in the transaction that causes it, sent by
``homeward outbox send`` (recipient, template key and non-personal parameters; never text)

Revision ID: 5b8e2f4c9a17
Revises: 7c3e9a1d5f20
Create Date: 2026-12-03 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "5b8e2f4c9a17"
down_revision: str | Sequence[str] | None = "7c3e9a1d5f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claim", sa.Uuid(), nullable=True),
        sa.Column("lease_until", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR address IS NOT NULL",
            name=op.f("ck_outbox_message_recipient"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index(
        "ix_outbox_message_state_next_attempt_at",
        "outbox_message",
        ["state", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_outbox_message_user_id"), "outbox_message", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_message_user_id"), table_name="outbox_message")
    op.drop_index("ix_outbox_message_state_next_attempt_at", table_name="outbox_message")
    op.drop_table("outbox_message")
