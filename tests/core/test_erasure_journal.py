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
from core.crypto import DataKey, erase_subject, get_crypto
from core.erasure_journal import LEGACY_FORMAT, JournalEntry, JournalError, journal_key
from core.keys import new_keyring
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


KEY = journal_key(new_keyring(development=True))


def _app_key(app, session) -> bytes:
    with app.app_context():
        return journal_key(get_crypto(session).ring)


def _legacy(entry: JournalEntry) -> str:
    return json.dumps({**entry.fields(), "format": LEGACY_FORMAT}, sort_keys=True) + "\n"


def _key_of(session, subject_id) -> DataKey:
    return session.scalars(select(DataKey).where(DataKey.subject_id == subject_id)).one()


def test_entries_round_trip_in_a_private_file(tmp_path):
    path = tmp_path / "journal.jsonl"
    entries = [JournalEntry(uuid.uuid4(), uuid.uuid4()), JournalEntry(uuid.uuid4(), None)]
    erasure_journal.append(path, entries[:1], KEY)
    erasure_journal.append(path, entries[1:], KEY)
    assert erasure_journal.read(path, KEY) == entries
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert erasure_journal.read(tmp_path / "missing.jsonl", KEY) == []


def test_a_torn_line_is_skipped_and_a_bad_line_refused(tmp_path):
    path = tmp_path / "journal.jsonl"
    first, second = JournalEntry(uuid.uuid4(), uuid.uuid4()), JournalEntry(uuid.uuid4(), None)
    erasure_journal.append(path, [first], KEY)
    with path.open("a") as fh:
        fh.write('{"format": "homeward-erasure/2", "subj')
    assert erasure_journal.read(path, KEY) == [first]
    erasure_journal.append(path, [second], KEY)  # after a torn append: on a line of its own
    assert erasure_journal.read(path, KEY) == [first, second]
    path.write_text("not json\n" + path.read_text())
    with pytest.raises(JournalError, match="line 1"):
        erasure_journal.read(path, KEY)


def test_an_erasure_is_journaled_when_it_commits_with_ids_only(
    app, crypto_session, journal, person
):
    key_id = _key_of(crypto_session, person.id).id
    with app.app_context():
        erase_subject(crypto_session, person.id)
        crypto_session.flush()
        assert not journal.exists()
        crypto_session.commit()
    key = _app_key(app, crypto_session)
    assert erasure_journal.read(journal, key) == [JournalEntry(person.id, key_id)]
    line = json.loads(journal.read_text())
    assert set(line) == {"format", "subject_id", "data_key_id", "mac"}
    assert line["mac"] not in (key.hex(), get_crypto(crypto_session).ring.active_key.hex())


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
    erasure_journal.append(path, [JournalEntry(uuid.uuid4(), uuid.uuid4())], KEY)
    limit = path.stat().st_size + 40  # room for part of the next line only
    script = (
        "import resource, signal, sys, uuid\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from core import erasure_journal\n"
        "entry = erasure_journal.JournalEntry(uuid.uuid4(), uuid.uuid4())\n"
        "try:\n"
        "    erasure_journal.append(sys.argv[1], [entry], bytes(32))\n"
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
    key = _app_key(app, crypto_session)
    assert erasure_journal.read(journal, key) == []
    with app.app_context():  # a savepoint released, then committed: journaled
        with crypto_session.begin_nested():
            erase_subject(crypto_session, person.id)
        crypto_session.commit()
    assert [e.subject_id for e in erasure_journal.read(journal, key)] == [person.id]


def _three(path) -> list[str]:
    entries = [JournalEntry(uuid.uuid4(), uuid.uuid4()) for _ in range(3)]
    erasure_journal.append(path, entries[:2], KEY)
    erasure_journal.append(path, entries[2:], KEY)
    return path.read_text().splitlines(keepends=True)


def test_a_line_added_or_altered_is_refused_naming_it(tmp_path):
    """Someone who can write the journal cannot have a restore erase a person never erased."""
    path = tmp_path / "journal.jsonl"
    lines = _three(path)
    forged = JournalEntry(uuid.uuid4(), None)
    for bad in (
        [*lines, json.dumps(forged.fields()) + "\n"],  # no MAC
        [*lines, json.dumps({**forged.fields(), "mac": "00" * 32}) + "\n"],
        [*lines, *_lines_under(tmp_path, bytes(32), forged)],  # another key
        [
            lines[0],
            lines[1].replace(json.loads(lines[1])["subject_id"], str(uuid.uuid4())),
            lines[2],
        ],
    ):
        path.write_text("".join(bad))
        number = 2 if len(bad) == 3 else 4
        with pytest.raises(JournalError, match=f"line {number}"):
            erasure_journal.read(path, KEY)


def _lines_under(tmp_path, key: bytes, entry: JournalEntry) -> list[str]:
    other = tmp_path / "other.jsonl"
    erasure_journal.append(other, [entry], key)
    return other.read_text().splitlines(keepends=True)


def test_a_line_removed_or_moved_in_the_middle_is_refused(tmp_path):
    path = tmp_path / "journal.jsonl"
    first, second, third = _three(path)
    for bad, number in (([first, third], 2), ([second, first, third], 1), ([second, third], 1)):
        path.write_text("".join(bad))
        with pytest.raises(JournalError, match=f"line {number}'s MAC does not verify"):
            erasure_journal.read(path, KEY)


def test_lines_without_mac_are_read_only_before_the_first_authenticated_one(tmp_path):
    """A journal written before MACs stays readable; appending seals its lines into the chain."""
    path = tmp_path / "journal.jsonl"
    old = [JournalEntry(uuid.uuid4(), uuid.uuid4()), JournalEntry(uuid.uuid4(), None)]
    path.write_text("".join(_legacy(e) for e in old))
    assert erasure_journal.read(path, KEY) == old
    new = JournalEntry(uuid.uuid4(), uuid.uuid4())
    erasure_journal.append(path, [new], KEY)
    assert erasure_journal.read(path, KEY) == [*old, new]
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines, _legacy(JournalEntry(uuid.uuid4(), None))]))
    with pytest.raises(JournalError, match="line 4 has no MAC"):
        erasure_journal.read(path, KEY)
    path.write_text("".join([_legacy(JournalEntry(uuid.uuid4(), None)), *lines]))
    with pytest.raises(JournalError, match="line 4's MAC"):  # an old line added: chain breaks
        erasure_journal.read(path, KEY)


def test_an_append_after_a_mangled_last_line_names_it(tmp_path):
    """The chain cannot go on from a line whose MAC is not one: the append (and so the
    erasure) is refused with the line named, for an operator to look at."""
    path = tmp_path / "journal.jsonl"
    lines = _three(path)
    last = json.loads(lines[2])
    path.write_text("".join([*lines[:2], json.dumps({**last, "mac": "not hex"}) + "\n"]))
    with pytest.raises(JournalError, match=f"{path}: line 3"):
        erasure_journal.append(path, [JournalEntry(uuid.uuid4(), None)], KEY)
    assert len(path.read_text().splitlines()) == 3


def test_a_journal_stripped_of_every_mac_is_refused_against_a_backups_anchor(tmp_path):
    """Whoever can write the journal turns every line into the old MAC-less format and adds a
    person never erased: alone the file cannot tell that from a journal written before MACs,
    but a backup records how many entries it held and the chain value after them, and every
    line written after that backup must carry a MAC."""
    path = tmp_path / "journal.jsonl"
    genuine = [JournalEntry(uuid.uuid4(), uuid.uuid4()) for _ in range(3)]
    erasure_journal.append(path, genuine[:2], KEY)
    seen, chain = erasure_journal.anchor(path, KEY)  # a backup is taken here
    erasure_journal.append(path, genuine[2:], KEY)
    assert erasure_journal.read_since(path, KEY, seen, chain) == genuine
    forged = JournalEntry(uuid.uuid4(), None)
    path.write_text("".join(_legacy(e) for e in [*genuine, forged]))
    assert erasure_journal.read(path, KEY) == [*genuine, forged]  # indistinguishable alone
    with pytest.raises(JournalError, match="first 2 entries are not those the backup saw"):
        erasure_journal.read_since(path, KEY, seen, chain)
    # A backup taken while the journal held only lines written before MACs: a MAC-less line
    # added after it passes read() but not the anchor.
    path.write_text("".join(_legacy(e) for e in genuine[:2]))
    seen, chain = erasure_journal.anchor(path, KEY)
    path.write_text(path.read_text() + _legacy(forged))
    assert erasure_journal.read(path, KEY) == [*genuine[:2], forged]
    with pytest.raises(JournalError, match="entry 3 has no MAC but was written after"):
        erasure_journal.read_since(path, KEY, seen, chain)
