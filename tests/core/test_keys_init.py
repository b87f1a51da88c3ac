"""``homeward keys init`` and ``HOMEWARD_KEYS``: a production key file made without the app,
never overwritten, and key material from the environment with a clear precedence."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner

from core.app import create_app
from core.cli import main
from core.config import ConfigError
from core.keys import (
    KEYS_ENV,
    FileKeyProvider,
    KeyError_,
    dump_keyring,
    new_keyring,
    provider_for,
)
from tests.conftest import make_settings
from tests.databases import fresh_sqlite


def test_keys_init_writes_a_private_production_key_file_without_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEWARD_ENV", "production")  # the app itself could not start
    path = tmp_path / "etc" / "keys.json"
    result = CliRunner().invoke(main, ["keys", "init", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = FileKeyProvider(path).load()
    assert not ring.development and ring.active == "1"
    assert "sealed offline copy" in result.output


def test_keys_init_refuses_to_overwrite_a_key_file(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text("precious")
    result = CliRunner().invoke(main, ["keys", "init", str(path)])
    assert result.exit_code == 1
    assert "refusing to overwrite" in result.output
    assert path.read_text() == "precious"


def test_homeward_keys_is_used_when_no_key_file_exists(tmp_path):
    ring = new_keyring(development=False)
    environ = {KEYS_ENV: dump_keyring(ring)}
    assert provider_for(str(tmp_path / "absent.json"), environ).load() == ring


def test_homeward_keys_and_the_same_key_file_agree(tmp_path):
    ring = new_keyring(development=False)
    FileKeyProvider(tmp_path / "keys.json").save(ring)
    environ = {KEYS_ENV: dump_keyring(ring)}
    assert provider_for(str(tmp_path / "keys.json"), environ).load() == ring


def test_homeward_keys_and_a_different_key_file_are_refused(tmp_path):
    FileKeyProvider(tmp_path / "keys.json").save(new_keyring(development=False))
    environ = {KEYS_ENV: dump_keyring(new_keyring(development=False))}
    with pytest.raises(KeyError_, match="hold different keys"):
        provider_for(str(tmp_path / "keys.json"), environ).load()


def test_the_app_starts_on_homeward_keys_and_refuses_a_conflicting_file(tmp_path, monkeypatch):
    ring = new_keyring(development=False)
    monkeypatch.setenv(KEYS_ENV, dump_keyring(ring))
    url = fresh_sqlite(tmp_path, "keys")
    absent = tmp_path / "absent.json"
    app = create_app(make_settings(url, absent, ENV="development"))
    assert app.extensions["homeward_keys"] == ring
    assert not absent.exists()  # no development key file beside the injected keys
    app.extensions["homeward_db"].engine.dispose()
    other = tmp_path / "other.json"
    FileKeyProvider(other).save(new_keyring(development=False))
    with pytest.raises(ConfigError, match=r"refusing to start.*different keys"):
        create_app(make_settings(url, other))


def test_keys_init_that_cannot_finish_leaves_no_half_key_file(tmp_path):
    """A full disk (here: a file size limit) must not leave a truncated key file behind that
    ``keys init`` then refuses to replace and the app cannot read."""
    import subprocess
    import sys

    path = tmp_path / "keys.json"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (10, 10))\n"
        "from core.cli import main\n"
        "main(['keys', 'init', sys.argv[1]])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("homeward: ") and "Traceback" not in done.stderr
    assert not path.exists()
