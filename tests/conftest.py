"""Fixtures: the app per database backend, a rolled-back session per test, real logins."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from core import migrate
from core.app import create_app
from core.config import Settings
from core.db import Database
from core.extensions import limiter
from core.keys import FileKeyProvider, new_keyring
from tests import databases

pytest_plugins = [
    "tests.fixtures.core",
    "tests.fixtures.audit",
    "tests.fixtures.casework",
    "tests.fixtures.referrals",
    "tests.fixtures.referrals_followup",
    "tests.fixtures.directory",
    "tests.fixtures.backup",
    "tests.fixtures.deploy",
]

BACKENDS = ["sqlite", "postgresql"]
_ran: Counter[str] = Counter()


def pytest_configure(config: pytest.Config) -> None:
    if databases.in_ci() and databases.postgres_url() is None:
        raise pytest.UsageError("CI=true needs TEST_DATABASE_URL (PostgreSQL) to be set")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql" and databases.postgres_url() is None:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL to run these tests on it")
    return name


@pytest.fixture(autouse=True)
def _count_backend(request: pytest.FixtureRequest) -> None:
    if "backend" in request.fixturenames:
        _ran[request.getfixturevalue("backend")] += 1


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand its counts to the controller
        workeroutput["ran"] = dict(_ran)
        databases.drop_worker_database()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    _ran.update(getattr(node, "workeroutput", {}).get("ran", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _ran:
        ran = ", ".join(f"{name} ({count} tests)" for name, count in sorted(_ran.items()))
        terminalreporter.write_line(f"databases: {ran}")


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "keys.json"
    FileKeyProvider(path).save(new_keyring(development=False))
    return path


def make_settings(database_url: str, key_file: Path, **overrides: Any) -> Settings:
    """Settings for a test app: fast password hashing, no network, test mode."""
    values: dict[str, Any] = dict(
        ENV="test",
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret-key-" + "x" * 32,
        KEY_FILE=str(key_file),
        SMTP_URL="",
        BASE_URL="http://127.0.0.1",
        RATELIMIT_STORAGE_URL="memory://",
        PASSWORD_HASH_TIME_COST=1,
        PASSWORD_HASH_MEMORY_KIB=1024,
        PASSWORD_HASH_PARALLELISM=1,
    )
    values.update(overrides)
    return Settings.from_env(environ={}, **values)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the whole session on this backend (built with upgrade head)."""
    if backend == "sqlite":
        url = databases.fresh_sqlite(tmp_path_factory.mktemp("db"), "suite")
    else:
        url = databases.postgres_url()
        assert url is not None
        databases.reset_postgres_schema(url)
    migrate.upgrade(url)
    yield url


@pytest.fixture(scope="session")
def app(database_url: str, key_file: Path) -> Iterator[Flask]:
    application = create_app(make_settings(database_url, key_file))
    yield application
    database: Database = application.extensions["homeward_db"]
    assert database.engine is not None
    database.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    The app's request sessions join the same transaction through savepoints, so what a
    request commits is visible to the test and gone afterwards; the schema is never rebuilt.
    """
    database: Database = app.extensions["homeward_db"]
    assert database.engine is not None
    connection = database.engine.connect()
    outer = connection.begin()
    database.bind_connection(connection)
    session = database.new_session()
    session.info["connection"] = connection
    limiter.reset()
    try:
        yield session
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        connection.close()
        database.factory = None
        database.init_factory()


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def request_ctx(app: Flask, db_session: Session) -> Iterator[None]:
    """A request context for calling services directly (audit reads the client address).

    Do not use together with ``client`` requests in the same test: Flask would reuse this
    context's ``g`` for them.
    """
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        yield


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(os.environ.get("HOMEWARD_TEST_OUTPUT", "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Mailbox:
    """What the loopback SMTP server received; ``stop()`` takes the server down (connections
    are refused) and ``start()`` brings it back on the same port."""

    def __init__(self, port: int = 0) -> None:
        self.messages: list[Any] = []
        #: The envelope recipients (RCPT TO) of each message received.
        self.envelopes: list[list[str]] = []
        #: SMTP sessions opened (EHLO received), whether or not they sent anything.
        self.sessions = 0
        self.port = port
        self._controller: Any = None

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK"

    def last_body(self) -> str:
        assert self.messages, "no e-mail was sent"
        return str(self.messages[-1].get_body(preferencelist=("plain",)).get_content())

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def use_smtp_url(app: Flask, url: str) -> str:
    """Point the app (and ``homeward outbox send``) at ``url``; returns the previous URL."""
    from dataclasses import replace

    previous = str(app.config["HOMEWARD_SETTINGS"].SMTP_URL)
    app.config["HOMEWARD_SETTINGS"] = replace(app.config["HOMEWARD_SETTINGS"], SMTP_URL=url)
    return previous


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[_Mailbox]:
    """A real SMTP server on loopback (aiosmtpd); the outbox sender sends its e-mail there
    (run it with the ``send_outbox`` fixture)."""
    mailbox = _Mailbox(_free_port())
    mailbox.start()
    previous = use_smtp_url(app, f"smtp://127.0.0.1:{mailbox.port}")
    try:
        yield mailbox
    finally:
        use_smtp_url(app, previous)
        mailbox.stop()


@pytest.fixture
def override_settings(app: Flask) -> Iterator[Any]:
    """``override_settings(OUTBOX_MAX_ATTEMPTS=2)``: the app's settings changed until the
    test ends (``tests.factories.override_settings`` as a fixture)."""
    from contextlib import ExitStack

    from tests.factories import override_settings as overriding

    with ExitStack() as stack:
        yield lambda **values: stack.enter_context(overriding(app, **values))


@pytest.fixture
def send_outbox(app: Flask, db_session: Session) -> Any:
    """``send_outbox()`` runs ``homeward outbox send --once`` and returns its output."""

    def send(*extra: str) -> str:
        result = app.test_cli_runner().invoke(args=["outbox", "send", "--once", *extra])
        assert result.exit_code == 0, result.output
        return str(result.output)

    return send


@pytest.fixture
def time_travel() -> Iterator[Any]:
    """Move the application's clock: ``time_travel(minutes=31)``; reset after the test."""
    from datetime import timedelta

    from core import clock

    def move(**delta: float) -> None:
        clock.travel(timedelta(**delta))

    yield move
    clock.travel(timedelta(0))
