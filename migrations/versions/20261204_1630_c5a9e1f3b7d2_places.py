"""Places: administrative areas with P-codes; a place on the case (encrypted) with its
province as a plain statistical code (also in the skeleton), and service areas from places

Revision ID: c5a9e1f3b7d2
Revises: 593618f8bb00
Create Date: 2026-12-04 16:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "c5a9e1f3b7d2"
down_revision: str | Sequence[str] | None = "593618f8bb00"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "place",
        sa.Column("pcode", sa.String(length=30), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("level IN (0, 1, 2)", name=op.f("ck_place_level")),
        sa.ForeignKeyConstraint(["parent_id"], ["place.id"], name=op.f("fk_place_parent_id_place")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint("pcode", name=op.f("uq_place_pcode")),
    )
    op.create_index(op.f("ix_place_parent_id"), "place", ["parent_id"], unique=False)
    with op.batch_alter_table("casefile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_code", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("province_pcode", sa.String(length=30), nullable=True))
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province", sa.String(length=30), nullable=True))
    with op.batch_alter_table("directory_service_area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_pcode", sa.String(length=30), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_directory_service_area_place_pcode"), ["place_pcode"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("directory_service_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_service_area_place_pcode"))
        batch_op.drop_column("place_pcode")
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.drop_column("province")
    with op.batch_alter_table("casefile", schema=None) as batch_op:
        batch_op.drop_column("province_pcode")
        batch_op.drop_column("place_code")
    op.drop_index(op.f("ix_place_parent_id"), table_name="place")
    op.drop_table("place")
