"""Referral acknowledgements (the referrer has dealt with an expired referral); an index on
referral (referrer, state) for My referrals and its count

Revision ID: b4a2778c584f
Revises: 59300e4cb48d
Create Date: 2026-11-28 08:31:38.278088+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "b4a2778c584f"
down_revision: str | Sequence[str] | None = "59300e4cb48d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_acknowledgement",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=False),
        sa.Column("acknowledged_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["user_account.id"],
            name=op.f("fk_referral_acknowledgement_acknowledged_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_acknowledgement_referral_id_referral"),
        ),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referral_acknowledgement")),
    )
    op.create_index("ix_referral_referrer_state", "referral", ["referrer_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_referral_referrer_state", table_name="referral")
    op.drop_table("referral_acknowledgement")
