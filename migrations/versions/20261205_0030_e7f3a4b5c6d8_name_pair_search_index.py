"""Name search by pairs of tokens: an index of blind-index entries by subject, field and value

The name-pair entries (``core.crypto.name_pairs``) live in the ``blind_index`` table with the
other entries; nothing is stored by this migration. A name search takes the few subjects of a
pair entry and checks each against the single-token entries of the query through this index
(index-only, a few pages per subject), instead of reading every entry of a common given name.
It replaces the index on ``subject_id`` alone, which it covers.

Existing people get their pair entries from the offline backfill, run once after upgrading:
``homeward db reindex-search`` (batched and resumable; until it has run, a search of two
tokens or more finds only people registered or edited since the upgrade).

Revision ID: e7f3a4b5c6d8
Revises: c5d1e2f3a4b6
Create Date: 2026-12-05 00:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e7f3a4b5c6d8"
down_revision: str | Sequence[str] | None = "c5d1e2f3a4b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("blind_index", schema=None) as batch_op:
        batch_op.create_index(
            "ix_blind_index_subject_field_value", ["subject_id", "field", "value"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_blind_index_subject_id"))


def downgrade() -> None:
    # The pair entries stay: the earlier code never looks up a ``name_pair:`` field, and
    # erasure deletes every entry of a subject whatever its field.
    with op.batch_alter_table("blind_index", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blind_index_subject_id"), ["subject_id"], unique=False)
        batch_op.drop_index("ix_blind_index_subject_field_value")
