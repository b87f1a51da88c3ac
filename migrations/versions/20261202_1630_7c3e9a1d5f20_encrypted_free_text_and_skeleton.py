"""Free text encrypted under the person's key (emergency reason, transfer decline reason,
referrer contact); the statistical skeleton holds the declared coded fields only

Existing plaintext is encrypted here, in the same transaction, with the deployment's keys:
the app's when run by ``homeward db upgrade``, else the key file or HOMEWARD_KEYS named by
the environment. With rows to encrypt and no keys, the upgrade stops (nothing is left
half-done on PostgreSQL). The old plaintext is overwritten before its column is dropped
(SQLite with secure_delete on; PostgreSQL rewrites the table), so it does not linger in the
database files (dumps and backups taken before the upgrade still hold it). Values of people already erased cannot be encrypted any more: they
are dropped, as erasure meant. Downgrade decrypts them back the same way.

Revision ID: 7c3e9a1d5f20
Revises: 6d103f372596
Create Date: 2026-12-02 16:30:00+00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "7c3e9a1d5f20"
down_revision: str | Sequence[str] | None = "6d103f372596"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, length of the old plain column, may the column be empty in the old schema)
TEXTS = (
    ("emergency_access", "reason", 500, False),
    ("case_transfer", "decline_reason", 500, True),
    ("referral", "referrer_contact", 300, True),
)
#: Tables that gain the person's id to encrypt under (their case's person).
NEW_SUBJECT = ("emergency_access", "case_transfer")
ERASED_PLACEHOLDER = "(erased)"


def _crypto_session(bind: sa.Connection) -> Any:
    """A session on the migration's connection with the deployment's key material."""
    from flask import current_app, has_app_context
    from sqlalchemy.orm import Session

    from core.config import Settings
    from core.crypto import EXTENSION_KEY, Crypto, bind_crypto
    from core.keys import provider_for

    session = Session(bind=bind)
    crypto = current_app.extensions.get(EXTENSION_KEY) if has_app_context() else None
    if crypto is None:
        provider = provider_for(Settings.from_env().KEY_FILE)
        crypto = Crypto(provider.load(), provider)
    bind_crypto(session, crypto)
    return session


def _fill_person_id(table: str) -> None:
    """Each row's person is its case's person."""
    casefile = sa.table("casefile", sa.column("id", sa.Uuid()), sa.column("person_id", sa.Uuid()))
    rows = sa.table(table, sa.column("case_id", sa.Uuid()), sa.column("person_id", sa.Uuid()))
    person = sa.select(casefile.c.person_id).where(casefile.c.id == rows.c.case_id)
    op.execute(rows.update().values(person_id=person.scalar_subquery()))


def _encrypt_existing(bind: sa.Connection, table: str, column: str) -> None:
    from core.crypto import Binding, SubjectErasedError, encrypt_bytes

    rows_table = sa.table(
        table,
        sa.column("id", sa.Uuid()),
        sa.column("person_id", sa.Uuid()),
        sa.column(f"{column}_plain", sa.String()),
        sa.column(column, sa.LargeBinary()),
    )
    plain = rows_table.c[f"{column}_plain"]
    rows = bind.execute(
        sa.select(rows_table.c.id, rows_table.c.person_id, plain).where(plain.is_not(None))
    ).all()
    if not rows:
        return
    session = _crypto_session(bind)
    try:
        for row_id, person_id, text in rows:
            try:
                sealed = encrypt_bytes(
                    session, person_id, Binding(table, column, row_id), text.encode("utf-8")
                )
            except SubjectErasedError:
                sealed = None  # erased: the text goes, as the erasure meant
            session.flush()
            bind.execute(
                sa.update(rows_table).where(rows_table.c.id == row_id).values({column: sealed})
            )
    finally:
        session.close()


def _decrypt_existing(bind: sa.Connection, table: str, column: str, required: bool) -> None:
    from core.crypto import Binding, SubjectErasedError, decrypt_bytes

    rows_table = sa.table(
        table,
        sa.column("id", sa.Uuid()),
        sa.column(f"{column}_plain", sa.String()),
        sa.column(column, sa.LargeBinary()),
    )
    sealed_column = rows_table.c[column]
    rows = bind.execute(sa.select(rows_table.c.id, sealed_column)).all()
    if not rows:
        return
    session = None
    try:
        for row_id, sealed in rows:
            text: str | None = None
            if sealed is not None:
                session = session or _crypto_session(bind)
                try:
                    text = decrypt_bytes(session, Binding(table, column, row_id), sealed).decode()
                except SubjectErasedError:
                    text = None
            if text is None and required:
                text = ERASED_PLACEHOLDER
            bind.execute(
                sa.update(rows_table)
                .where(rows_table.c.id == row_id)
                .values({f"{column}_plain": text})
            )
    finally:
        if session is not None:
            session.close()


def _overwrite_plain(bind: sa.Connection, table: str, name: str, length: int) -> None:
    """Overwrite the old plain values before their column is dropped.

    Dropping a column does not remove its bytes: PostgreSQL only marks it dropped (live rows
    still carry the value, and the rows rewritten above stay as dead tuples) and SQLite
    without ``secure_delete`` leaves freed pages as they were. So the values are emptied
    (SQLite with ``secure_delete`` on) and PostgreSQL rewrites the table (``USING NULL``),
    which leaves neither dead tuples nor dropped values in its files.
    """
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    rows = sa.table(table, sa.column(name, sa.String()))
    op.execute(rows.update().values({name: None}))
    if bind.dialect.name == "postgresql":
        op.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{name}" TYPE VARCHAR({length}) USING NULL'
        )


def _upgrade_texts() -> None:
    bind = op.get_bind()
    for table in NEW_SUBJECT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        _fill_person_id(table)
    for table, column, length, _nullable in TEXTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                new_column_name=f"{column}_plain",
                existing_type=sa.String(length=length),
                nullable=True,
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.LargeBinary(), nullable=True))
        _encrypt_existing(bind, table, column)
        _overwrite_plain(bind, table, f"{column}_plain", length)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(f"{column}_plain")
    for table in NEW_SUBJECT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("person_id", existing_type=sa.Uuid(), nullable=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_person_id_person"), "person", ["person_id"], ["id"]
            )


def _downgrade_texts() -> None:
    bind = op.get_bind()
    for table, column, length, nullable in TEXTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(f"{column}_plain", sa.String(length=length), nullable=True)
            )
        _decrypt_existing(bind, table, column, required=not nullable)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                f"{column}_plain",
                new_column_name=column,
                existing_type=sa.String(length=length),
                nullable=nullable,
            )
    for table in NEW_SUBJECT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_person_id_person"), type_="foreignkey")
            batch_op.drop_column("person_id")


SKELETON_MONTHS = (
    "registered_month",
    "screened_month",
    "consent_month",
    "plan_approved_month",
    "first_referral_month",
    "closed_month",
)


def _upgrade_skeleton() -> None:
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.add_column(sa.Column("child", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("nationality", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("vulnerability_codes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("exploitation_types", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("means_of_control", sa.JSON(), nullable=True))
        for name in SKELETON_MONTHS:
            batch_op.add_column(sa.Column(name, sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("closure_reason", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("referrals", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("monitoring_scores", sa.JSON(), nullable=True))
    skeleton = sa.table(
        "case_skeleton",
        sa.column("year_opened", sa.Integer()),
        sa.column("registered_month", sa.String()),
    )
    # Older skeletons kept the year only: it stays as "YYYY".
    op.execute(
        skeleton.update().values(registered_month=sa.cast(skeleton.c.year_opened, sa.String(7)))
    )
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.drop_column("year_opened")
        batch_op.drop_column("stage")
        batch_op.drop_column("erased_at")


def _downgrade_skeleton() -> None:
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.add_column(sa.Column("year_opened", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stage", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("erased_at", core.db.UTCDateTime(timezone=True), nullable=True)
        )
    skeleton = sa.table(
        "case_skeleton",
        sa.column("id", sa.Uuid()),
        sa.column("registered_month", sa.String()),
        sa.column("closed_month", sa.String()),
        sa.column("year_opened", sa.Integer()),
        sa.column("stage", sa.String()),
        sa.column("erased_at", core.db.UTCDateTime(timezone=True)),
    )
    bind = op.get_bind()
    from core.clock import utcnow

    now = utcnow()
    for row_id, registered, closed in bind.execute(
        sa.select(skeleton.c.id, skeleton.c.registered_month, skeleton.c.closed_month)
    ).all():
        year = int(registered[:4]) if registered else now.year
        bind.execute(
            skeleton.update()
            .where(skeleton.c.id == row_id)
            .values(year_opened=year, stage="closed" if closed else "unknown", erased_at=now)
        )
    with op.batch_alter_table("case_skeleton", schema=None) as batch_op:
        batch_op.alter_column("year_opened", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("stage", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column(
            "erased_at", existing_type=core.db.UTCDateTime(timezone=True), nullable=False
        )
        for name in (
            "monitoring_scores",
            "referrals",
            "closure_reason",
            *reversed(SKELETON_MONTHS),
            "means_of_control",
            "exploitation_types",
            "vulnerability_codes",
            "nationality",
            "child",
        ):
            batch_op.drop_column(name)


def upgrade() -> None:
    _upgrade_texts()
    _upgrade_skeleton()


def downgrade() -> None:
    _downgrade_skeleton()
    _downgrade_texts()
