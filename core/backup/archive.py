"""The backup archive: a gzip-compressed tar holding ``manifest.json`` and the database dump.

The manifest (format ``homeward-backup/1``) says what the dump holds: the database kind, the
schema revision, rows per table, the audit chain's head and checkpoint, the master key
versions the data keys need (versions only, never key material), and the SHA-256 and size
of each file; it is signed with the checkpoint signing key, so that someone holding the
backups but not the keys cannot rewrite the dump (say, cut the audit log's tail) and a
manifest to match. :func:`read_archive` refuses an archive whose files do not match it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from core.backup.dumps import BackupError

FORMAT = "homeward-backup/1"
MANIFEST = "manifest.json"
#: What the manifest's Ed25519 signature covers, before its canonical JSON (domain separated
#: from the audit checkpoints signed with the same key).
SIGNED_PREFIX = b"homeward-backup-manifest/1|"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _signed_message(manifest: dict[str, Any]) -> bytes:
    body = {key: value for key, value in manifest.items() if key != "signature"}
    return SIGNED_PREFIX + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _public_hex(seed: bytes) -> str:
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign_manifest(manifest: dict[str, Any], seed: bytes) -> dict[str, Any]:
    """The manifest with its Ed25519 signature (by the checkpoint signing key ``seed``)."""
    value = Ed25519PrivateKey.from_private_bytes(seed).sign(_signed_message(manifest))
    return {**manifest, "signature": {"public_key": _public_hex(seed), "value": value.hex()}}


def signature_problem(manifest: dict[str, Any], seed: bytes) -> str | None:
    """Why the manifest's signature does not hold for the signing key ``seed`` (None: it
    holds). The checksums and the audit head in the manifest are only worth what it is."""
    signature = manifest.get("signature")
    if not isinstance(signature, dict):
        return "the manifest is not signed (altered, or not made by homeward backup create)"
    if signature.get("public_key") != _public_hex(seed):
        return "the manifest was not signed by the current checkpoint signing key"
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signature["public_key"]))
        public.verify(bytes.fromhex(str(signature.get("value"))), _signed_message(manifest))
    except (InvalidSignature, ValueError):
        return "the manifest's signature does not hold (altered)"
    return None


def write_archive(
    path: Path, manifest: dict[str, Any], files: dict[str, Path], signing_seed: bytes
) -> dict[str, Any]:
    """Write the archive (mode 0600, never over an existing file); returns the manifest with
    each file's checksum and size added, signed with the checkpoint signing key."""
    manifest = {
        **manifest,
        "format": FORMAT,
        "files": {
            name: {"sha256": sha256_of(file), "bytes": file.stat().st_size}
            for name, file in files.items()
        },
    }
    manifest = sign_manifest(manifest, signing_seed)
    text = json.dumps(manifest, indent=2, sort_keys=True).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} exists; refusing to overwrite it") from None
    try:
        with os.fdopen(fd, "wb") as raw:
            _write_tar(raw, text, files)
    except BaseException:
        path.unlink(missing_ok=True)  # a cut archive would pass for a backup at a glance
        raise
    return manifest


def _write_tar(raw: BinaryIO, manifest_text: bytes, files: dict[str, Path]) -> None:
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(manifest_text)
        info.mode = 0o600
        tar.addfile(info, io.BytesIO(manifest_text))
        for name, file in files.items():
            member = tar.gettarinfo(file, arcname=name)
            member.mode, member.uid, member.gid, member.uname, member.gname = 0o600, 0, 0, "", ""
            with file.open("rb") as fh:
                tar.addfile(member, fh)
    raw.flush()
    os.fsync(raw.fileno())


def read_archive(path: Path, workdir: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """Extract the archive's files into ``workdir`` and check them against the manifest.

    Returns (manifest, name -> extracted path). Raises BackupError when the archive is not a
    Homeward backup, a file is missing or extra, or a checksum or size differs.
    """
    try:
        with tarfile.open(path, mode="r:*") as tar:
            members = {m.name: m for m in tar.getmembers()}
            manifest = _manifest(tar, members)
            expected = manifest.get("files") or {}
            if set(members) != {MANIFEST, *expected}:
                raise BackupError(f"{path}: the archive's files do not match its manifest")
            found = {}
            for name in expected:
                member = members[name]
                source = tar.extractfile(member) if member.isfile() else None
                if source is None or "/" in name or name.startswith("."):
                    raise BackupError(f"{path}: {name} is not a plain file")
                target = workdir / name
                with target.open("wb") as out:
                    for block in iter(lambda: source.read(1 << 20), b""):  # noqa: B023
                        out.write(block)
                found[name] = target
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} cannot be read as a backup archive: {exc}") from exc
    for name, target in found.items():
        if sha256_of(target) != expected[name].get("sha256"):
            raise BackupError(f"{path}: {name} does not match its checksum (altered or damaged)")
    return manifest, found


def _manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> dict[str, Any]:
    member = members.get(MANIFEST)
    source = tar.extractfile(member) if member is not None else None
    if source is None:
        raise BackupError("not a Homeward backup: no manifest.json")
    try:
        manifest = json.loads(source.read())
    except ValueError as exc:
        raise BackupError("the backup's manifest is not valid JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"not a Homeward backup (expected manifest format {FORMAT})")
    if manifest.get("dialect") not in DUMP_NAMES:
        raise BackupError("the backup's manifest names no known database kind")
    files, revisions = manifest.get("files"), manifest.get("schema_revision")
    if not isinstance(files, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("sha256"), str) for entry in files.values()
    ):
        raise BackupError("the backup's manifest lists its files wrongly (altered or damaged)")
    if not isinstance(revisions, list) or not all(isinstance(r, str) for r in revisions):
        raise BackupError("the backup's manifest names its schema wrongly (altered or damaged)")
    return manifest
