"""Referral sources: the kind of source that referred the person, a coded companion of the
encrypted "Referred by" on the case, also kept in the statistical skeleton

Revision ID: 2434a4c5866a
Revises: caa61780615e
Create Date: 2026-12-04 17:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2434a4c5866a"
down_revision: str | Sequence[str] | None = "caa61780615e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("casefile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referral_source", sa.String(length=30), nullable=True))
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referral_source", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.drop_column("referral_source")
    with op.batch_alter_table("casefile", schema=None) as batch_op:
        batch_op.drop_column("referral_source")
