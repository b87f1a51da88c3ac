"""Alembic from Python: upgrade, downgrade and the models-versus-migrations drift check."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from core.config import PROJECT_ROOT
from core.db import Base, make_engine, normalise_url

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at Homeward's migrations and the given database."""
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
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def drift(engine: Engine) -> list[Any]:
    """Differences between the models and the migrated schema; empty when in step."""
    import_all_models()
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": conn.dialect.name == "sqlite"}
        )
        return list(compare_metadata(context, Base.metadata))


def drift_for_url(database_url: str) -> list[Any]:
    engine = make_engine(database_url)
    try:
        return drift(engine)
    finally:
        engine.dispose()
