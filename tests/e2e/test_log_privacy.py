"""A caseworker's journey in real Chromium leaves logs that name nobody: every log record
written meanwhile (the request lines and anything else, formatted as JSON) is scanned for
every demo person's names, date of birth and document numbers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from casework.models import Person
from core.logs import JsonFormatter
from tests.e2e.conftest import CASE_PAGE, sign_in

pytestmark = pytest.mark.e2e

NEW_NAME = "Гулшан Давлатова"
NEW_BIRTH = "1987-09-23"
NEW_DOCUMENT = "X9182736"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs() -> Iterator[_Collect]:
    handler = _Collect()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _personal_values(live_server) -> set[str]:
    """Every demo person's names, date of birth (as written in forms and pages) and documents
    (people an earlier browser test erased have none left to leak)."""
    values = {NEW_NAME, NEW_BIRTH, NEW_DOCUMENT}
    database = live_server.app.extensions["homeward_db"]
    with live_server.app.app_context(), database.session_scope() as db:
        for person in db.scalars(select(Person).where(Person.erased_at.is_(None))):
            born = person.date_of_birth
            values.update(name for name in (person.name_original, person.name_latin) if name)
            if born is not None:
                values.update({born.isoformat(), born.strftime("%d/%m/%Y")})
            values.update(doc.number for doc in person.documents if doc.number)
    return values


def _search(page, term: str, kind: str = "name") -> None:
    page.goto("/cases/")
    page.get_by_label("Search by").select_option(kind)
    page.get_by_label("Search for").fill(term)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/cases/search**")


def test_a_journey_leaves_no_personal_data_in_the_logs(page, live_server, captured_logs):
    values = _personal_values(live_server)
    assert "Farida Nazari" in values and "P1234567" in values and "1994-03-15" in values
    sign_in(page, live_server.account("caseworker"))
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")

    page.get_by_role("link", name="Register a person").click()
    page.get_by_label("Full name as the person writes it").fill(NEW_NAME)
    page.get_by_label("Date of birth", exact=True).fill(NEW_BIRTH)
    page.get_by_label("Case type").select_option("returnee")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(CASE_PAGE)
    expect(page.get_by_role("heading", name=NEW_NAME)).to_be_visible()

    for term in ("Рустам", NEW_NAME):
        _search(page, term)
    _search(page, "1994-03-15", "date_of_birth")
    _search(page, "P1234567", "document")
    page.locator("table a").first.click()  # the case number links to the case
    page.wait_for_url("**/cases/*-*")
    page.get_by_label("New note").fill(f"Met {NEW_NAME}, born {NEW_BIRTH}, passport {NEW_DOCUMENT}")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state()

    text = "\n".join(captured_logs.lines)
    routes = {"casework.register", "casework.search", "casework.case", "casework.add_note"}
    assert all(f'"route": "{route}"' in text for route in routes), "the journey was not logged"
    leaked = sorted(value for value in values if value in text)
    assert leaked == []
