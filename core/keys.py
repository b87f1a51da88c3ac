"""Master keys: where they live, how they are loaded, how a development key file is made.

The key file is JSON, kept outside the database and outside the repository::

    {"format": 1, "active": "2",
     "master_keys": {"1": "<base64 32 bytes>", "2": "<base64 32 bytes>"},
     "retired": ["1"],
     "index_root_key": "<base64 32 bytes>",
     "checkpoint_signing_key": "<base64 32-byte Ed25519 seed>",
     "development": true}

Key material can instead come from the environment variable ``HOMEWARD_KEYS`` holding the same
JSON (a service manager injects it: systemd ``LoadCredential``, an env file). Precedence:
``HOMEWARD_KEYS`` when set, else the key file. When both are present they must hold the same
keys, or loading refuses (an operator who rotated one and forgot the other would otherwise
encrypt under keys that the other half of the deployment does not have). A KMS or Vault
plugs in by implementing :class:`KeyProvider` (``load`` returning a :class:`KeyRing`) and
naming it in :func:`provider_from_settings`.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from core.exceptions import HomewardError

KEY_BYTES = 32
KEYS_ENV = "HOMEWARD_KEYS"


class KeyError_(HomewardError, RuntimeError):
    """Key material is missing, malformed or unsafe; the message is one line for an operator."""


@dataclass(frozen=True)
class KeyRing:
    """The loaded keys. ``master_keys`` maps version to 32 raw bytes."""

    active: str
    master_keys: dict[str, bytes]
    index_root_key: bytes
    checkpoint_signing_key: bytes
    retired: frozenset[str] = field(default_factory=frozenset)
    development: bool = False

    @property
    def active_key(self) -> bytes:
        return self.master_keys[self.active]


class KeyProvider(Protocol):
    """Anything that can produce a :class:`KeyRing` (file, environment, KMS, Vault)."""

    def load(self) -> KeyRing: ...

    def describe(self) -> str: ...


def _b64(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise KeyError_(f"key material {name} is missing")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise KeyError_(f"key material {name} is not valid base64") from exc
    if len(raw) != KEY_BYTES:
        raise KeyError_(f"key material {name} must be {KEY_BYTES} bytes, found {len(raw)}")
    return raw


def parse_keyring(text: str) -> KeyRing:
    """Parse key JSON into a KeyRing; raises KeyError_ with a one-line reason."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise KeyError_("key material is not valid JSON") from exc
    if not isinstance(data, dict) or data.get("format") != 1:
        raise KeyError_("key material has an unknown format (expected format 1)")
    masters = data.get("master_keys")
    if not isinstance(masters, dict) or not masters:
        raise KeyError_("key material holds no master keys")
    master_keys = {str(v): _b64(k, f"master key {v}") for v, k in masters.items()}
    active = str(data.get("active", ""))
    if active not in master_keys:
        raise KeyError_(f"the active master key version {active!r} is not in the key material")
    return KeyRing(
        active=active,
        master_keys=master_keys,
        index_root_key=_b64(data.get("index_root_key"), "index_root_key"),
        checkpoint_signing_key=_b64(data.get("checkpoint_signing_key"), "checkpoint_signing_key"),
        retired=frozenset(str(v) for v in data.get("retired", [])),
        development=bool(data.get("development", False)),
    )


def dump_keyring(ring: KeyRing) -> str:
    """Serialise a KeyRing to the key-file JSON."""
    enc = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return json.dumps(
        {
            "format": 1,
            "active": ring.active,
            "master_keys": {v: enc(k) for v, k in sorted(ring.master_keys.items())},
            "retired": sorted(ring.retired),
            "index_root_key": enc(ring.index_root_key),
            "checkpoint_signing_key": enc(ring.checkpoint_signing_key),
            "development": ring.development,
        },
        indent=2,
    )


def new_keyring(development: bool) -> KeyRing:
    """Fresh random key material with master key version 1 active."""
    return KeyRing(
        active="1",
        master_keys={"1": secrets.token_bytes(KEY_BYTES)},
        index_root_key=secrets.token_bytes(KEY_BYTES),
        checkpoint_signing_key=secrets.token_bytes(KEY_BYTES),
        development=development,
    )


class FileKeyProvider:
    """Keys in a JSON file that only its owner may read (mode 0600)."""

    def __init__(self, path: str | Path, require_private: bool = True) -> None:
        self.path = Path(path)
        self.require_private = require_private

    def describe(self) -> str:
        return f"key file {self.path}"

    def load(self) -> KeyRing:
        if not self.path.is_file():
            raise KeyError_(f"key file {self.path} does not exist")
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if self.require_private and mode & 0o077:
            raise KeyError_(
                f"key file {self.path} is readable by others (mode {mode:o}); chmod 600 it"
            )
        return parse_keyring(self.path.read_text(encoding="utf-8"))

    def save(self, ring: KeyRing) -> None:
        """Write atomically with mode 0600, so a crash never leaves a half-written key file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dump_keyring(ring))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)


class EnvironmentKeyProvider:
    """Keys in the environment variable ``HOMEWARD_KEYS`` (same JSON as the key file).

    With ``key_file`` given and present, its keys must be the same, or loading refuses.
    """

    def __init__(
        self, environ: Mapping[str, str] | None = None, key_file: str | Path | None = None
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self.key_file = Path(key_file) if key_file else None

    def describe(self) -> str:
        return f"environment variable {KEYS_ENV}"

    def load(self) -> KeyRing:
        text = self.environ.get(KEYS_ENV)
        if not text:
            raise KeyError_(f"{KEYS_ENV} is not set")
        ring = parse_keyring(text)
        if self.key_file is not None and self.key_file.exists():
            try:
                on_disk = FileKeyProvider(self.key_file).load()
            except KeyError_ as exc:
                raise KeyError_(f"{KEYS_ENV} is set and key file {self.key_file}: {exc}") from exc
            if on_disk != ring:
                raise KeyError_(
                    f"{KEYS_ENV} and key file {self.key_file} hold different keys; "
                    "keep one source (unset HOMEWARD_KEYS or move the key file away)"
                )
        return ring


def provider_for(key_file: str, environ: Mapping[str, str] | None = None) -> KeyProvider:
    """The environment provider when ``HOMEWARD_KEYS`` is set (checked against the key file
    when that exists too), else the key file."""
    env = os.environ if environ is None else environ
    if env.get(KEYS_ENV):
        return EnvironmentKeyProvider(env, key_file)
    return FileKeyProvider(key_file)


def keys_from_environment(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``HOMEWARD_KEYS`` is set (then no development key file is made)."""
    env = os.environ if environ is None else environ
    return bool(env.get(KEYS_ENV))


def init_key_file(path: str | Path) -> KeyRing:
    """Create a production key file (mode 0600) with fresh keys; never overwrites.

    Raises KeyError_ when ``path`` exists. The file is created with ``O_EXCL``, so two runs
    at once cannot both write it, and synced to disk before returning.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    ring = new_keyring(development=False)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise KeyError_(f"{target} exists; refusing to overwrite a key file") from None
    try:
        os.fchmod(fd, 0o600)  # on the file opened, never on whatever the path names later
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dump_keyring(ring))
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        # A half-written key file would block a second try and could not be read.
        target.unlink(missing_ok=True)
        raise
    return ring


def ensure_development_key_file(path: str | Path) -> bool:
    """Create a development key file (mode 0600) when missing; True when one was made."""
    provider = FileKeyProvider(path)
    if provider.path.exists():
        return False
    provider.save(new_keyring(development=True))
    return True
