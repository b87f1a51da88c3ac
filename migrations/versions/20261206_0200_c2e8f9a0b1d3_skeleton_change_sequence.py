"""A sequence every flush that writes skeleton rows advances: the figures cache's marker

The figures' cache compared a count of every skeleton (a scan of the whole table on every
figures page, cached or not) and missed changes made in place. On PostgreSQL it now reads
this sequence's last value instead (``casework.skeleton.changes``). SQLite keeps the count,
so nothing is created there.

Revision ID: c2e8f9a0b1d3
Revises: a9b5c6d7e8f0
Create Date: 2026-12-06 02:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2e8f9a0b1d3"
down_revision: str | Sequence[str] | None = "a9b5c6d7e8f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCE = "skeleton_change_seq"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.CreateSequence(sa.Sequence(SEQUENCE)))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.DropSequence(sa.Sequence(SEQUENCE)))
