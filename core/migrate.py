"""Alembic from Python: upgrade, downgrade and the models-versus-migrations drift check.

Alembic (with Mako and Pygments behind it, some 10 MB of heap) is imported by each function,
not with the module: the web app imports this module through its commands, and a worker that
never migrates must not keep it in memory (issue 18).
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from core.config import PROJECT_ROOT
from core.db import Base, make_engine, normalise_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
log = logging.getLogger("homeward.migrate")


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at Homeward's migrations and the given database."""
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = normalise_url(database_url)
    return cfg


#: Every module that declares tables: Base.metadata is complete once they are loaded.
MODEL_MODULES = (
    "audit.models",
    "auth.models",
    "casework.assistance.models",
    "casework.attachments.models",
    "casework.closure.models",
    "casework.consent.models",
    "casework.models",
    "casework.monitoring.models",
    "casework.planning.models",
    "casework.safety.models",
    "casework.screening.models",
    "casework.skeleton.models",
    "casework.subject_rights.models",
    "core.crypto.models",
    "core.lists.models",
    "core.outbox.models",
    "core.places.models",
    "referrals.directory.models",
    "referrals.feedback.models",
    "referrals.followup.models",
    "referrals.models",
    # issue 17: households
    "casework.households.models",
)


def import_all_models() -> list[ModuleType]:
    """Load every domain's models so Base.metadata is complete (used by env.py and check)."""
    return [importlib.import_module(name) for name in MODEL_MODULES]


def known_revision(revision: str) -> bool:
    """True when these migrations hold ``revision`` (a backup of a newer release does not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)
    truncate_sqlite_log(database_url)


def truncate_sqlite_log(database_url: str) -> None:
    """SQLite: fold the write-ahead log into the database file and cut it to nothing.

    A migration that overwrites the values it drops (free text and second-factor secrets
    encrypted, those of erased people dropped, with ``secure_delete``) leaves the old pages'
    images, plaintext included, in the log's frames until the log happens to be overwritten;
    a truncating checkpoint removes them. A reader still holding an older snapshot keeps
    them: then a warning, and the next upgrade (or the last connection closing) folds them."""
    if make_url(database_url).get_backend_name() != "sqlite":
        return
    engine = make_engine(database_url)
    try:
        raw = engine.raw_connection()  # autocommit: a checkpoint cannot run in a transaction
        try:
            busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            raw.close()
    finally:
        engine.dispose()
    if busy:
        log.warning("sqlite: the write-ahead log is still read; it was not truncated")


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


#: ``Base.metadata.info`` keys a model module fills (audit.models does) for what a migration
#: makes on PostgreSQL alone: tables that are no model (a guard table), and unique constraints
#: a partitioned table had to widen with its partition key.
MIGRATION_ONLY_TABLES = "migration_only_tables"
PARTITION_WIDENED = "partition_widened_constraints"


def compare_filters(conn: Connection) -> dict[str, Any]:
    """Alembic's ``include_name`` and ``include_object`` for comparing models with a schema.

    On PostgreSQL, partitions are storage of their partitioned table (the model), not tables
    of their own, and the names in :data:`MIGRATION_ONLY_TABLES` and :data:`PARTITION_WIDENED`
    are left out; elsewhere nothing is. The partitions are looked up at the first comparison,
    not here: a query now would begin the transaction Alembic's migrations expect to begin."""
    if conn.dialect.name != "postgresql":
        return {}
    skipped: set[str] = set()

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        if type_ != "table":
            return True
        if not skipped:
            skipped.add("")  # looked up once
            skipped.update(Base.metadata.info.get(MIGRATION_ONLY_TABLES, ()))
            skipped.update(
                conn.exec_driver_sql(
                    "SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relispartition AND n.nspname = current_schema()"
                ).scalars()
            )
        return name not in skipped

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        widened = Base.metadata.info.get(PARTITION_WIDENED, ())
        return not (type_ == "unique_constraint" and name in widened)

    return {"include_name": include_name, "include_object": include_object}


def drift(engine: Engine) -> list[Any]:
    """Differences between the models and the migrated schema; empty when in step."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import_all_models()
    with engine.connect() as conn:
        opts = {"compare_type": True, "render_as_batch": conn.dialect.name == "sqlite"}
        context = MigrationContext.configure(conn, opts={**opts, **compare_filters(conn)})
        return list(compare_metadata(context, Base.metadata))


def drift_for_url(database_url: str) -> list[Any]:
    engine = make_engine(database_url)
    try:
        return drift(engine)
    finally:
        engine.dispose()
