"""Today and the task list a page at a time: a group longer than a page shows exactly a page,
most urgent first, counts the whole group in its heading and links to the next rows; only the
cases of the rows shown are read, named and audited; bad page numbers never fail the page."""

from __future__ import annotations

import html as markup
import json
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework import task_routes
from casework.models import Case
from casework.screening import services as screening
from casework.signals import tasks_collecting
from casework.tasks import Task
from casework.today import queries
from core.clock import utcnow
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA, case_url, register, today_section
from tests.factories import override_settings, sign_in

#: The smallest page the settings allow, so that a handful of cases fills more than one.
SIZE = 5

#: Each page: its path, the heading id of its overdue group, its audit action, the module whose
#: ``case_facts`` reads the cases shown.
PAGES = [
    pytest.param("/today/", "today-overdue", "today.viewed", queries, id="today"),
    pytest.param("/tasks/", "tasks-overdue", "tasks.viewed", task_routes, id="tasks"),
]


def _overdue_cases(app, db_session, client, account, how_many: int) -> list[tuple[Case, str]]:
    """``how_many`` people, each named apart, with a reflection period that ended five days
    ago (an overdue task each, all due the same day): (case, Latin name), in the lists' order."""
    found = []
    for n in range(how_many):
        name = f"Paged Person {n:02d}"
        person = {**FARIDA, "name_latin": name, "name_original": f"نام {n:02d}"}
        url = case_url(register(client, person, confirm_new=True))
        db_session.expire_all()
        case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
        assert case is not None
        actor = Actor(account.user.id, Role.CASEWORKER, case.organisation_id)
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            start = utcnow().date() - timedelta(days=35)
            screening.start_reflection_period(db_session, actor, case, start)
        db_session.flush()
        found.append((case, name))
    return sorted(found, key=lambda pair: pair[0].case_number)  # same day: by reference


def _last_view(db_session, action: str) -> dict:
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
    ).first()
    assert event is not None
    return json.loads(event.details)


def _link(section: str, label: str) -> str | None:
    """The path of the pager link called ``label`` in a group's HTML (None when absent)."""
    found = re.search(rf'<a class="button" href="([^"]+)">{label}</a>', section)
    return markup.unescape(found.group(1)).split("#", 1)[0] if found else None


@pytest.mark.parametrize(("path", "heading", "action", "module"), PAGES)
def test_a_group_longer_than_a_page_shows_a_page_and_links_to_the_rest(
    app, db_session, client, caseworker, monkeypatch, path, heading, action, module
):
    sign_in(client, caseworker, db_session)
    cases = _overdue_cases(app, db_session, client, caseworker, SIZE + 2)
    asked: list[set[uuid.UUID]] = []
    read = module.case_facts

    def spy(db, actor, case_ids):
        wanted = [case_id for case_id in case_ids if case_id is not None]
        asked.append(set(wanted))
        return read(db, actor, wanted)

    monkeypatch.setattr(module, "case_facts", spy)

    with override_settings(app, TASK_PAGE_SIZE=SIZE):
        first = client.get(path).get_data(as_text=True)
        group = today_section(first, heading)
        # The heading counts the whole group; the page shows its first rows, most urgent first.
        assert re.search(rf'id="{heading}">Overdue <span class="badge badge--danger">7<', group)
        shown = [(case, name) for case, name in cases if case.case_number in group]
        assert shown == cases[:SIZE]
        assert [name for _case, name in cases if name in first] == [n for _c, n in cases[:SIZE]]
        assert asked == [{case.id for case, _name in cases[:SIZE]}]
        assert _last_view(db_session, action) == {
            "count": SIZE,
            "case_ids": sorted(str(case.id) for case, _name in cases[:SIZE]),
        }
        assert _link(group, "Previous page") is None
        following = _link(group, "Next page")
        assert following == f"{path}?overdue=2"
        # The navigation still counts every task, not a page.
        nav = first.split("<main", 1)[0]
        assert re.search(rf'href="{path}"[^>]*>[^<]+<span class="badge">7<', nav)

        second = client.get(following).get_data(as_text=True)
        group = today_section(second, heading)
        assert re.search(rf'id="{heading}">Overdue <span class="badge badge--danger">7<', group)
        assert [case for case, _name in cases if case.case_number in group] == [
            case for case, _name in cases[SIZE:]
        ]
        assert [name for _case, name in cases if name in second] == [n for _c, n in cases[SIZE:]]
        assert asked[-1] == {case.id for case, _name in cases[SIZE:]}
        assert _last_view(db_session, action) == {
            "count": 2,
            "case_ids": sorted(str(case.id) for case, _name in cases[SIZE:]),
        }
        assert _link(group, "Next page") is None
        assert _link(group, "Previous page") == f"{path}?overdue=1"
        assert "6–7" in group


@pytest.mark.parametrize(("path", "heading", "action", "module"), PAGES)
def test_bad_page_numbers_show_the_first_page_and_past_the_end_the_last(
    app, db_session, client, caseworker, path, heading, action, module
):
    sign_in(client, caseworker, db_session)
    cases = _overdue_cases(app, db_session, client, caseworker, SIZE + 1)
    first_page = [case.case_number for case, _name in cases[:SIZE]]
    with override_settings(app, TASK_PAGE_SIZE=SIZE):
        assert client.get(f"{path}?overdue=%00").status_code == 400  # as everywhere (core.errors)
        for raw in ("abc", "0", "-1", "1.5", "%EF%BC%92", "9" * 7, "", "1e3", "2%0A", "+2", " 2"):
            response = client.get(f"{path}?overdue={raw}&waiting=x&later=-3")
            assert response.status_code == 200, raw
            group = today_section(response.get_data(as_text=True), heading)
            assert [n for n in first_page if n in group] == first_page, raw
            assert cases[SIZE][0].case_number not in group, raw
        last = today_section(client.get(f"{path}?overdue=99").get_data(as_text=True), heading)
        assert cases[SIZE][0].case_number in last
        assert not [n for n in first_page if n in last]


def test_each_group_pages_on_its_own_and_keeps_the_others_pages(
    app, db_session, client, caseworker
):
    """Six tasks overdue, six waiting, six later: each group pages by its own number, and its
    links keep the other groups' pages (numbers only in the address)."""
    today = utcnow().date()

    def six(actor, session, **_extra):
        if actor.user_id != caseworker.user.id:
            return []
        return [
            Task("test", "Test", f"{prefix}-{n:02d}", "casework.index", due=due)
            for prefix, due in (
                ("O", today - timedelta(days=2)),
                ("W", None),
                ("L", today + timedelta(days=60)),
            )
            for n in range(SIZE + 1)
        ]

    sign_in(client, caseworker, db_session)
    tasks_collecting.connect(six)
    try:
        with override_settings(app, TASK_PAGE_SIZE=SIZE):
            html = client.get("/tasks/?overdue=2&later=2").get_data(as_text=True)
    finally:
        tasks_collecting.disconnect(six)
    overdue, waiting = today_section(html, "tasks-overdue"), today_section(html, "tasks-waiting")
    later = today_section(html, "tasks-later")
    assert re.findall(r"O-\d\d", overdue) == ["O-05"]
    assert re.findall(r"W-\d\d", waiting) == [f"W-{n:02d}" for n in range(SIZE)]
    assert re.findall(r"L-\d\d", later) == ["L-05"]
    assert 'id="tasks-later">Later <span class="badge">6<' in later
    assert _link(overdue, "Previous page") == "/tasks/?overdue=1&later=2"
    assert _link(waiting, "Next page") == "/tasks/?overdue=2&later=2&waiting=2"
    assert _link(later, "Previous page") == "/tasks/?overdue=2&later=1"


def test_the_page_size_is_a_bounded_setting():
    from core.config import ConfigError, Settings

    assert (
        Settings.from_env(environ={"HOMEWARD_TASK_PAGE_SIZE": "50"}).casework.task_page_size == 50
    )
    Settings(TASK_PAGE_SIZE=5).validate()
    for wrong in (0, 4, 501):
        with pytest.raises(ConfigError):
            Settings(TASK_PAGE_SIZE=wrong).validate()
