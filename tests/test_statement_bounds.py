"""The pages a case team opens most run a fixed number of SQL statements, whatever the
number of rows: 5 cases and 40 cases (a page's worth; more than a page of each group of the task
list and Today) cost the same, and no more than a bound.

Each row of a list used to load its person, that person's data key and more one by one (an
N+1); these tests keep it from coming back. Counted with :mod:`tests.statements` on the app's
engine, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
import statistics
import time
import uuid
from datetime import timedelta

from casework import queries
from casework.models import Case
from casework.screening import services as screening
from core.clock import utcnow
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import registered_case
from tests.casework.safety.helpers import raise_flag
from tests.factories import post_form, settings_of, sign_in
from tests.statements import page_statements

#: The most statements each page may run with its navigation counts kept (core.navcounts),
#: two above what they ran when last measured, with a safety flag on every case (SQLite /
#: PostgreSQL, 5 or 40 cases alike): case list 11/12, task list 13/14, Today 16/17, case page
#: 40/41, search results 11/12, account 6/6. Before, the case list and the search results ran
#: 2 more per row (the person, then their data key: 105 with 40 cases), every page a dozen
#: more for the navigation counts, and the task list and Today 4 more for lists a caseworker
#: may not see (supervisors' decisions) and Today 2 more for the marks (one query a group).
BOUNDS = {
    "case list": 14,
    "task list": 16,
    "Today": 19,
    "case page": 43,
    "search results": 14,
    "account": 8,
}


def _add_cases(app, db_session, client, account, how_many: int) -> list[str]:
    """Register ``how_many`` people (all named Farida Nazari) with a reflection period ending
    within days and a safety flag (a mark in the lists), so each case is a row of the case
    list, the task list, Today and a search."""
    urls = []
    for _ in range(how_many):
        url = registered_case(client, again=True)
        assert raise_flag(client, url, kind="needs_interpreter").status_code == 302
        db_session.expire_all()
        case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
        assert case is not None
        actor = Actor(account.user.id, Role.CASEWORKER, case.organisation_id)
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            start = utcnow().date() - timedelta(days=27)
            screening.start_reflection_period(db_session, actor, case, start)
        db_session.flush()
        urls.append(url)
    return urls


def _search_page(client) -> str:
    response = post_form(
        client, "/cases/search", {"kind": "name", "term": "Farida Nazari"}, token_from="/cases/"
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return str(response.headers["Location"])


def _pages(client, case_url: str) -> dict[str, str]:
    return {
        "case list": "/cases/",
        "task list": "/tasks/",
        "Today": "/today/",
        "case page": case_url,
        "search results": _search_page(client),
        "account": "/account",
    }


def _measure(app, client, pages: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, path in pages.items():
        client.get(path)  # the first view of a page may warm a cache (settings, lists)
        counts[name] = page_statements(app, client, path).count
    return counts


def _timings(client, pages: dict[str, str], runs: int = 20) -> dict[str, tuple[float, float]]:
    """Median in-process milliseconds of ``runs`` GETs of each page (test client, no network):
    wall-clock time and this process's CPU time (steadier on a shared machine)."""
    found = {}
    for name, path in pages.items():
        wall, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            assert client.get(path).status_code == 200
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        found[name] = (statistics.median(wall), statistics.median(cpu))
    return found


def test_page_statements_do_not_grow_with_rows(
    app, db_session, client, caseworker, backend, monkeypatch
):
    # All 40 people share one name: the search lists them all (past its limit of 25 it asks
    # for more, which a page of results is not), so its statements are counted with 40 rows.
    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 50)
    sign_in(client, caseworker, db_session)
    first = _add_cases(app, db_session, client, caseworker, 5)
    five = _measure(app, client, _pages(client, first[0]))
    body = client.get("/cases/").get_data(as_text=True)
    assert len(re.findall(r'href="/cases/[0-9a-f-]{36}"><bdi>', body)) == 5

    _add_cases(app, db_session, client, caseworker, 35)
    pages = _pages(client, first[0])
    forty = _measure(app, client, pages)
    body = client.get("/cases/").get_data(as_text=True)
    assert len(re.findall(r'href="/cases/[0-9a-f-]{36}"><bdi>', body)) == 40
    assert body.count("Farida Nazari") == 40
    assert body.count("Needs an interpreter") == 40
    # The task list and Today show a page of each group (25 of the 40 due soon), not every row.
    size = settings_of(app).casework.task_page_size
    assert size < 40
    tasks = client.get("/tasks/").get_data(as_text=True)
    assert tasks.count("Farida Nazari") == size
    assert '<h2 id="tasks-soon">Due in the next 14 days <span class="badge">40<' in tasks
    today = client.get("/today/").get_data(as_text=True)
    assert today.count("Farida Nazari") == size
    assert '<h2 id="today-week">Due this week <span class="badge">40<' in today
    assert "40 cases found." in client.get(pages["search results"]).get_data(as_text=True)

    if os.environ.get("HOMEWARD_PAGE_TIMINGS"):  # run with -s to see the table
        ms = _timings(client, pages)
        for name in pages:
            wall, cpu = ms[name]
            counts = f"5: {five[name]:4} 40: {forty[name]:4}"
            print(f"\n{backend} {name:15} {counts} {wall:6.1f} {cpu:6.1f} ms")
    for name, bound in BOUNDS.items():
        assert forty[name] == five[name], (name, five[name], forty[name])
        assert forty[name] <= bound, (name, forty[name], bound)


def test_each_page_reads_each_person_key_at_most_once(app, db_session, client, caseworker):
    """The data keys of a list's people come in one query, not one per row."""
    sign_in(client, caseworker, db_session)
    urls = _add_cases(app, db_session, client, caseworker, 6)
    pages = _pages(client, urls[0])
    for name, path in pages.items():
        client.get(path)
        found = page_statements(app, client, path)
        key_reads = [s for s in found.seen if re.search(r"\bFROM data_key\b", s)]
        assert len(key_reads) <= 1, (name, found)


def test_the_case_list_reads_only_the_names_of_its_people(app, db_session, client, caseworker):
    """The list shows names: the people's other encrypted values stay in the database (they
    were loaded for every row and never used), and none is loaded later row by row."""
    sign_in(client, caseworker, db_session)
    _add_cases(app, db_session, client, caseworker, 3)
    client.get("/cases/")
    found = page_statements(app, client, "/cases/")
    people = [s for s in found.seen if re.search(r"\bFROM person\b", s)]
    assert len(people) == 1, found
    columns = people[0].split("FROM person")[0]
    assert "person.name_original" in columns and "person.name_latin" in columns
    for unused in ("phone", "address", "date_of_birth", "sex", "nationality", "aliases"):
        assert f"person.{unused}" not in columns, (unused, people[0])
    assert client.get("/cases/").get_data(as_text=True).count("Farida Nazari") == 3
