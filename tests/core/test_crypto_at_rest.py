"""No plaintext at rest: the SQLite file and a pg_dump hold none of the known values."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core import migrate
from core.crypto import Crypto, bind_crypto
from core.crypto.normalise import identifier_key, latin_key, name_tokens
from core.db import make_engine
from core.keys import new_keyring
from tests import databases
from tests.core.crypto_models import CryptoTestBase, Document, Person

NAMES = ["Фарида", "Rahimova", "فریده", "Гульнара", "Farīda", "Ṣādiq", "Mirzaev"]
DOCUMENTS = ["AB 1234567", "KZ-99-88-776"]
BIRTH = date(1987, 11, 23)
MARKER = "visible-marker-7731"  # stored in a plain column: proves the dump shows data


def _forms() -> set[str]:
    forms: set[str] = set()
    for name in NAMES:
        forms |= {name, name.casefold(), name.upper()}
        for token in name_tokens(name):
            latin = latin_key(token)
            forms |= {token, latin, latin.capitalize(), latin.upper()}
    for number in DOCUMENTS:
        forms |= {number, identifier_key(number), identifier_key(number).lower()}
    forms |= {BIRTH.isoformat(), BIRTH.strftime("%d.%m.%Y"), BIRTH.strftime("%Y%m%d")}
    return {f for f in forms if len(f) >= 4}


def _encodings(form: str) -> list[bytes]:
    return [form.encode("utf-8"), form.encode("utf-16-le"), form.encode("utf-16-be")]


def _store_people(url: str) -> None:
    engine = make_engine(url)
    try:
        CryptoTestBase.metadata.create_all(engine)
        with Session(engine) as session:
            bind_crypto(session, Crypto(new_keyring(development=False)))
            for index in range(0, len(NAMES), 2):
                person = Person(
                    given_name=NAMES[index],
                    family_name=NAMES[(index + 1) % len(NAMES)],
                    aliases=NAMES,
                    sex=MARKER,
                    date_of_birth=BIRTH,
                    documents=DOCUMENTS,
                    contact={"note": f"{NAMES[0]} {DOCUMENTS[0]}"},
                )
                session.add(person)
                session.flush()
                session.add(Document(person_id=person.id, number=DOCUMENTS[1], kind=NAMES[1]))
            session.commit()
    finally:
        engine.dispose()


def _raw_bytes(backend: str, url: str) -> bytes:
    if backend == "sqlite":
        path = Path(make_url(url).database or "")
        files = [path, *path.parent.glob(path.name + "-*")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", libpq], check=True, capture_output=True).stdout


@pytest.fixture
def scratch_url(backend, tmp_path):
    url = databases.fresh_database(backend, tmp_path, "at_rest")
    migrate.upgrade(url)
    yield url
    if backend == "postgresql":
        databases.drop_postgres(url)


def test_no_known_value_appears_in_the_database_at_rest(backend, scratch_url):
    _store_people(scratch_url)
    raw = _raw_bytes(backend, scratch_url)
    assert MARKER.encode() in raw  # the dump does show stored data
    leaks = [form for form in sorted(_forms()) if any(e in raw for e in _encodings(form))]
    assert leaks == []
