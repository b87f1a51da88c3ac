"""The three backup jobs: create an archive, verify it on a scratch copy, restore it.

They take URLs, paths and the loaded :class:`core.keys.KeyRing` (never Flask globals); the
domains answer through the ``backup_*`` and ``erasure_*`` signals of :mod:`core.signals`.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection, create_engine, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core import erasure_journal, migrate
from core.backup.archive import DUMP_NAMES, SignatureError, read_archive, write_archive
from core.backup.dumps import (
    BackupError,
    backend_of,
    exc_name,
    is_empty,
    pg_dump,
    pg_restore,
    scratch_database,
    sqlite_copy,
    sqlite_path,
    table_counts,
)
from core.clock import utcnow
from core.crypto import Crypto, bind_crypto
from core.crypto.models import DataKey
from core.db import make_engine
from core.exceptions import HomewardError
from core.keys import KeyRing
from core.signals import (
    BackupCheck,
    BackupFacts,
    backup_checking,
    backup_facts_collecting,
    backup_preparing,
    collect,
)


def create_backup(
    database_url: str, path: Path, keys: KeyRing, journal: str = ""
) -> dict[str, Any]:
    """Dump the database into a new archive at ``path``; returns its manifest.

    The receivers of ``backup_preparing`` run first (Audit signs a checkpoint); the manifest's
    facts are read from the very snapshot the dump holds.
    """
    if path.exists():
        raise BackupError(f"{path} exists; refusing to overwrite it")
    backend = backend_of(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            backup_preparing.send(None, session=session, keys=keys)
            session.commit()
        with tempfile.TemporaryDirectory(prefix="homeward-backup-") as tmp:
            dump = Path(tmp) / DUMP_NAMES[backend]
            if backend == "sqlite":
                sqlite_copy(sqlite_path(database_url), dump)
                copy = create_engine(f"sqlite:///{dump}")
                try:
                    with copy.connect() as connection:
                        facts = _facts(connection)
                finally:
                    copy.dispose()
            else:
                with engine.connect() as connection:
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                    with connection.begin():
                        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                        facts = _facts(connection)
                        pg_dump(database_url, dump, str(snapshot))
            manifest = {
                **facts,
                "dialect": backend,
                "created_at": utcnow().isoformat(timespec="seconds"),
                **_journal_anchor(journal, keys),
            }
            return write_archive(path, manifest, {dump.name: dump}, keys.checkpoint_signing_key)
    finally:
        engine.dispose()


def _facts(connection: Connection) -> dict[str, Any]:
    """Schema revision, rows per table, master key versions in use, and the domains' facts."""
    with Session(bind=connection) as session:
        sections = collect(backup_facts_collecting, None, BackupFacts, session=session)
    versions = connection.scalars(
        select(DataKey.master_version).where(DataKey.destroyed_at.is_(None)).distinct()
    )
    return {
        "schema_revision": _revisions(connection),
        "counts": table_counts(connection),
        "master_key_versions": sorted(versions),
        **{section.name: section.data for section in sections},
    }


def _revisions(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))


def _load(manifest: dict[str, Any], files: dict[str, Path], url: str) -> None:
    dump = files[DUMP_NAMES[manifest["dialect"]]]
    if manifest["dialect"] == "sqlite":
        target = sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():  # private from the start: it holds the whole database
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        sqlite_copy(dump, target)
    else:
        pg_restore(dump, url)


def verify_backup(
    path: Path, server_url: str, keys: KeyRing, scratch_url: str | None = None, sample: int = 5
) -> list[BackupCheck]:
    """Restore the archive into a scratch database and check it; the checks, in order.

    Without ``scratch_url`` the scratch database is made (and dropped) on the server of
    ``server_url`` (SQLite: a temporary file). A given ``scratch_url`` must be empty.
    """
    with tempfile.TemporaryDirectory(prefix="homeward-verify-") as tmp:
        try:
            manifest, files = read_archive(path, Path(tmp), keys.checkpoint_signing_key)
        except SignatureError as exc:  # checked first: nothing was extracted
            return [BackupCheck("manifest signature", False, str(exc))]
        except BackupError as exc:
            return [BackupCheck("archive", False, str(exc))]
        checks = [
            BackupCheck("manifest signature", True, "signed by the current key"),
            BackupCheck("archive", True, "manifest, sizes and checksums match"),
        ]
        backend = manifest["dialect"]
        try:
            place = (
                nullcontext(scratch_url) if scratch_url else scratch_database(server_url, backend)
            )
            with place as url:
                _refuse_unusable_target(url, backend)
                _load(manifest, files, url)
                return [*checks, *_check_copy(url, manifest, keys, sample)]
        except BackupError as exc:
            return [*checks, BackupCheck("restore", False, str(exc))]
        except (SQLAlchemyError, psycopg.Error) as exc:  # their text may carry SQL parameters
            return [*checks, BackupCheck("restore", False, f"the database failed: {exc_name(exc)}")]


def _check_copy(
    url: str, manifest: dict[str, Any], keys: KeyRing, sample: int
) -> list[BackupCheck]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            checks = [
                _same("schema revision", manifest.get("schema_revision"), _revisions(connection)),
                _same("rows per table", manifest.get("counts"), table_counts(connection)),
            ]
            missing = sorted(set(manifest.get("master_key_versions", [])) - set(keys.master_keys))
            checks.append(
                BackupCheck(
                    "master keys",
                    not missing,
                    f"versions missing from the key material: {', '.join(missing)}"
                    if missing
                    else "the key material holds every master key version the backup uses",
                )
            )
            with Session(bind=connection) as session:
                bind_crypto(session, Crypto(keys))
                for found in collect(
                    backup_checking,
                    None,
                    list,
                    session=session,
                    manifest=manifest,
                    keys=keys,
                    sample=sample,
                ):
                    checks.extend(found)
                session.rollback()
        return checks
    finally:
        engine.dispose()


def _same(name: str, expected: Any, found: Any) -> BackupCheck:
    if expected == found:
        return BackupCheck(name, True, "as the manifest says")
    if isinstance(expected, dict) and isinstance(found, dict):
        differ = sorted(
            k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k)
        )
        return BackupCheck(name, False, f"differs from the manifest: {', '.join(differ)}")
    return BackupCheck(name, False, f"manifest says {expected}, the copy holds {found}")


def _refuse_unusable_target(url: str, backend: str) -> None:
    if backend_of(url) != backend:
        raise BackupError(f"the backup is of a {backend} database; {url.split(':')[0]} given")
    if not is_empty(url):
        raise BackupError("refusing to restore into a database that is not empty")


@dataclass(frozen=True)
class RestoreReport:
    manifest: dict[str, Any]
    replayed: list[uuid.UUID]


def restore_backup(path: Path, into_url: str, keys: KeyRing, journal: str = "") -> RestoreReport:
    """Load the archive into the empty database ``into_url``, upgrade it to the newest schema
    and replay the erasure journal (people erased after the backup are erased again)."""
    with tempfile.TemporaryDirectory(prefix="homeward-restore-") as tmp:
        try:
            manifest, files = read_archive(path, Path(tmp), keys.checkpoint_signing_key)
        except SignatureError as exc:
            raise BackupError(f"{path}: {exc}; refusing to restore") from exc
        # Read the journal before loading: a restore that cannot replay it must not leave a
        # database behind in which the people erased since the backup are back.
        entries = _journal_for(manifest, journal, erasure_journal.journal_key(keys))
        missing = sorted(set(manifest.get("master_key_versions") or []) - set(keys.master_keys))
        if missing:
            raise BackupError(
                f"the key material lacks master key version(s) {', '.join(map(str, missing))} "
                "the backup uses: nobody in it could be read nor erased again; restore with "
                "the key file of its time"
            )
        _refuse_unusable_target(into_url, manifest["dialect"])
        unknown = [r for r in manifest.get("schema_revision", []) if not migrate.known_revision(r)]
        if unknown:
            raise BackupError(
                f"the backup's schema revision {', '.join(unknown)} is unknown to this release; "
                "restore it with the release that made it"
            )
        _load(manifest, files, into_url)
    migrate.upgrade(into_url)
    engine = make_engine(into_url)
    try:
        with Session(engine) as session:
            bind_crypto(session, Crypto(keys))
            replayed = erasure_journal.replay(session, entries)
            session.commit()
    except HomewardError as exc:
        raise BackupError(
            f"the backup was loaded but replaying the erasure journal failed ({exc}): do not "
            "use that database, people erased since the backup are in it; drop it"
        ) from exc
    finally:
        engine.dispose()
    return RestoreReport(manifest, replayed)


def _journal_anchor(journal: str, keys: KeyRing) -> dict[str, Any]:
    """How many entries the journal holds (None: no journal), its MACs checked, and the
    chain value after them (a restore refuses later lines without MACs)."""
    if not journal:
        return {"erasure_journal_entries": None}
    count, chain = erasure_journal.anchor(journal, erasure_journal.journal_key(keys))
    return {"erasure_journal_entries": count, "erasure_journal_chain": chain}


def _journal_for(
    manifest: dict[str, Any], journal: str, key: bytes
) -> list[erasure_journal.JournalEntry]:
    """The journal's entries; refuses one that holds fewer than when the backup was taken (a
    wrong path, or a journal lost with its disk, would silently undo erasures)."""
    seen = manifest.get("erasure_journal_entries")
    if not journal:
        if seen is not None:
            raise BackupError(
                "the backup was taken with an erasure journal but HOMEWARD_ERASURE_JOURNAL is "
                "not set: set it so that erasures made after the backup are replayed"
            )
        return []
    chain = manifest.get("erasure_journal_chain")
    if isinstance(seen, int) and isinstance(chain, str):
        entries = erasure_journal.read_since(journal, key, seen, chain)
    else:  # a backup from before journal MACs
        entries = erasure_journal.read(journal, key)
    if isinstance(seen, int) and len(entries) < seen:
        raise BackupError(
            f"the erasure journal {journal} holds {len(entries)} entries but held {seen} when "
            "the backup was taken: it is the wrong file or it was lost; refusing to restore"
        )
    return entries
