"""``read_archive`` checks the signed manifest before it writes anything, and writes only the
files the manifest names, never past the size it gives: a forged archive cannot fill the disk."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from core.backup.archive import (
    MANIFEST_MAX_BYTES,
    SignatureError,
    read_archive,
    sign_manifest,
    write_archive,
)
from core.backup.dumps import BackupError

SEED = bytes(range(32))
DUMP = b"SQLite format 3\x00" + bytes(5000)


def _manifest(files: dict[str, bytes]) -> dict:
    return {
        "format": "homeward-backup/1",
        "dialect": "sqlite",
        "schema_revision": [],
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in files.items()
        },
    }


def _tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as out:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return path


def _signed(files: dict[str, bytes]) -> bytes:
    return json.dumps(sign_manifest(_manifest(files), SEED)).encode()


@pytest.fixture
def workdir(tmp_path) -> Path:
    made = tmp_path / "work"
    made.mkdir()
    return made


def test_an_archive_made_by_write_archive_is_read_back(tmp_path, workdir):
    dump = tmp_path / "database.sqlite"
    dump.write_bytes(DUMP)
    path = tmp_path / "backup.tar"
    written = write_archive(path, _manifest({}), {"database.sqlite": dump}, SEED)
    assert written["files"]["database.sqlite"]["bytes"] == len(DUMP)
    manifest, files = read_archive(path, workdir, SEED)
    assert manifest == written and files["database.sqlite"].read_bytes() == DUMP
    assert files["database.sqlite"].stat().st_mode & 0o077 == 0


def test_an_unsigned_archive_is_refused_before_anything_is_written(tmp_path, workdir):
    """Someone without the keys makes a large archive: nothing of it reaches the disk."""
    big = bytes(3 << 20)
    manifest = json.dumps(_manifest({"database.sqlite": big})).encode()
    path = _tar(tmp_path / "forged.tar", [("manifest.json", manifest), ("database.sqlite", big)])
    with pytest.raises(SignatureError, match="not signed"):
        read_archive(path, workdir, SEED)
    assert list(workdir.iterdir()) == []
    other = sign_manifest(_manifest({"database.sqlite": big}), bytes(32))
    path = _tar(
        tmp_path / "other.tar",
        [("manifest.json", json.dumps(other).encode()), ("database.sqlite", big)],
    )
    with pytest.raises(SignatureError, match="current checkpoint signing key"):
        read_archive(path, workdir, SEED)
    assert list(workdir.iterdir()) == []


def test_a_member_larger_than_its_signed_size_is_not_written(tmp_path, workdir):
    """A genuine manifest put in front of a grown member: refused on its header's size."""
    path = _tar(
        tmp_path / "grown.tar",
        [("manifest.json", _signed({"database.sqlite": DUMP})), ("database.sqlite", DUMP * 400)],
    )
    with pytest.raises(BackupError, match="not the size its manifest says"):
        read_archive(path, workdir, SEED)
    assert list(workdir.iterdir()) == []


def test_a_file_the_manifest_does_not_name_is_not_written(tmp_path, workdir):
    manifest = _signed({"database.sqlite": DUMP})
    for members in (
        [("manifest.json", manifest), ("extra.bin", DUMP), ("database.sqlite", DUMP)],
        [("manifest.json", manifest), ("database.sqlite", DUMP), ("database.sqlite", DUMP)],
    ):
        path = _tar(tmp_path / "extra.tar", members)
        with pytest.raises(BackupError, match="does not name"):
            read_archive(path, workdir, SEED)
        assert [p.name for p in workdir.iterdir()] in ([], ["database.sqlite"])
        assert not (workdir / "extra.bin").exists()
        for leftover in workdir.iterdir():
            leftover.unlink()
        path.unlink()


def test_a_missing_file_or_a_wrong_checksum_is_refused(tmp_path, workdir):
    manifest = _signed({"database.sqlite": DUMP})
    path = _tar(tmp_path / "missing.tar", [("manifest.json", manifest)])
    with pytest.raises(BackupError, match="missing"):
        read_archive(path, workdir, SEED)
    flipped = bytearray(DUMP)
    flipped[100] ^= 1
    path = _tar(
        tmp_path / "flipped.tar", [("manifest.json", manifest), ("database.sqlite", flipped)]
    )
    with pytest.raises(BackupError, match="checksum"):
        read_archive(path, workdir, SEED)
    assert list(workdir.iterdir()) == []  # the altered copy is removed


def test_a_huge_or_misplaced_manifest_is_refused_unread(tmp_path, workdir):
    huge = b" " * (MANIFEST_MAX_BYTES + 1)
    path = _tar(tmp_path / "huge.tar", [("manifest.json", huge)])
    with pytest.raises(BackupError, match="larger than"):
        read_archive(path, workdir, SEED)
    path = _tar(
        tmp_path / "late.tar",
        [("database.sqlite", DUMP), ("manifest.json", _signed({"database.sqlite": DUMP}))],
    )
    with pytest.raises(BackupError, match="first file"):
        read_archive(path, workdir, SEED)
    assert list(workdir.iterdir()) == []


def test_a_deeply_nested_manifest_is_refused_with_a_message(tmp_path, workdir):
    """JSON nested past the parser's recursion limit (well under the size limit) is refused as
    not a manifest, not a RecursionError traceback."""
    path = _tar(tmp_path / "nested.tar", [("manifest.json", b"[" * 200_000)])
    with pytest.raises(BackupError, match="not valid JSON"):
        read_archive(path, workdir, SEED)
    assert list(workdir.iterdir()) == []
