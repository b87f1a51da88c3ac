"""The Today page: where each role lands, grouping, names only for cases the user may open
(audited), next-action links, navigation count, and a statement count that does not grow."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case
from casework.screening import services as screening
from casework.signals import today_items_collecting
from casework.tasks import Task
from core.clock import utcnow
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import registered_case, today_section
from tests.casework.planning_helpers import planned_case
from tests.factories import count_statements, make_account, make_organisation, post_form, sign_in
from tests.referrals.helpers import provider_post, send


def _case(db_session, url: str) -> Case:
    db_session.expire_all()
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


def _reflection(app, db_session, account, case: Case, started_days_ago: int) -> None:
    """A reflection period (30 days by default) started ``started_days_ago`` days ago."""
    actor = Actor(account.user.id, Role.CASEWORKER, case.organisation_id)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        start = utcnow().date() - timedelta(days=started_days_ago)
        screening.start_reflection_period(db_session, actor, case, start)
    db_session.flush()


def _today_views(db_session) -> list[AuditEvent]:
    return list(
        db_session.scalars(
            select(AuditEvent).where(AuditEvent.action == "today.viewed").order_by(AuditEvent.seq)
        )
    )


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.CASEWORKER, "/today/"),
        (Role.SUPERVISOR, "/today/"),
        (Role.PROVIDER_STAFF, "/referrals/inbox"),
        (Role.AUDITOR, "/audit/alerts"),
        (Role.ADMINISTRATOR, "/admin/users"),
    ],
)
def test_each_role_lands_on_its_page(app, db_session, client, role, landing):
    sign_in(client, make_account(app, db_session, role), db_session)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(landing)
    assert client.get(response.headers["Location"]).status_code == 200


def test_overdue_due_this_week_and_waiting_are_grouped_with_names_and_next_steps(
    app, db_session, client, caseworker, case, service, provider_client
):
    late = _case(db_session, case)
    soon_url = registered_case(client, again=True)
    soon = _case(db_session, soon_url)
    _reflection(app, db_session, caseworker, late, 35)  # ended five days ago
    _reflection(app, db_session, caseworker, soon, 27)  # ends in three days
    referral = send(client, db_session, case, service)
    declined = provider_post(
        provider_client, referral, "decline", {"reason": "Full", "reason_code": "no_capacity"}
    )
    assert declined.status_code == 302

    html = client.get("/today/").get_data(as_text=True)
    overdue, week = today_section(html, "today-overdue"), today_section(html, "today-week")
    waiting = today_section(html, "today-waiting")
    assert late.case_number in overdue and soon.case_number not in overdue
    assert soon.case_number in week and late.case_number not in week
    assert "Farida Nazari" in overdue and "فریده نظری" in overdue and "High" in overdue
    # The referral the clinic declined waits for the caseworker, with the way to refer again.
    assert "Referral declined" in waiting and late.case_number in waiting
    assert f'href="/referrals/cases/{late.id}/new">Refer elsewhere' in waiting
    assert f'href="/cases/{late.id}">Open the case' in overdue
    assert client.get(f"/referrals/cases/{late.id}/new").status_code == 200
    # Caseworkers see their due work first, then what waits.
    assert html.index('id="today-overdue"') < html.index('id="today-waiting"')
    # Overdue and waiting count in the navigation; due this week does not.
    assert re.search(r'href="/today/"[^>]*>Today <span class="badge">2<', html)
    (viewed,) = _today_views(db_session)
    assert viewed.object_type == "case"
    assert json.loads(viewed.details) == {
        "count": 3,
        "case_ids": sorted([str(late.id), str(soon.id)]),
    }


def test_supervisors_see_decisions_first(app, db_session, client, caseworker, supervisor, farida):
    planned_case(client, farida)
    case = _case(db_session, farida)
    _reflection(app, db_session, caseworker, case, 35)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    html = boss.get("/today/").get_data(as_text=True)
    waiting = today_section(html, "today-waiting")
    assert f'href="/cases/{case.id}/plan/review">Review the plan' in waiting
    assert "Farida Nazari" in waiting
    assert html.index('id="today-waiting"') < html.index('id="today-overdue"')
    assert boss.get(f"/cases/{case.id}/plan/review").status_code == 200


def test_names_only_for_cases_the_user_may_open(app, db_session, client, farida):
    """A Today item about a case of another organisation shows its reference, never a name."""
    case = _case(db_session, farida)
    stranger = make_account(app, db_session, Role.CASEWORKER)

    def foreign(actor, session, **_extra):
        if actor.user_id != stranger.user.id:
            return []
        return [Task("test", "Something to see", "REF-1", "casework.index", case_id=case.id)]

    today_items_collecting.connect(foreign)
    try:
        other = app.test_client()
        sign_in(other, stranger, db_session)
        html = other.get("/today/").get_data(as_text=True)
        tasks_html = other.get("/tasks/").get_data(as_text=True)
    finally:
        today_items_collecting.disconnect(foreign)
    assert "REF-1" in html and "Something to see" in html
    assert "Farida" not in html and "فریده" not in html and case.case_number not in html
    assert "Farida" not in tasks_html
    assert json.loads(_today_views(db_session)[-1].details) == {"count": 1, "case_ids": []}


def test_nothing_due_says_so_kindly(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    html = client.get("/today/").get_data(as_text=True)
    assert "Nothing is due this week and nothing is waiting for you." in html
    assert 'href="/today/"' in html.split("<main", 1)[0]  # first in the navigation
    nav = html.split("<main", 1)[0]
    assert nav.index('href="/today/"') < nav.index('href="/cases/"')


def test_provider_staff_and_auditors_may_not_open_today(app, db_session, client):
    for role in (Role.PROVIDER_STAFF, Role.AUDITOR, Role.ADMINISTRATOR):
        other = app.test_client()
        sign_in(other, make_account(app, db_session, role), db_session)
        assert other.get("/today/").status_code == 403
        assert 'href="/today/"' not in other.get("/account").get_data(as_text=True)


def test_the_number_of_statements_does_not_grow_with_rows(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    first = _case(db_session, registered_case(client))
    _reflection(app, db_session, caseworker, first, 35)
    client.get("/today/")  # warm caches (sessions, settings) out of the count
    one_row = count_statements(app, client, "/today/")
    one_row_tasks = count_statements(app, client, "/tasks/")
    for _ in range(4):
        more = _case(db_session, registered_case(client, again=True))
        _reflection(app, db_session, caseworker, more, 35)
    client.get("/today/")  # the registrations dropped the kept navigation counts: count again
    five_rows = count_statements(app, client, "/today/")
    html = client.get("/today/").get_data(as_text=True)
    assert html.count("Farida Nazari") == 5
    assert five_rows == one_row
    assert count_statements(app, client, "/tasks/") == one_row_tasks
    assert one_row <= 60


def test_decisions_and_undated_items_wait_and_later_work_is_left_out():
    from casework.today.queries import group_today

    today = utcnow().date()

    def item(ref, due, decision=False):
        return Task("test", "Test", ref, "casework.index", due=due, decision=decision)

    groups = group_today(
        [
            item("LATE", today - timedelta(days=1)),
            item("TODAY", today),
            item("SIXTH", today + timedelta(days=6)),
            item("NEXT-WEEK", today + timedelta(days=7)),
            item("APPROVAL", None),
            item("ESCALATED", today - timedelta(days=9), decision=True),
        ],
        today,
    )
    assert [r.reference for r in groups.overdue] == ["LATE"]
    assert [r.reference for r in groups.this_week] == ["TODAY", "SIXTH"]
    assert [r.reference for r in groups.waiting] == ["APPROVAL", "ESCALATED"]
    assert groups.count == 3


def test_a_case_offered_by_another_organisation_waits_without_a_name(
    app, db_session, client, caseworker, supervisor, farida
):
    receiving_org = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=receiving_org)
    sender = app.test_client()
    sign_in(sender, supervisor, db_session)
    offered = post_form(
        sender, f"{farida}/transfer", {"organisation": str(receiving_org.id)}, token_from=farida
    )
    assert offered.status_code == 302
    other = app.test_client()
    sign_in(other, receiver, db_session)
    html = other.get("/today/").get_data(as_text=True)
    waiting = today_section(html, "today-waiting")
    assert "Case offered by another organisation" in waiting
    assert 'href="/cases/#incoming-title">Accept or decline' in waiting
    assert "Farida" not in html and "فریده" not in html
    assert _case(db_session, farida).case_number not in html
