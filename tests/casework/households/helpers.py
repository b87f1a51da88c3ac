"""A family registered through the real pages: the head, then the members one by one."""

from __future__ import annotations

import re

from tests.casework.helpers import FARIDA
from tests.factories import post_form

HEAD = {
    **FARIDA,
    "name_original": "احمد نظری",
    "name_latin": "Ahmad Nazari",
    "sex": "male",
    "date_of_birth": "1980-02-01",
    "document_number": "P-7000 111",
    "vulnerabilities": [],
}

#: The members' own details; the shared ones come prefilled from the head's case.
SPOUSE = {
    "name_original": "فریده نظری",
    "name_latin": "Farida Nazari",
    "sex": "female",
    "date_of_birth": "1984-03-15",
    "role": "spouse",
}
CHILD_1 = {
    "name_original": "مریم نظری",
    "name_latin": "Maryam Nazari",
    "sex": "female",
    "date_of_birth": "2014-06-01",
    "role": "child",
}
CHILD_2 = {
    "name_original": "علی نظری",
    "name_latin": "Ali Nazari",
    "sex": "male",
    "date_of_birth": "2018-09-09",
    "role": "child",
}


def prefilled(client, head_url: str) -> dict[str, object]:
    """The member form's shared fields as the page prefills them (what a browser submits)."""
    page = client.get(f"{head_url}/household/register").get_data(as_text=True)
    shared: dict[str, object] = {}
    for name in ("address_region", "address_locality", "place", "referring_source", "event_date"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        if match:
            shared[name] = match.group(1)
    for name in ("nationality", "address_country", "case_type"):
        match = re.search(
            rf'<select[^>]*name="{name}".*?<option selected value="([^"]*)"', page, re.S
        ) or re.search(rf'<select[^>]*name="{name}".*?<option value="([^"]*)" selected', page, re.S)
        if match:
            shared[name] = match.group(1)
    return shared


def register_head(client, data: dict | None = None, confirm_new: bool = False) -> str:
    payload = dict(data or HEAD)
    if confirm_new:
        payload["not_a_duplicate"] = "y"
    response = post_form(client, "/cases/family/new", payload)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert location.endswith("/household/register"), location
    return location.removesuffix("/household/register")


def register_member(client, head_url: str, member: dict, confirm_new: bool = False):
    data = {**prefilled(client, head_url), **member}
    if confirm_new:
        data["not_a_duplicate"] = "y"
    return post_form(client, f"{head_url}/household/register", data)


def register_family(client, again: bool = False) -> str:
    """The head, spouse and two children (``again``: past the duplicate warnings); the head's
    case URL."""
    head = register_head(client, confirm_new=again)
    for member in (SPOUSE, CHILD_1, CHILD_2):
        response = register_member(client, head, member, confirm_new=again)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return head
