"""Flags on the skeleton's detail rows that mark one row of a group: each person's latest
sustainability score of a dimension (``case_skeleton_score.latest``), first code of a field
(``case_skeleton_code.first_code``) and plan action of a dimension due first
(``case_skeleton_action.earliest_due``), so that figures read them with plain aggregates
(casework.skeleton.derived keeps them); existing rows are marked here from their rows.
And indexes on the skeleton's month of closure and of erasure, which figures filter by.

Revision ID: c5d1e2f3a4b6
Revises: b7d3e9a1c4f6
Create Date: 2026-12-05 00:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5d1e2f3a4b6"
down_revision: str | Sequence[str] | None = "b7d3e9a1c4f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The definitions of casework.skeleton.derived, each as one statement over every row.
BACKFILLS = (
    """
    UPDATE case_skeleton_score SET latest = CASE WHEN score IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM case_skeleton_score AS later
        WHERE later.skeleton_id = case_skeleton_score.skeleton_id
          AND later.dimension = case_skeleton_score.dimension
          AND later.period > case_skeleton_score.period
          AND later.score IS NOT NULL
    ) THEN TRUE ELSE FALSE END
    """,
    """
    UPDATE case_skeleton_code SET first_code = CASE WHEN NOT EXISTS (
        SELECT 1 FROM case_skeleton_code AS other
        WHERE other.skeleton_id = case_skeleton_code.skeleton_id
          AND other.field = case_skeleton_code.field
          AND other.code < case_skeleton_code.code
    ) THEN TRUE ELSE FALSE END
    """,
    """
    UPDATE case_skeleton_action SET earliest_due = CASE WHEN due_month IS NOT NULL
    AND NOT EXISTS (
        SELECT 1 FROM case_skeleton_action AS other
        WHERE other.skeleton_id = case_skeleton_action.skeleton_id
          AND (other.dimension = case_skeleton_action.dimension
               OR (other.dimension IS NULL AND case_skeleton_action.dimension IS NULL))
          AND other.due_month IS NOT NULL
          AND (other.due_month < case_skeleton_action.due_month
               OR (other.due_month = case_skeleton_action.due_month
                   AND other.ordinal < case_skeleton_action.ordinal))
    ) THEN TRUE ELSE FALSE END
    """,
)
FLAGS = (
    ("case_skeleton_score", "latest"),
    ("case_skeleton_code", "first_code"),
    ("case_skeleton_action", "earliest_due"),
)


def upgrade() -> None:
    for table, column in FLAGS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False)
            )
    for statement in BACKFILLS:
        op.execute(statement)
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.create_index("ix_case_skeleton_closed", ["closed_month"], unique=False)
        batch_op.create_index("ix_case_skeleton_erased", ["erased_month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.drop_index("ix_case_skeleton_erased")
        batch_op.drop_index("ix_case_skeleton_closed")
    for table, column in reversed(FLAGS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
