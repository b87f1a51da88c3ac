"""``homeward backup create | verify | restore`` with real pg_dump/pg_restore and the real
SQLite backup API: a restored copy serves the demo, tampering is caught, and an erasure made
after the backup is replayed on restore."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from audit.models import AuditEvent
from casework.models import Case, Person
from core.crypto import SubjectErasedError
from core.keys import FileKeyProvider
from tests.factories import totp_now

pytestmark = pytest.mark.usefixtures("backup_source")


@pytest.fixture(scope="module")
def archive(backup_source) -> Path:
    path = backup_source.workdir / "first.tar"
    result = backup_source.cli("backup", "create", str(path))
    assert result.exit_code == 0, result.output
    return path


def _manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _people(app) -> dict:
    """Person id -> latin name, or None when it no longer decrypts."""
    found = {}
    with app.app_context(), app.extensions["homeward_db"].session_scope() as session:
        for person in session.scalars(select(Person)):
            try:
                found[person.id] = person.name_latin or person.name_original
            except SubjectErasedError:
                found[person.id] = None
    return found


def test_backup_restores_into_an_empty_database_that_serves(
    backup_source, archive, empty_database, app_on, key_file
):
    manifest = _manifest(archive)
    assert manifest["counts"]["person"] >= 25 and manifest["audit"]["checkpoint"] is not None
    ring = FileKeyProvider(key_file).load()
    secrets = [*ring.master_keys.values(), ring.index_root_key, ring.checkpoint_signing_key]
    with tarfile.open(archive) as tar:
        contents = [tar.extractfile(member).read() for member in tar.getmembers()]
    for secret in secrets:
        assert not any(base64.b64encode(secret) in raw or secret in raw for raw in contents)
    assert set(manifest) == {
        "audit",
        "counts",
        "created_at",
        "dialect",
        "erasure_journal_chain",
        "erasure_journal_entries",
        "files",
        "format",
        "master_key_versions",
        "schema_revision",
        "signature",
    }

    verified = backup_source.cli("backup", "verify", str(archive))
    assert verified.exit_code == 0, verified.output
    assert "FAILED" not in verified.output and "people decrypt" in verified.output

    target = empty_database("restored")
    restored = backup_source.cli("backup", "restore", str(archive), "--into", target)
    assert restored.exit_code == 0, restored.output
    app = app_on(target)
    chain = app.test_cli_runner().invoke(args=["audit", "verify", "--no-record"])
    assert chain.exit_code == 0 and "chain intact" in chain.output, chain.output
    assert "Farida Nazari" in _people(app).values()
    check = app.test_cli_runner().invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output

    account = backup_source.accounts["caseworker"]
    client = app.test_client()
    client.get("/login")
    from tests.factories import post_form

    answer = post_form(
        client, "/login", {"email": account["email"], "password": account["password"]}
    )
    assert answer.status_code == 302
    answer = post_form(client, "/login/second-factor", {"code": totp_now(account["totp_secret"])})
    assert answer.status_code == 302
    page = client.get("/cases/")
    assert page.status_code == 200 and "Farida Nazari" in page.get_data(as_text=True)


def _rewrite(
    archive: Path, target: Path, manifest_change=None, flip_dump=False, sign_with=None
) -> Path:
    """A copy of the archive with its manifest changed (re-signed when ``sign_with`` is given,
    as only a holder of the keys can) or a bit of its dump flipped."""
    from core.backup.archive import sign_manifest

    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest_change:
                changed = manifest_change(json.loads(data))
                if sign_with is not None:
                    changed = sign_manifest(changed, sign_with.checkpoint_signing_key)
                data = json.dumps(changed).encode()
            elif member.name != "manifest.json" and flip_dump:
                data = bytearray(data)
                data[len(data) // 2] ^= 0x01
            member.size = len(data)
            out.addfile(member, io.BytesIO(bytes(data)))
    return target


def test_restore_refuses_a_database_that_is_not_empty(backup_source, archive):
    result = backup_source.cli("backup", "restore", str(archive), "--into", backup_source.url)
    assert result.exit_code == 1
    assert "not empty" in result.output


def test_restore_refuses_a_schema_this_release_does_not_know(
    backup_source, archive, empty_database, tmp_path
):
    newer = _rewrite(
        archive,
        tmp_path / "newer.tar",
        lambda m: {**m, "schema_revision": ["ffffffffffff"]},
        sign_with=backup_source.app.extensions["homeward_keys"],
    )
    target = empty_database("newer")
    result = backup_source.cli("backup", "restore", str(newer), "--into", target)
    assert result.exit_code == 1
    assert "unknown to this release" in result.output


def test_verify_detects_an_altered_archive(backup_source, archive, tmp_path):
    altered = _rewrite(archive, tmp_path / "altered.tar", flip_dump=True)
    result = backup_source.cli("backup", "verify", str(altered))
    assert result.exit_code == 1
    assert "FAILED archive" in result.output and "checksum" in result.output


def _tamper_audit_event(url: str, backend: str) -> None:
    from core.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            names = conn.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_event'"
                )
            ).all()
            for name in names:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(text("UPDATE audit_event SET outcome = 'denied' WHERE seq = 2"))
    engine.dispose()


def test_verify_detects_an_altered_audit_event(
    backup_source, archive, empty_database, app_on, backend, tmp_path
):
    copy = empty_database("tampered")
    assert backup_source.cli("backup", "restore", str(archive), "--into", copy).exit_code == 0
    _tamper_audit_event(copy, backend)
    app = app_on(copy)
    second = tmp_path / "tampered.tar"
    made = app.test_cli_runner().invoke(args=["backup", "create", str(second)])
    assert made.exit_code == 0, made.output
    result = backup_source.cli("backup", "verify", str(second))
    assert result.exit_code == 1
    assert "FAILED audit chain" in result.output


def test_an_erasure_after_the_backup_is_replayed_on_restore(
    backup_source, archive, empty_database, app_on
):
    database = backup_source.app.extensions["homeward_db"]
    with backup_source.app.app_context(), database.session_scope() as session:
        case = session.scalars(select(Case).order_by(Case.case_number)).first()
        number, person_id = case.case_number, case.person_id
    erased = backup_source.cli(
        "cases", "erase-person", number, "--reason", "the person asked, by letter", "--yes"
    )
    assert erased.exit_code == 0, erased.output
    assert str(person_id) in backup_source.journal.read_text()

    target = empty_database("replayed")
    restored = backup_source.cli("backup", "restore", str(archive), "--into", target)
    assert restored.exit_code == 0 and "replayed from the journal: 1" in restored.output
    app = app_on(target)
    people = _people(app)
    assert people[person_id] is None
    assert sum(name is not None for name in people.values()) == len(people) - 1
    with app.app_context(), app.extensions["homeward_db"].session_scope() as session:
        replay = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "erasure.replayed")
        ).all()
        assert [event.object_id for event in replay] == [str(person_id)]
        assert session.get(Person, person_id).erased_at is not None
    chain = app.test_cli_runner().invoke(args=["audit", "verify", "--no-record"])
    assert chain.exit_code == 0, chain.output


def test_an_unreadable_journal_stops_the_restore_before_anything_is_loaded(
    backup_source, archive, empty_database, tmp_path, monkeypatch
):
    """A journal that cannot be read must not leave a restored database whose erased people
    are back: the restore refuses before loading, with one line, no traceback."""
    from core.backup.dumps import is_empty

    bad = tmp_path / "journal.jsonl"
    bad.write_bytes(b"\xff\xfe garbage\n")
    target = empty_database("badjournal")
    from core.backup.services import restore_backup
    from core.erasure_journal import JournalError

    ring = backup_source.app.extensions["homeward_keys"]
    with pytest.raises(JournalError, match="line 1"):
        restore_backup(archive, target, ring, str(bad))
    assert is_empty(target)


def test_a_forged_journal_line_stops_the_restore_naming_it(
    backup_source, archive, empty_database, tmp_path
):
    """Someone who can write the journal but holds no keys adds a line naming a person never
    erased, in the old format without a MAC or with a made-up one: the restore refuses before
    loading, in one line naming that line."""
    from core.backup.dumps import is_empty

    database = backup_source.app.extensions["homeward_db"]
    with backup_source.app.app_context(), database.session_scope() as session:
        number = session.scalars(select(Case.case_number).order_by(Case.case_number.desc())).first()
    erased = backup_source.cli(
        "cases", "erase-person", number, "--reason", "asked by letter", "--yes"
    )
    assert erased.exit_code == 0, erased.output  # the journal now holds authenticated lines
    with backup_source.app.app_context(), database.session_scope() as session:
        victim = session.scalars(select(Person.id).where(Person.erased_at.is_(None))).first()
    genuine = backup_source.journal.read_text()
    at = len(genuine.splitlines()) + 1
    old = {"format": "homeward-erasure/1", "subject_id": str(victim), "data_key_id": None}
    settings = backup_source.app.config["HOMEWARD_SETTINGS"]
    for line in (old, {**old, "format": "homeward-erasure/2", "mac": "ab" * 32}):
        forged = tmp_path / "journal.jsonl"
        forged.write_text(genuine + json.dumps(line) + "\n")
        target = empty_database(f"forgedjournal{len(line)}")
        backup_source.app.config["HOMEWARD_SETTINGS"] = replace(
            settings, ERASURE_JOURNAL=str(forged)
        )
        try:
            result = backup_source.cli("backup", "restore", str(archive), "--into", target)
        finally:
            backup_source.app.config["HOMEWARD_SETTINGS"] = settings
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert f"line {at}" in result.output and "MAC" in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert is_empty(target)


def test_restore_refuses_a_journal_shorter_than_the_backup_saw(
    backup_source, archive, empty_database, tmp_path
):
    """The manifest records how many erasures the journal held; a restore reading fewer (a
    wrong path, a journal lost with the disk) would silently bring erased people back."""
    from core.backup.dumps import BackupError, is_empty
    from core.backup.services import restore_backup

    shorter = _rewrite(
        archive,
        tmp_path / "saw-more.tar",
        lambda m: {**m, "erasure_journal_entries": 3},
        sign_with=backup_source.app.extensions["homeward_keys"],
    )
    target = empty_database("shortjournal")
    ring = backup_source.app.extensions["homeward_keys"]
    with pytest.raises(BackupError, match="erasure journal"):
        restore_backup(shorter, target, ring, str(tmp_path / "missing.jsonl"))
    assert is_empty(target)


def test_operator_mistakes_get_one_line_not_a_traceback(backup_source, archive, app_on, tmp_path):
    result = backup_source.cli("backup", "restore", str(archive), "--into", "not a url")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "homeward:" in result.output
    down = app_on("postgresql+psycopg://postgres@127.0.0.1:1/homeward_nowhere")
    made = down.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "x.tar")])
    assert made.exit_code == 1 and isinstance(made.exception, SystemExit), made.output
    assert "homeward:" in made.output and "password" not in made.output
    assert not (tmp_path / "x.tar").exists()


def test_a_forged_manifest_is_refused_in_one_line(backup_source, archive, tmp_path):
    forged = _rewrite(archive, tmp_path / "forged.tar", lambda m: {**m, "files": list(m["files"])})
    verified = backup_source.cli("backup", "verify", str(forged))
    assert verified.exit_code == 1 and isinstance(verified.exception, SystemExit), verified.output
    assert "FAILED archive" in verified.output


def test_verify_makes_and_drops_a_scratch_database_whatever_the_name(backend):
    """The scratch name comes from the configured database name: quoted as an identifier,
    never pasted into SQL, and the database is gone afterwards."""
    if backend != "postgresql":
        pytest.skip("scratch databases are made on PostgreSQL servers only")
    import psycopg
    from sqlalchemy.engine import make_url

    from core.backup.dumps import scratch_database
    from tests.databases import postgres_url

    server = make_url(postgres_url()).set(database='hw_backup_q"; SELECT 1; --')
    with scratch_database(server.render_as_string(hide_password=False), "postgresql") as url:
        name = make_url(url).database
        assert name.startswith('hw_backup_q"; SELECT 1; --_verify_')
    admin = make_url(postgres_url()).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False)) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        assert left.fetchone() == (0,)


def _forge_archive(url: str, backend: str, original: Path, target: Path) -> None:
    """What someone holding the backups but not the keys can do: restore, cut the audit tail
    and the checkpoints that pin it, dump again, and write a manifest that matches."""
    import hashlib

    from core.backup import services
    from core.backup.dumps import pg_dump, sqlite_copy, sqlite_path
    from core.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for name in conn.scalars(
                text("SELECT name FROM sqlite_master WHERE type='trigger' AND sql LIKE '%audit%'")
            ).all():
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        head = conn.scalar(text("SELECT max(seq) FROM audit_event"))
        conn.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": head - 3})
        conn.execute(text("DELETE FROM audit_checkpoint"))
    dump = target.with_suffix(".dump")
    if backend == "sqlite":
        sqlite_copy(sqlite_path(url), dump)
    else:
        pg_dump(url, dump)
    with engine.connect() as conn:
        facts = services._facts(conn)
    engine.dispose()
    manifest = {**_manifest(original), **facts}
    name = next(iter(manifest["files"]))
    data = dump.read_bytes()
    manifest["files"] = {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}}
    text_ = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as out:
        for member_name, raw in (("manifest.json", text_), (name, data)):
            info = tarfile.TarInfo(member_name)
            info.size = len(raw)
            out.addfile(info, io.BytesIO(raw))


def test_verify_and_restore_refuse_an_archive_rewritten_without_the_keys(
    backup_source, archive, empty_database, backend, tmp_path
):
    copy = empty_database("forge")
    assert backup_source.cli("backup", "restore", str(archive), "--into", copy).exit_code == 0
    forged = tmp_path / "forged.tar"
    _forge_archive(copy, backend, archive, forged)
    verified = backup_source.cli("backup", "verify", str(forged))
    assert verified.exit_code == 1, verified.output
    assert "FAILED manifest signature" in verified.output
    target = empty_database("forge_into")
    restored = backup_source.cli("backup", "restore", str(forged), "--into", target)
    assert restored.exit_code == 1 and "signature" in restored.output, restored.output


def test_archive_members_that_are_links_or_leave_the_directory_are_refused(tmp_path):
    """read_archive never lets a member choose where it lands or what it points at."""
    from core.backup.archive import read_archive, sign_manifest
    from core.backup.dumps import BackupError

    seed = bytes(range(32))
    for name, kind in (("../escape", tarfile.REGTYPE), ("database.sqlite", tarfile.SYMTYPE)):
        path = tmp_path / f"evil-{kind!r}.tar"
        manifest = {
            "format": "homeward-backup/1",
            "dialect": "sqlite",
            "schema_revision": [],
            "files": {name: {"sha256": "0" * 64, "bytes": 0}},
        }
        raw = json.dumps(sign_manifest(manifest, seed)).encode()
        with tarfile.open(path, "w:gz") as out:
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            out.addfile(info, io.BytesIO(raw))
            member = tarfile.TarInfo(name)
            member.type = kind
            member.linkname = "/etc/passwd"
            out.addfile(member, io.BytesIO(b""))
        workdir = tmp_path / f"work-{kind!r}"
        workdir.mkdir()
        with pytest.raises(BackupError, match="not a plain file"):
            read_archive(path, workdir, seed)
        assert list(workdir.iterdir()) == [] and not (tmp_path / "escape").exists()


def test_a_restored_sqlite_database_is_private(backup_source, archive, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("an SQLite file's mode")
    import stat

    target = tmp_path / "restored" / "homeward.db"
    result = backup_source.cli("backup", "restore", str(archive), "--into", f"sqlite:///{target}")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_pg_tools_get_no_password_on_argv_and_no_master_keys(monkeypatch):
    """pg_dump and pg_restore get the password in PGPASSWORD, never on their command line
    (``ps`` shows it to every local user), and never HOMEWARD_KEYS: a child process has no
    business holding the master keys."""
    from core.backup.dumps import _libpq
    from core.keys import KEYS_ENV

    monkeypatch.setenv(KEYS_ENV, '{"secret": "material"}')
    uri, env = _libpq("postgresql+psycopg://someone:pw@127.0.0.1:5432/somewhere")
    assert KEYS_ENV not in env and env["PGPASSWORD"] == "pw"
    assert uri == "postgresql://someone@127.0.0.1:5432/somewhere"


def test_restore_refuses_keys_that_cannot_open_the_backup_before_loading(
    backup_source, archive, empty_database
):
    """Without a master key version the backup uses, replaying an erasure (which keeps a
    skeleton of the person's cases) cannot work: refuse before loading, not after."""
    import dataclasses
    import secrets

    from core.backup.dumps import BackupError, is_empty
    from core.backup.services import restore_backup

    ring = backup_source.app.extensions["homeward_keys"]
    other = dataclasses.replace(ring, active="99", master_keys={"99": secrets.token_bytes(32)})
    target = empty_database("nokeys")
    with pytest.raises(BackupError, match="master key version"):
        restore_backup(archive, target, other, str(backup_source.journal))
    assert is_empty(target)


def test_an_archive_that_cannot_be_finished_is_not_left_behind(tmp_path):
    """A full disk (here: a file size limit) must not leave a truncated archive that looks
    like a backup and blocks the next try at that path."""
    import subprocess
    import sys

    dump = tmp_path / "database.sqlite"
    dump.write_bytes(__import__("os").urandom(200_000))
    path = tmp_path / "cut.tar"
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "from core.backup.archive import write_archive\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))\n"
        "try:\n"
        "    write_archive(Path(sys.argv[1]), {'dialect': 'sqlite'},\n"
        "                  {'database.sqlite': Path(sys.argv[2])}, bytes(32))\n"
        "except OSError:\n"
        "    sys.exit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert not path.exists()


def test_a_journal_stripped_of_its_macs_stops_the_restore(
    backup_source, archive, empty_database, tmp_path
):
    """Someone who can write the journal rewrites every line in the old MAC-less format and
    adds a person never erased: the journal alone reads like one written before MACs, but the
    backup's signed anchor refuses it before anything is loaded."""
    from core.backup.dumps import is_empty

    database = backup_source.app.extensions["homeward_db"]
    with backup_source.app.app_context(), database.session_scope() as session:
        living = select(Person.id).where(Person.erased_at.is_(None))
        number = session.scalars(
            select(Case.case_number).where(Case.person_id.in_(living)).order_by(Case.case_number)
        ).first()
    erased = backup_source.cli(
        "cases", "erase-person", number, "--reason", "asked by letter", "--yes"
    )
    assert erased.exit_code == 0, erased.output  # a line with a MAC, written after the backup
    with backup_source.app.app_context(), database.session_scope() as session:
        victim = session.scalars(select(Person.id).where(Person.erased_at.is_(None))).first()
    stripped = []
    for line in backup_source.journal.read_text().splitlines():
        data = {k: v for k, v in json.loads(line).items() if k != "mac"}
        stripped.append(json.dumps({**data, "format": "homeward-erasure/1"}) + "\n")
    old = {"format": "homeward-erasure/1", "subject_id": str(victim), "data_key_id": None}
    forged = tmp_path / "journal.jsonl"
    forged.write_text("".join(stripped) + json.dumps(old) + "\n")
    target = empty_database("strippedjournal")
    settings = backup_source.app.config["HOMEWARD_SETTINGS"]
    backup_source.app.config["HOMEWARD_SETTINGS"] = replace(settings, ERASURE_JOURNAL=str(forged))
    try:
        result = backup_source.cli("backup", "restore", str(archive), "--into", target)
    finally:
        backup_source.app.config["HOMEWARD_SETTINGS"] = settings
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "no MAC" in result.output or "not those the backup saw" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert is_empty(target)
