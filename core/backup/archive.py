"""The backup archive: a gzip-compressed tar holding ``manifest.json`` and the database dump.

The manifest (format ``homeward-backup/1``) says what the dump holds: the database kind, the
schema revision, rows per table, the audit chain's head and checkpoint, the master key
versions the data keys need (versions only, never key material), and the SHA-256 and size
of each file; it is signed with the checkpoint signing key, so that someone holding the
backups but not the keys cannot rewrite the dump (say, cut the audit log's tail) and a
manifest to match. :func:`read_archive` checks that signature before it writes anything, then
extracts only the files the manifest names, each within its size, and refuses an archive
whose files do not match it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zlib
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
#: The largest manifest read (it is read, and its signature checked, before any file).
MANIFEST_MAX_BYTES = 1 << 20


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


class SignatureError(BackupError):
    """The manifest's signature does not hold for the current checkpoint signing key."""


def read_archive(
    path: Path, workdir: Path, signing_seed: bytes
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Check the manifest's signature, then extract the files it names into ``workdir``.

    The manifest (the first member, at most :data:`MANIFEST_MAX_BYTES`) is read and its
    signature checked before anything is written, so an archive not made with the keys
    cannot fill the disk; each file is then written only when the signed manifest names it
    with the size of its member, never past that size, and checked against its checksum.
    Returns (manifest, name -> extracted path). Raises SignatureError when the signature
    does not hold, BackupError when the archive is not a Homeward backup, a file is missing
    or extra, or a size or checksum differs.
    """
    try:
        with tarfile.open(path, mode="r|*") as tar:  # a stream: members in order, no index
            manifest = _signed_manifest(tar, signing_seed)
            found = _extract(tar, manifest["files"], workdir)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{path} cannot be read as a backup archive: {exc}") from exc
    except BackupError as exc:
        if isinstance(exc, SignatureError):
            raise
        raise BackupError(f"{path}: {exc}") from exc
    return manifest, found


def _signed_manifest(tar: tarfile.TarFile, seed: bytes) -> dict[str, Any]:
    member = tar.next()
    if member is None or member.name != MANIFEST or not member.isfile():
        raise BackupError("not a Homeward backup: manifest.json is not its first file")
    if member.size > MANIFEST_MAX_BYTES:
        raise BackupError(f"the manifest is larger than {MANIFEST_MAX_BYTES} bytes; refused")
    source = tar.extractfile(member)
    manifest = _manifest(source.read(MANIFEST_MAX_BYTES + 1) if source else b"")
    problem = signature_problem(manifest, seed)
    if problem is not None:
        raise SignatureError(problem)
    return manifest


def _extract(
    tar: tarfile.TarFile, expected: dict[str, dict[str, Any]], workdir: Path
) -> dict[str, Path]:
    found: dict[str, Path] = {}
    while (member := tar.next()) is not None:  # iterating would yield the manifest again
        name = member.name
        entry = expected.get(name)
        if entry is None or name in found:
            raise BackupError("the archive holds a file its manifest does not name")
        if not member.isfile() or "/" in name or name.startswith("."):
            raise BackupError(f"{name} is not a plain file")
        if member.size != entry["bytes"]:
            raise BackupError(f"{name} is not the size its manifest says (altered or damaged)")
        found[name] = _write_member(tar, member, workdir / name, entry)
    if set(found) != set(expected):
        raise BackupError("the archive's files do not match its manifest (some are missing)")
    return found


def _write_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, entry: dict[str, Any]
) -> Path:
    """Copy one member to ``target`` (mode 0600, never over a file), stopping at the size the
    manifest gives; removed again when its size or checksum differs."""
    source = tar.extractfile(member)
    if source is None:
        raise BackupError(f"{member.name} is not a plain file")
    digest, written = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            written += len(block)
            if written > entry["bytes"]:
                break
            digest.update(block)
            out.write(block)
    if written != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
        target.unlink()
        raise BackupError(f"{member.name} does not match its checksum (altered or damaged)")
    return target


def _manifest(raw: bytes) -> dict[str, Any]:
    if len(raw) > MANIFEST_MAX_BYTES:
        raise BackupError(f"the manifest is larger than {MANIFEST_MAX_BYTES} bytes; refused")
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # nested past the parser's limit
        raise BackupError("the backup's manifest is not valid JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"not a Homeward backup (expected manifest format {FORMAT})")
    if manifest.get("dialect") not in DUMP_NAMES:
        raise BackupError("the backup's manifest names no known database kind")
    files, revisions = manifest.get("files"), manifest.get("schema_revision")
    if not isinstance(files, dict) or not all(_file_entry(entry) for entry in files.values()):
        raise BackupError("the backup's manifest lists its files wrongly (altered or damaged)")
    if not isinstance(revisions, list) or not all(isinstance(r, str) for r in revisions):
        raise BackupError("the backup's manifest names its schema wrongly (altered or damaged)")
    return manifest


def _file_entry(entry: Any) -> bool:
    """A manifest's file entry: a SHA-256 (hex) and a size in bytes."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return False
    size = entry.get("bytes")
    return isinstance(size, int) and not isinstance(size, bool) and size >= 0
