"""Registering people through the real form."""

from __future__ import annotations

import re

from tests.factories import post_form

FARIDA = {
    "name_original": "فریده نظری",
    "name_latin": "Farida Nazari",
    "aliases": "Farīda Nazarī, Фарида Назари",
    "date_of_birth": "1994-03-15",
    "sex": "female",
    "nationality": "AF",
    "languages": "Dari, Russian",
    "phone": "+93 700 123 456",
    "address_country": "AF",
    "address_region": "Herat",
    "address_locality": "Ghoryan",
    "document_type": "passport",
    "document_number": "P-1234 567",
    "document_country": "AF",
    "document_expiry": "2030-01-31",
    "case_type": "presumed_victim",
    "event_date": "2026-10-01",
    "place": "Islam Qala border point",
    "referring_source": "Border police",
    "vulnerabilities": ["trafficking_victim", "single_parent"],
    "risk_level": "high",
}


def register(client, data: dict, confirm_new: bool = False):
    payload = dict(data)
    if confirm_new:
        payload["not_a_duplicate"] = "y"
    return post_form(client, "/cases/new", payload)


def case_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert re.fullmatch(r"/cases/[0-9a-f-]{36}", location), location
    return location


def search(client, kind: str, term: str):
    return post_form(client, "/cases/search", {"kind": kind, "term": term}, token_from="/cases/")
