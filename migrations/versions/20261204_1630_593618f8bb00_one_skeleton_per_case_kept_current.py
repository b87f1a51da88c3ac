"""One statistical skeleton per case, kept current: the link from a case to its skeleton

The skeleton row keeps no link to anyone; ``case_skeleton_link`` says which skeleton is a
case's while its person exists, and erasure deletes it (casework.skeleton).

No data is moved here: building a skeleton decrypts the person and asks every package's
``skeleton_collecting`` receiver (the current models, not this revision's), which a migration
cannot do safely. Cases registered before this revision get their skeletons from
``homeward cases rebuild-skeletons`` (run it once after upgrading) and, lazily, before
figures are read (``casework.skeleton.services.fill_missing``). Skeletons kept by earlier
erasures stay as they are, unlinked.

Revision ID: 593618f8bb00
Revises: fcd144c291a6
Create Date: 2026-12-04 16:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "593618f8bb00"
down_revision: str | Sequence[str] | None = "fcd144c291a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_skeleton_link",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("skeleton_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["casefile.id"],
            name=op.f("fk_case_skeleton_link_case_id_casefile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skeleton_id"],
            ["case_skeleton.id"],
            name=op.f("fk_case_skeleton_link_skeleton_id_case_skeleton"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_skeleton_link")),
        sa.UniqueConstraint("skeleton_id", name=op.f("uq_case_skeleton_link_skeleton_id")),
    )


def downgrade() -> None:
    op.drop_table("case_skeleton_link")
