"""TOTP secrets sealed under each account's data key (they were plaintext in user_account)

Existing secrets are encrypted here with the key material the app uses (``homeward db
upgrade`` passes the app's; plain ``alembic`` loads HOMEWARD_KEYS or HOMEWARD_KEY_FILE).
Without key material the upgrade stops before changing anything, so no database ends this
revision with a plaintext secret. The plaintext is overwritten before the column changes
type (SQLite with secure_delete on; PostgreSQL rewrites the table), so it does not linger in
the database files. Downgrade needs the key material too, to write the secrets back.

Revision ID: 1cda7b2a5750
Revises: b4a2778c584f
Create Date: 2026-12-02 16:10:00+00:00
"""

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from core.crypto import Binding

revision: str = "1cda7b2a5750"
down_revision: str | Sequence[str] | None = "b4a2778c584f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "user_account"
COLUMN = "totp_secret"


def _users(kind: "sa.types.TypeEngine[Any]") -> sa.TableClause:
    return sa.table(TABLE, sa.column("id", sa.Uuid()), sa.column(COLUMN, kind))


def _session(connection: sa.Connection) -> Session:
    """A session on the migration's connection that uses the configured key material."""
    from core.crypto import bind_crypto, configured_crypto

    session = Session(bind=connection)
    bind_crypto(session, configured_crypto())
    return session


def _binding(user_id: uuid.UUID) -> "Binding":
    from core.crypto import Binding

    return Binding(TABLE, COLUMN, user_id)


def _change_type(
    connection: sa.Connection, old: "sa.types.TypeEngine[Any]", new: "sa.types.TypeEngine[Any]"
) -> None:
    """Empty the column (overwriting the old values), then change its type.

    SQLite cannot change a column's type in place, and a batch "move and copy" would drop
    ``user_account``, which every real database references (sessions, recovery codes, cases):
    with foreign keys on, that DROP fails. So on SQLite a new column replaces the old one
    (ADD, DROP, RENAME COLUMN), which rewrites the rows without dropping the table.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    connection.execute(sa.update(_users(old)).values({COLUMN: None}))
    if not sqlite:
        op.alter_column(
            TABLE,
            COLUMN,
            existing_type=old,
            type_=new,
            existing_nullable=True,
            postgresql_using="NULL",
        )
        return
    kind = new.compile(dialect=connection.dialect)
    connection.exec_driver_sql(f"ALTER TABLE {TABLE} ADD COLUMN {COLUMN}_new {kind}")
    connection.exec_driver_sql(f"ALTER TABLE {TABLE} DROP COLUMN {COLUMN}")
    connection.exec_driver_sql(f"ALTER TABLE {TABLE} RENAME COLUMN {COLUMN}_new TO {COLUMN}")


def upgrade() -> None:
    from core.crypto.keystore import encrypt_bytes

    connection = op.get_bind()
    plain = _users(sa.String(64))
    rows = connection.execute(
        sa.select(plain.c.id, plain.c[COLUMN]).where(plain.c[COLUMN].is_not(None))
    ).all()
    sealed: dict[uuid.UUID, bytes] = {}
    if rows:
        session = _session(connection)  # raises before anything changed when keys are missing
        for user_id, secret in rows:
            sealed[user_id] = encrypt_bytes(
                session, user_id, _binding(user_id), str(secret).encode("utf-8")
            )
        session.flush()  # the accounts' new data keys
        session.close()  # leaves the migration's transaction alone
    _change_type(connection, sa.String(64), sa.LargeBinary())
    sealed_table = _users(sa.LargeBinary())
    for user_id, value in sealed.items():
        connection.execute(
            sa.update(sealed_table).where(sealed_table.c.id == user_id).values({COLUMN: value})
        )


def downgrade() -> None:
    from core.crypto.keystore import decrypt_bytes

    connection = op.get_bind()
    sealed_table = _users(sa.LargeBinary())
    rows = connection.execute(
        sa.select(sealed_table.c.id, sealed_table.c[COLUMN]).where(
            sealed_table.c[COLUMN].is_not(None)
        )
    ).all()
    plain: dict[uuid.UUID, str] = {}
    if rows:
        session = _session(connection)
        for user_id, value in rows:
            plain[user_id] = decrypt_bytes(session, _binding(user_id), bytes(value)).decode()
    _change_type(connection, sa.LargeBinary(), sa.String(64))
    plain_table = _users(sa.String(64))
    for user_id, secret in plain.items():
        connection.execute(
            sa.update(plain_table).where(plain_table.c.id == user_id).values({COLUMN: secret})
        )
