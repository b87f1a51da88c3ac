"""Master keys: rotation and retirement from the CLI, start-up checks, erasure of backups."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from audit.models import AuditEvent
from core import migrate
from core.app import create_app
from core.config import ConfigError
from core.crypto import DataKey, MasterKeyError, erase_subject, get_crypto
from core.crypto.keyring import Crypto, next_version
from core.crypto.keystore import forget_keys
from core.crypto.rotation import key_status, rewrap_batch
from core.db import Database, current_db
from core.keys import FileKeyProvider, new_keyring
from tests import databases
from tests.conftest import make_settings
from tests.core.crypto_models import CryptoTestBase, Person

PEOPLE = 23


@dataclass
class Deployment:
    """A migrated scratch database with people in it, and the app that made them."""

    app: Flask
    url: str
    key_path: Path

    def session_scope(self):
        return current_db().session_scope()

    def cli(self, *args: str):
        return self.app.test_cli_runner().invoke(args=list(args))


def _dispose(app: Flask) -> None:
    database: Database = app.extensions["homeward_db"]
    assert database.engine is not None
    database.engine.dispose()


@pytest.fixture
def deployment(backend, tmp_path) -> Iterator[Deployment]:
    url = databases.fresh_database(backend, tmp_path, "crypto_keys")
    migrate.upgrade(url)
    key_path = tmp_path / "keys.json"
    FileKeyProvider(key_path).save(new_keyring(development=False))
    app = create_app(make_settings(url, key_path))
    CryptoTestBase.metadata.create_all(app.extensions["homeward_db"].engine)
    with app.app_context(), current_db().session_scope() as session:
        for number in range(PEOPLE):
            session.add(Person(given_name=f"Person{number}", family_name="Rahimova"))
    try:
        with app.app_context():
            yield Deployment(app, url, key_path)
    finally:
        _dispose(app)
        if backend == "postgresql":
            databases.drop_postgres(url)


def get_crypto_from(app: Flask) -> Crypto:
    crypto: Crypto = app.extensions["homeward_crypto"]
    return crypto


def _names(session) -> list[str]:
    session.expunge_all()
    forget_keys(session)
    return sorted(p.given_name for p in session.scalars(select(Person)))


def test_rotate_rewraps_every_data_key_and_everything_still_decrypts(deployment):
    result = deployment.cli("keys", "rotate", "--batch-size", "5")
    assert result.exit_code == 0, result.output
    assert "master key version 2 is now active" in result.output
    assert f"{PEOPLE} data keys re-wrapped" in result.output
    ring = FileKeyProvider(deployment.key_path).load()
    assert ring.active == "2" and set(ring.master_keys) == {"1", "2"}
    with deployment.session_scope() as session:
        assert key_status(session) == {"2": PEOPLE}
        assert _names(session) == sorted(f"Person{n}" for n in range(PEOPLE))
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"keys.rotated", "keys.rewrapped"} <= actions
    status = deployment.cli("keys", "status")
    assert "active master key version: 2" in status.output
    assert "version    1: 0 data keys" in status.output
    assert f"version    2: {PEOPLE} data keys" in status.output


def test_interrupted_rotation_resumes_and_retire_waits_for_it(deployment):
    crypto: Crypto = get_crypto_from(deployment.app)
    ring = next_version(crypto.ring)
    FileKeyProvider(deployment.key_path).save(ring)
    crypto.replace_ring(ring)
    with deployment.session_scope() as session:
        assert rewrap_batch(session, crypto, batch_size=5) == 5  # then the job "dies"
    with deployment.session_scope() as session:
        assert key_status(session) == {"1": PEOPLE - 5, "2": 5}

    refused = deployment.cli("keys", "retire", "1")
    assert refused.exit_code == 1
    assert f"still wraps {PEOPLE - 5} data keys" in refused.output

    resumed = deployment.cli("keys", "rotate", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert f"{PEOPLE - 5} data keys re-wrapped under master key version 2" in resumed.output
    with deployment.session_scope() as session:
        old = session.scalar(select(func.count()).where(DataKey.master_version == "1"))
        assert old == 0
        assert len(_names(session)) == PEOPLE

    retired = deployment.cli("keys", "retire", "1")
    assert retired.exit_code == 0, retired.output
    ring = FileKeyProvider(deployment.key_path).load()
    assert set(ring.master_keys) == {"2"} and ring.retired == {"1"}
    assert deployment.cli("keys", "retire", "2").exit_code == 1  # the active one: never
    restarted = create_app(make_settings(deployment.url, deployment.key_path))
    _dispose(restarted)


def test_wrong_master_key_refuses_to_start(deployment, tmp_path):
    wrong = tmp_path / "wrong.json"
    FileKeyProvider(wrong).save(new_keyring(development=False))
    with pytest.raises(ConfigError, match="does not unwrap data key") as info:
        create_app(make_settings(deployment.url, wrong))
    assert "\n" not in str(info.value)


def test_missing_master_key_version_refuses_to_start(deployment, tmp_path):
    ring = FileKeyProvider(deployment.key_path).load()
    only_new = replace(next_version(ring), master_keys={"2": b"\x01" * 32})
    partial = tmp_path / "partial.json"
    FileKeyProvider(partial).save(only_new)
    with pytest.raises(ConfigError, match="version '1', which the key material does not hold"):
        create_app(make_settings(deployment.url, partial))


def test_missing_key_file_refuses_to_start(deployment, tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        create_app(make_settings(deployment.url, tmp_path / "absent.json"))


def test_wrong_key_never_yields_garbage(deployment):
    with deployment.session_scope() as session:
        row = session.scalars(select(DataKey)).first()
        impostor = Crypto(new_keyring(development=False))
        with pytest.raises(MasterKeyError, match="does not unwrap"):
            impostor.unwrap(row)


def test_env_provider_rotation_prints_what_to_set_and_changes_nothing(deployment, monkeypatch):
    ring_text = deployment.key_path.read_text()
    monkeypatch.setenv("HOMEWARD_KEYS", ring_text)
    result = deployment.cli("keys", "rotate")
    assert result.exit_code == 0, result.output
    assert "Set it to the value below" in result.output
    printed = json.loads(result.output[result.output.index("{") :])
    assert printed["active"] == "2"
    assert get_crypto_from(deployment.app).ring.active == "1"
    with deployment.session_scope() as session:
        assert key_status(session) == {"1": PEOPLE}


def test_erased_subject_stays_unreadable_in_an_earlier_dump_once_its_version_retires(
    deployment,
):
    with deployment.session_scope() as session:
        person = session.scalars(select(Person)).first()
        subject = person.id
        dump = session.scalars(select(DataKey).where(DataKey.subject_id == subject)).one()
        session.expunge(dump)  # what a backup taken before the erasure holds
        erase_subject(session, subject)
    assert deployment.cli("keys", "rotate").exit_code == 0
    assert deployment.cli("keys", "retire", "1").exit_code == 0
    with deployment.session_scope() as session:
        assert key_status(session) == {"2": PEOPLE - 1, "destroyed": 1}
        with pytest.raises(MasterKeyError, match="not in the key material"):
            get_crypto(session).unwrap(dump)


def test_another_process_picks_up_a_rotation_from_the_key_file(deployment):
    """An app process still holding the old ring reloads the key file on an unknown version."""
    provider = FileKeyProvider(deployment.key_path)
    other_process = Crypto(provider.load(), provider)
    assert deployment.cli("keys", "rotate").exit_code == 0
    with deployment.session_scope() as session:
        row = session.scalars(select(DataKey)).first()
        assert row.master_version == "2"
        assert len(other_process.unwrap(row)) == 32
    assert other_process.ring.active == "2"
