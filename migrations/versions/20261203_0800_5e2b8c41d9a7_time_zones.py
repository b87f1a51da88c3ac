"""Time zones: a user's and an organisation's (NULL: the organisation's, then
HOMEWARD_DEFAULT_TIMEZONE)

Revision ID: 5e2b8c41d9a7
Revises: 5b8e2f4c9a17
Create Date: 2026-12-03 08:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2b8c41d9a7"
down_revision: str | Sequence[str] | None = "5b8e2f4c9a17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("time_zone")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("time_zone")
