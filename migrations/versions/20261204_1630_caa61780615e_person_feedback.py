"""The person's feedback: a satisfaction survey per referral and respondent, and at closure

Revision ID: caa61780615e
Revises: c5f1e8a3d7b2
Create Date: 2026-12-04 16:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "caa61780615e"
down_revision: str | Sequence[str] | None = "c5f1e8a3d7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_feedback",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("occasion", sa.String(length=10), nullable=False),
        sa.Column("respondent", sa.String(length=30), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("respect", sa.String(length=10), nullable=True),
        sa.Column("needs_met", sa.String(length=10), nullable=True),
        sa.Column("easy_to_reach", sa.String(length=10), nullable=True),
        sa.Column("recommend", sa.String(length=10), nullable=True),
        sa.Column("overall", sa.Integer(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["casefile.id"], name=op.f("fk_person_feedback_case_id_casefile")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_person_feedback_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_feedback_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_person_feedback_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_person_feedback_referral_id_referral")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_feedback")),
        sa.UniqueConstraint("referral_id", "respondent", name="uq_person_feedback_referral"),
    )
    with op.batch_alter_table("person_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_feedback_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_feedback_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            "uq_person_feedback_closure",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("occasion = 'closure'"),
            postgresql_where=sa.text("occasion = 'closure'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("person_feedback", schema=None) as batch_op:
        batch_op.drop_index("uq_person_feedback_closure")
        batch_op.drop_index(batch_op.f("ix_person_feedback_referral_id"))
        batch_op.drop_index(batch_op.f("ix_person_feedback_case_id"))
    op.drop_table("person_feedback")
