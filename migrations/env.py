"""Alembic environment: the URL comes from the caller or from HOMEWARD_DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from core.config import Settings
from core.db import Base, make_engine, normalise_url
from core.migrate import compare_filters, import_all_models

config = context.config
if config.config_file_name is not None and not config.attributes.get("database_url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

import_all_models()
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or Settings.from_env().DATABASE_URL
    return normalise_url(str(url))


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        _run_without_foreign_keys(connection)
        return
    _configure_and_run(connection)


def _run_without_foreign_keys(connection: Connection) -> None:
    """Run SQLite migrations with foreign-key enforcement off, then check every reference.

    Batch mode rebuilds a table (copy, drop, rename); with enforcement on, dropping a table
    that other rows reference fails. The pragma only takes effect outside a transaction, so it
    is set on the driver connection before Alembic begins one.
    """
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        _configure_and_run(connection)
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left {len(broken)} broken references")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # SQLite's DDL is transactional too: one upgrade is all or nothing on both databases.
        transactional_ddl=True,
        **compare_filters(connection),  # autogenerate: partitions are no tables of their own
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
