"""The navigation's badge counts are kept per user for a short time (core.navcounts): a page
other than the counted list reuses them, the counted list always counts afresh, and a change
the user makes (any request that is not a read) drops them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from casework.models import Case
from casework.screening import services as screening
from core.clock import utcnow
from core.navcounts import NavCountCache, nav_count_cache
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import registered_case
from tests.factories import post_form, sign_in
from tests.statements import page_statements

TASKS_BADGE = re.compile(r'href="/tasks/"[^>]*>My tasks <span class="badge">(\d+)<')


def _tasks_badge(html: str) -> int:
    found = TASKS_BADGE.search(html)
    return int(found.group(1)) if found else 0


def _reflection_ending_soon(app, db_session, account, url: str) -> None:
    """A task made behind the app's back (as a colleague's change or a passing day would)."""
    db_session.expire_all()
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    assert case is not None
    actor = Actor(account.user.id, Role.CASEWORKER, case.organisation_id)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        start = utcnow().date() - timedelta(days=27)
        screening.start_reflection_period(db_session, actor, case, start)
    db_session.flush()


def test_the_cache_keeps_counts_until_they_expire():
    now = [100.0]
    cache = NavCountCache(30, clock=lambda: now[0])
    user = uuid.uuid4()
    assert cache.get(user) == {}
    cache.put(user, {"tasks.index": 2})
    now[0] += 20
    cache.put(user, {"today.index": 3})  # joins the entry; does not make it live longer
    assert cache.get(user) == {"tasks.index": 2, "today.index": 3}
    assert cache.get(uuid.uuid4()) == {}
    now[0] += 10
    assert cache.get(user) == {}
    cache.put(user, {"tasks.index": 1})
    cache.forget(user)
    assert cache.get(user) == {}
    off = NavCountCache(0)
    off.put(user, {"tasks.index": 1})
    assert off.get(user) == {}


def test_badges_are_reused_refreshed_on_their_own_page_and_dropped_on_a_change(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    assert _tasks_badge(client.get("/cases/").get_data(as_text=True)) == 0
    _reflection_ending_soon(app, db_session, caseworker, url)
    # Another page within the cache's time shows the kept count (documented: a few seconds).
    assert _tasks_badge(client.get("/account").get_data(as_text=True)) == 0
    # The task list counts its own badge from the rows it shows, and keeps that number.
    assert _tasks_badge(client.get("/tasks/").get_data(as_text=True)) == 1
    assert _tasks_badge(client.get("/account").get_data(as_text=True)) == 1

    second = registered_case(client, again=True)
    assert _tasks_badge(client.get("/account").get_data(as_text=True)) == 1
    _reflection_ending_soon(app, db_session, caseworker, second)
    assert _tasks_badge(client.get("/account").get_data(as_text=True)) == 1
    # Any change the user makes (here a note) drops their counts: the next page counts afresh.
    response = post_form(client, f"{url}/notes", {"body": "Called back."}, token_from=url)
    assert response.status_code == 302
    assert _tasks_badge(client.get("/account").get_data(as_text=True)) == 2


def test_a_page_reusing_the_badges_does_not_count_them_again(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    registered_case(client)
    client.get("/account")
    warm = page_statements(app, client, "/account").count
    nav_count_cache(app).forget(caseworker.user.id)
    cold = page_statements(app, client, "/account").count
    assert cold > warm + 5  # the task sources and the referral counts: a dozen queries


def test_with_the_cache_off_every_page_counts_afresh(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    cache = nav_count_cache(app)
    seconds, cache.seconds = cache.seconds, 0
    try:
        client.get("/account")
        _reflection_ending_soon(app, db_session, caseworker, url)
        assert _tasks_badge(client.get("/account").get_data(as_text=True)) == 1
    finally:
        cache.seconds = seconds


def test_counts_kept_for_another_role_or_organisation_are_never_shown():
    """An administrator moves a user to another organisation (or role): the counts kept for
    the old one (another organisation's tasks and referrals) are not shown for 30 s more."""
    now = [0.0]
    cache = NavCountCache(30, clock=lambda: now[0])
    user, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    cache.put(user, {"tasks.index": 7}, ("caseworker", first))
    assert cache.get(user, ("caseworker", first)) == {"tasks.index": 7}
    assert cache.get(user, ("caseworker", second)) == {}
    assert cache.get(user, ("supervisor", first)) == {}
    cache.put(user, {"tasks.index": 2}, ("caseworker", second))
    assert cache.get(user, ("caseworker", second)) == {"tasks.index": 2}
    assert cache.get(user, ("caseworker", first)) == {}
    assert cache.get(uuid.uuid4(), ("caseworker", second)) == {}  # another user: nothing
