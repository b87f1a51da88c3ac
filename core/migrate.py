"""Alembic from Python: upgrade, downgrade and the models-versus-migrations drift check."""

from __future__ import annotations

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


def import_all_models() -> None:
    """Import every domain's models so Base.metadata is complete (used by env.py and check)."""
    import audit.models  # noqa: F401
    import auth.models  # noqa: F401
    import casework.attachments.models
    import casework.closure.models
    import casework.consent.models
    import casework.models
    import casework.monitoring.models
    import casework.planning.models
    import casework.screening.models
    import casework.skeleton.models
    import casework.subject_rights.models  # noqa: F401
    import core.crypto.models  # noqa: F401
    import referrals.directory.models
    import referrals.followup.models
    import referrals.models  # noqa: F401


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
