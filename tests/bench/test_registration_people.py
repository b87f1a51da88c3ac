"""The people P6's registration benchmarks register (bench/registration_people.py): drawn as
the population is, each form accepted by the real registration form, a new draw each run."""

from __future__ import annotations

import html
import importlib
import urllib.parse

import pytest
from sqlalchemy import func, select

from casework.models import Case
from tests.casework.helpers import case_url, register
from tests.factories import sign_in


@pytest.fixture
def people():
    return importlib.import_module("bench.registration_people")


def test_the_draw_varies_as_the_population_does(people):
    forms = people.registration_forms(60, seed=18)
    scripts = {
        "arabic"
        if any("\u0600" <= c <= "\u06ff" for c in f["name_original"])
        else "cyrillic"
        if any("\u0400" <= c <= "\u04ff" for c in f["name_original"])
        else "latin"
        for f in forms
    }
    assert scripts == {"arabic", "cyrillic", "latin"}
    assert any(f["date_of_birth"] for f in forms)
    assert any(not f["date_of_birth"] and f["estimated_birth_year"] for f in forms)
    assert any(f["document_number"] for f in forms)
    assert any(not f["document_number"] for f in forms)
    assert len({f["date_of_birth"] for f in forms}) > 30
    assert all(f["not_a_duplicate"] == "y" for f in forms)
    assert people.registration_forms(60, seed=18) == forms
    # A run draws with a seed of its own: two runs do not register the same people.
    first, second = people.registration_forms(20), people.registration_forms(20)
    assert [f["name_original"] for f in first] != [f["name_original"] for f in second]


def test_every_drawn_form_registers_a_person(people, app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    forms = people.registration_forms(12, seed=18)
    assert any(not f["date_of_birth"] for f in forms) and any(f["document_number"] for f in forms)
    before = db_session.scalar(select(func.count()).select_from(Case))
    for data in forms:
        page = client.get(case_url(register(client, data))).get_data(as_text=True)
        assert html.escape(data["name_original"], quote=False) in page
        if data["document_number"]:
            assert data["document_number"] in page
        if data["date_of_birth"]:
            assert data["date_of_birth"] in page
    assert db_session.scalar(select(func.count()).select_from(Case)) == before + 12


def test_the_served_bodies_carry_the_token_and_quote_for_lua():
    served = importlib.import_module("bench.registrations_served")
    bodies = served.bodies("tok-en", 3)
    assert len(bodies) == 3
    for body in bodies:
        fields = urllib.parse.parse_qs(body)
        assert fields["csrf_token"] == ["tok-en"] and fields["name_original"]
    assert served.lua_string('a"b\\c') == '"a\\"b\\\\c"'
    entry = f"{{ {', '.join(served.lua_string(b) for b in bodies)} }}"
    assert entry.count('"') == 6
