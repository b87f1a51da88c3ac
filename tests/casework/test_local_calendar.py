"""A Dari-speaking caseworker registers in Solar Hijri and Persian digits; Gregorian is stored."""

from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy import select

from casework.models import Case, Person
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import sign_in


def _decrypting(app, db_session) -> None:
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _in_dari(db_session, caseworker) -> None:
    caseworker.user.preferred_language = "fa_AF"
    db_session.commit()


def test_solar_hijri_dates_in_persian_digits_are_stored_gregorian(
    app, db_session, client, caseworker
):
    _in_dari(db_session, caseworker)
    sign_in(client, caseworker, db_session)
    form = client.get("/cases/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="date_of_birth"[^>]*type="text"', form)
    assert re.search(r'<input[^>]*id="date_of_birth"[^>]*placeholder="', form)
    data = {**FARIDA, "date_of_birth": "۱۳۷۳/۱۲/۲۴", "event_date": "1405/07/09",
            "document_expiry": "2030-01-31", "document_number": "P-۱۲۳۴ ۵۶۷"}  # fmt: skip
    url = case_url(register(client, data))
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    _decrypting(app, db_session)
    person = db_session.get(Person, case.person_id)
    assert person.date_of_birth == date(1995, 3, 15)
    assert case.event_date == date(2026, 10, 1)
    assert person.documents[0].number == "P-1234 567"  # identifiers keep Latin digits
    page = client.get(url).get_data(as_text=True)
    assert "۲۴ حوت ۱۳۷۳" in page and 'title="1995-03-15"' in page
    assert "افغانستان" in page and ">AF<" not in page
    assert "P-1234 567" in page and case.case_number in page


def test_a_solar_hijri_year_of_birth(app, db_session, client, caseworker):
    _in_dari(db_session, caseworker)
    sign_in(client, caseworker, db_session)
    data = {**FARIDA, "date_of_birth": "", "estimated_birth_year": "۱۳۷۰"}
    url = case_url(register(client, data))
    _decrypting(app, db_session)
    case_id = uuid.UUID(url.rsplit("/", 1)[1])
    person = db_session.scalar(select(Person).join(Case).where(Case.id == case_id))
    assert person.estimated_birth_year == 1991
    assert "۱۳۷۰" in client.get(url).get_data(as_text=True)


def test_an_impossible_solar_hijri_date_gets_a_message(app, db_session, client, caseworker):
    _in_dari(db_session, caseworker)
    sign_in(client, caseworker, db_session)
    response = register(client, {**FARIDA, "date_of_birth": "۱۳۷۳/۱۳/۰۱"})
    assert response.status_code == 200
    assert 'id="date_of_birth-error"' in response.get_data(as_text=True)


def test_english_readers_keep_the_browsers_date_box(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    form = client.get("/cases/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="date_of_birth"[^>]*type="date"', form)
    page = client.get(case_url(register(client, FARIDA))).get_data(as_text=True)
    assert "Mar 15, 1994" in page and "Afghanistan" in page
