"""The erasure journal: written when an erasure commits (ids only, fsync'd, mode 0600), never
for one rolled back, and replayed idempotently on a restored database."""

from __future__ import annotations

import json
import stat
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core import erasure_journal
from core.crypto import DataKey, erase_subject
from core.erasure_journal import JournalEntry, JournalError
from tests.core.crypto_models import Person


def _use_journal(app, monkeypatch, path) -> None:
    settings = replace(app.config["HOMEWARD_SETTINGS"], ERASURE_JOURNAL=str(path))
    monkeypatch.setitem(app.config, "HOMEWARD_SETTINGS", settings)


@pytest.fixture
def journal(app, tmp_path, monkeypatch):
    path = tmp_path / "checkpoints" / "erasure-journal.jsonl"
    _use_journal(app, monkeypatch, path)
    return path


@pytest.fixture
def person(crypto_session):
    made = Person(given_name="Farida", family_name="Rahimova", sex="female")
    crypto_session.add(made)
    crypto_session.flush()
    return made


def _key_of(session, subject_id) -> DataKey:
    return session.scalars(select(DataKey).where(DataKey.subject_id == subject_id)).one()


def test_entries_round_trip_in_a_private_file(tmp_path):
    path = tmp_path / "journal.jsonl"
    entries = [JournalEntry(uuid.uuid4(), uuid.uuid4()), JournalEntry(uuid.uuid4(), None)]
    erasure_journal.append(path, entries[:1])
    erasure_journal.append(path, entries[1:])
    assert erasure_journal.read(path) == entries
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert erasure_journal.read(tmp_path / "missing.jsonl") == []


def test_a_torn_line_is_skipped_and_a_bad_line_refused(tmp_path):
    path = tmp_path / "journal.jsonl"
    first, second = JournalEntry(uuid.uuid4(), uuid.uuid4()), JournalEntry(uuid.uuid4(), None)
    path.write_text(first.to_line() + '{"format": "homeward-erasure/1", "subj')
    assert erasure_journal.read(path) == [first]
    erasure_journal.append(path, [second])  # after a torn append: on a line of its own
    assert erasure_journal.read(path) == [first, second]
    path.write_text("not json\n" + first.to_line())
    with pytest.raises(JournalError, match="line 1"):
        erasure_journal.read(path)


def test_an_erasure_is_journaled_when_it_commits_with_ids_only(
    app, crypto_session, journal, person
):
    key_id = _key_of(crypto_session, person.id).id
    with app.app_context():
        erase_subject(crypto_session, person.id)
        crypto_session.flush()
        assert not journal.exists()
        crypto_session.commit()
    assert erasure_journal.read(journal) == [JournalEntry(person.id, key_id)]
    line = json.loads(journal.read_text())
    assert set(line) == {"format", "subject_id", "data_key_id"}


def test_a_rolled_back_erasure_is_not_journaled(app, crypto_session, journal, person):
    with app.app_context():
        erase_subject(crypto_session, person.id)
        crypto_session.rollback()
        crypto_session.commit()
    assert not journal.exists()


def test_an_erasure_whose_line_cannot_be_written_does_not_commit(
    app, crypto_session, journal, person, monkeypatch, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    _use_journal(app, monkeypatch, blocker / "journal.jsonl")
    crypto_session.commit()  # the person and their key exist
    with app.app_context():
        erase_subject(crypto_session, person.id)
        with pytest.raises(OSError):
            crypto_session.commit()
        crypto_session.rollback()
    assert _key_of(crypto_session, person.id).destroyed_at is None


def test_replay_destroys_keys_still_held_once_and_records_it(app, crypto_session, person):
    key_id = _key_of(crypto_session, person.id).id
    entries = [JournalEntry(uuid.uuid4(), None), JournalEntry(person.id, key_id)]
    with app.app_context():
        assert erasure_journal.replay(crypto_session, entries) == [person.id]
        assert erasure_journal.replay(crypto_session, entries) == []
    assert _key_of(crypto_session, person.id).destroyed_at is not None
    events = crypto_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "erasure.replayed")
    ).all()
    assert [(e.object_id, json.loads(e.details)["data_key_id"]) for e in events] == [
        (str(person.id), str(key_id))
    ]


def test_a_short_write_fails_the_append_instead_of_leaving_a_torn_line(tmp_path):
    """``os.write`` may write part of a line and return (disk filling up, a file size limit):
    the append must then fail, so the erasure does not commit with a line that restore skips."""
    import subprocess
    import sys

    path = tmp_path / "journal.jsonl"
    erasure_journal.append(path, [JournalEntry(uuid.uuid4(), uuid.uuid4())])
    limit = path.stat().st_size + 40  # room for part of the next line only
    script = (
        "import resource, signal, sys, uuid\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from core import erasure_journal\n"
        "entry = erasure_journal.JournalEntry(uuid.uuid4(), uuid.uuid4())\n"
        "try:\n"
        "    erasure_journal.append(sys.argv[1], [entry])\n"
        "except OSError:\n"
        "    sys.exit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 3, done.stderr
    assert path.stat().st_size == limit - 40  # the part written was taken back


def test_an_erasure_rolled_back_to_a_savepoint_is_not_journaled(
    app, crypto_session, journal, person
):
    """The outer transaction commits, the erasure inside its savepoint did not: a line for it
    would have a restore erase someone who never was."""
    crypto_session.commit()
    with app.app_context():
        savepoint = crypto_session.begin_nested()
        erase_subject(crypto_session, person.id)
        crypto_session.flush()
        savepoint.rollback()
        crypto_session.commit()
    assert _key_of(crypto_session, person.id).destroyed_at is None
    assert erasure_journal.read(journal) == []
    with app.app_context():  # a savepoint released, then committed: journaled
        with crypto_session.begin_nested():
            erase_subject(crypto_session, person.id)
        crypto_session.commit()
    assert [e.subject_id for e in erasure_journal.read(journal)] == [person.id]
