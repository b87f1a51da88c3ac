"""The cases of an organisation by opening date: an index for the organisation-wide case list

A supervisor's case list (every case of the organisation, newest first, a page at a time) had
no index in its order: ``ix_casefile_org_stage_opened`` orders by date only within a stage, so
PostgreSQL read and sorted every case of the organisation for each page (125 ms at 250,000
cases, growing with them). This index serves the page from its first rows. The caseworker's
list keeps ``ix_casefile_assigned_opened``.

Revision ID: a9b5c6d7e8f0
Revises: e7f3a4b5c6d8
Create Date: 2026-12-05 23:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a9b5c6d7e8f0"
down_revision: str | Sequence[str] | None = "e7f3a4b5c6d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("casefile", schema=None) as batch_op:
        batch_op.create_index(
            "ix_casefile_org_opened", ["organisation_id", "opened_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("casefile", schema=None) as batch_op:
        batch_op.drop_index("ix_casefile_org_opened")
