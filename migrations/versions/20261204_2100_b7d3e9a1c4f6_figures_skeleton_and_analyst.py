"""Figures for the mechanism: the skeleton's durations and counts, its detail rows (codes,
referrals, scores, plan actions) so that figures are SQL aggregates, and the analyst role

No data is moved here: the new values are filled by ``homeward cases rebuild-skeletons --all``
(run it once after upgrading) from the cases' own records; skeletons kept by earlier erasures
keep what they had (their detail rows are filled from their coded lists where they have them).

Revision ID: b7d3e9a1c4f6
Revises: 2434a4c5866a
Create Date: 2026-12-04 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d3e9a1c4f6"
down_revision: str | Sequence[str] | None = "2434a4c5866a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "'caseworker', 'supervisor', 'provider_staff', 'auditor', 'administrator'"
NEW_ROLES = f"{OLD_ROLES}, 'analyst'"

NEW_COLUMNS = (
    ("returned_month", sa.String(length=7)),
    ("days_to_screening", sa.Integer()),
    ("days_to_consent", sa.Integer()),
    ("days_to_plan", sa.Integer()),
    ("days_to_first_referral", sa.Integer()),
    ("reflection_periods", sa.Integer()),
    ("reflection_days", sa.Integer()),
    ("reopenings", sa.Integer()),
    ("transfers", sa.Integer()),
    ("monitoring_started_month", sa.String(length=7)),
    ("visits_done", sa.Integer()),
    ("erased_month", sa.String(length=7)),
)


def _skeleton_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["skeleton_id"],
        ["case_skeleton.id"],
        name=op.f(f"fk_{table}_skeleton_id_case_skeleton"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        for name, type_ in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index(
            "ix_case_skeleton_registered", ["registered_month", "organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_case_skeleton_organisation", ["organisation_id", "registered_month"], unique=False
        )
    op.create_table(
        "case_skeleton_code",
        sa.Column("skeleton_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        _skeleton_fk("case_skeleton_code"),
        sa.PrimaryKeyConstraint("skeleton_id", "field", "code", name=op.f("pk_case_skeleton_code")),
    )
    op.create_index("ix_case_skeleton_code_field", "case_skeleton_code", ["field", "code"])
    op.create_table(
        "case_skeleton_referral",
        sa.Column("skeleton_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=40), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("decline_reason", sa.String(length=40), nullable=True),
        sa.Column("sent_month", sa.String(length=7), nullable=True),
        sa.Column("days_to_answer", sa.Integer(), nullable=True),
        sa.Column("days_to_complete", sa.Integer(), nullable=True),
        sa.Column("transnational", sa.Boolean(), nullable=False),
        _skeleton_fk("case_skeleton_referral"),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisation.id"],
            name=op.f("fk_case_skeleton_referral_provider_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("skeleton_id", "ordinal", name=op.f("pk_case_skeleton_referral")),
    )
    op.create_index(
        "ix_case_skeleton_referral_provider", "case_skeleton_referral", ["provider_id", "sent_month"]
    )
    op.create_index("ix_case_skeleton_referral_sent", "case_skeleton_referral", ["sent_month"])
    op.create_table(
        "case_skeleton_score",
        sa.Column("skeleton_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("dimension", sa.String(length=30), nullable=False),
        sa.Column("quarter_since_return", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        _skeleton_fk("case_skeleton_score"),
        sa.PrimaryKeyConstraint(
            "skeleton_id", "period", "dimension", name=op.f("pk_case_skeleton_score")
        ),
    )
    op.create_index("ix_case_skeleton_score_period", "case_skeleton_score", ["period", "dimension"])
    op.create_table(
        "case_skeleton_action",
        sa.Column("skeleton_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=30), nullable=True),
        sa.Column("due_month", sa.String(length=7), nullable=True),
        sa.Column("done_on_time", sa.Boolean(), nullable=True),
        _skeleton_fk("case_skeleton_action"),
        sa.PrimaryKeyConstraint("skeleton_id", "ordinal", name=op.f("pk_case_skeleton_action")),
    )
    op.create_index("ix_case_skeleton_action_due", "case_skeleton_action", ["due_month"])
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_known_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_user_account_known_role"), f"role IN ({NEW_ROLES})"
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_known_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_user_account_known_role"), f"role IN ({OLD_ROLES})"
        )
    op.drop_index("ix_case_skeleton_action_due", table_name="case_skeleton_action")
    op.drop_table("case_skeleton_action")
    op.drop_index("ix_case_skeleton_score_period", table_name="case_skeleton_score")
    op.drop_table("case_skeleton_score")
    op.drop_index("ix_case_skeleton_referral_sent", table_name="case_skeleton_referral")
    op.drop_index("ix_case_skeleton_referral_provider", table_name="case_skeleton_referral")
    op.drop_table("case_skeleton_referral")
    op.drop_index("ix_case_skeleton_code_field", table_name="case_skeleton_code")
    op.drop_table("case_skeleton_code")
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.drop_index("ix_case_skeleton_organisation")
        batch_op.drop_index("ix_case_skeleton_registered")
        for name, _type in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
