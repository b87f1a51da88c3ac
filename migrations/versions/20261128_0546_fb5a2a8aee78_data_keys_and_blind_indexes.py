"""Data keys (wrapped per subject) and blind-index entries for field-level encryption.

Revision ID: fb5a2a8aee78
Revises: a9e3ffc0cfe6
Create Date: 2026-11-28 05:46:13.534826+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = 'fb5a2a8aee78'
down_revision: str | Sequence[str] | None = 'a9e3ffc0cfe6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('blind_index',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('source_row_id', sa.Uuid(), nullable=False),
    sa.Column('source_column', sa.String(length=120), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blind_index'))
    )
    with op.batch_alter_table('blind_index', schema=None) as batch_op:
        batch_op.create_index('ix_blind_index_field_value', ['field', 'value', 'subject_id'], unique=False)
        batch_op.create_index('ix_blind_index_source', ['source_row_id', 'source_column'], unique=False)
        batch_op.create_index(batch_op.f('ix_blind_index_subject_id'), ['subject_id'], unique=False)

    op.create_table('data_key',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=False),
    sa.Column('master_version', sa.String(length=20), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rewrapped_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('destroyed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_key')),
    sa.UniqueConstraint('subject_id', name=op.f('uq_data_key_subject_id'))
    )
    with op.batch_alter_table('data_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_key_master_version'), ['master_version'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('data_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_key_master_version'))

    op.drop_table('data_key')
    with op.batch_alter_table('blind_index', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blind_index_subject_id'))
        batch_op.drop_index('ix_blind_index_source')
        batch_op.drop_index('ix_blind_index_field_value')

    op.drop_table('blind_index')
