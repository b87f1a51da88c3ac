"""The trafficking story of a case (HTCDS codes, encrypted, append-only versions) and its
coarse codes in the statistical skeleton

Revision ID: c5f1e8a3d7b2
Revises: c5a9e1f3b7d2
Create Date: 2026-12-04 16:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "c5f1e8a3d7b2"
down_revision: str | Sequence[str] | None = "c5a9e1f3b7d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENCRYPTED = (
    "recruitment_methods",
    "recruiter_relation",
    "recruited_month",
    "origin_countries",
    "transit_countries",
    "exploitation_countries",
    "departed_month",
    "border_crossings",
    "exploitation_types",
    "exploitation_sectors",
    "exploitation_started_month",
    "exploitation_ended_month",
    "exploitation_months",
    "means_of_control",
    "cooperation",
)


def upgrade() -> None:
    op.create_table(
        "trafficking_story",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.LargeBinary(), nullable=True) for name in ENCRYPTED),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["casefile.id"], name=op.f("fk_trafficking_story_case_id_casefile")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_trafficking_story_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_trafficking_story_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trafficking_story")),
        sa.UniqueConstraint(
            "case_id", "version", name=op.f("uq_trafficking_story_case_id_version")
        ),
    )
    with op.batch_alter_table("trafficking_story", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trafficking_story_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recruiter_relation", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("exploitation_countries", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("exploitation_sectors", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("majority_at_exploitation", sa.String(length=5), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.drop_column("majority_at_exploitation")
        batch_op.drop_column("exploitation_sectors")
        batch_op.drop_column("exploitation_countries")
        batch_op.drop_column("recruiter_relation")
    with op.batch_alter_table("trafficking_story", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trafficking_story_case_id"))
    op.drop_table("trafficking_story")
