"""Overdue referrals with time controlled: the referrer's list, count and tasks, escalation to
the supervisor, acknowledging an expired referral, the provider's count — each in scope."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import utcnow
from core.config import ConfigError, Settings
from core.db import get_session
from core.permissions import Role
from core.security import Actor
from referrals.followup import queries
from referrals.followup import tasks as followup_tasks
from referrals.vocabulary import ReferralState
from tests.factories import (
    make_account,
    make_organisation,
    override_settings,
    post_form,
    settings_of,
    sign_in,
)
from tests.referrals.followup_factories import make_case

S = ReferralState


def actor_of(account) -> Actor:
    return Actor(account.user.id, Role(account.user.role), account.user.organisation_id)


def _refs(tasks) -> list[tuple[str, str]]:
    return sorted((t.kind, t.reference) for t in tasks)


def test_a_referral_without_an_answer_becomes_overdue_then_escalates(
    app, db_session, world, time_travel
):
    referral = world.referral(app, db_session, respond_hours=48)
    caseworker, supervisor = actor_of(world.caseworker), actor_of(world.supervisor)
    with app.test_request_context("/"):
        assert queries.my_referrals_count(caseworker) == 0
        assert followup_tasks.referrer_tasks(get_session(), caseworker, settings_of(app)) == []
        time_travel(hours=49)
        assert queries.my_referrals_count(caseworker) == 1
        assert _refs(
            followup_tasks.referrer_tasks(get_session(), caseworker, settings_of(app))
        ) == [("referral_answer_overdue", referral.reference)]
        assert followup_tasks.supervisor_tasks(get_session(), supervisor, settings_of(app)) == []
        time_travel(hours=48 + 24 * 4 + 1)  # overdue by more than the 3 escalation days
        (task,) = followup_tasks.supervisor_tasks(get_session(), supervisor, settings_of(app))
        assert (task.kind, task.reference) == ("referral_escalated", referral.reference)
        assert task.due == referral.respond_by.date() + timedelta(days=3)
        assert task.overdue


def test_the_escalation_days_setting_is_used_and_validated(app, db_session, world, time_travel):
    referral = world.referral(app, db_session, respond_hours=1)
    supervisor = actor_of(world.supervisor)
    with override_settings(app, REFERRAL_ESCALATION_DAYS=0):
        time_travel(days=1, hours=2)
        with app.test_request_context("/"):
            assert _refs(
                followup_tasks.supervisor_tasks(get_session(), supervisor, settings_of(app))
            ) == [("referral_escalated", referral.reference)]
    with pytest.raises(ConfigError):
        Settings(REFERRAL_ESCALATION_DAYS=-1).validate()
    with pytest.raises(ConfigError):
        Settings(REFERRAL_ESCALATION_DAYS=91).validate()
    assert Settings().REFERRAL_ESCALATION_DAYS == 3


def test_an_accepted_referral_not_completed_by_the_expected_date_is_overdue(
    app, db_session, world, time_travel
):
    today = utcnow().date()
    referral = world.referral(
        app,
        db_session,
        state=S.ACCEPTED,
        answered_after_hours=2,
        expected_completion=today + timedelta(days=2),
    )
    caseworker = actor_of(world.caseworker)
    with app.test_request_context("/"):
        assert queries.my_referrals_count(caseworker) == 0
        time_travel(days=3)
        assert queries.my_referrals_count(caseworker) == 1
        (task,) = followup_tasks.referrer_tasks(get_session(), caseworker, settings_of(app))
        assert task.kind == "referral_completion_overdue"
        assert task.due == referral.expected_completion
        assert str(task.label) == "Referral not completed by the expected date"


def test_finished_referrals_are_never_overdue(app, db_session, world, time_travel):
    for state in (S.DECLINED, S.COMPLETED, S.NOT_COMPLETED, S.CANCELLED):
        world.referral(app, db_session, state=state, answered_after_hours=1, respond_hours=1)
    time_travel(days=30)
    with app.test_request_context("/"):
        assert queries.my_referrals_count(actor_of(world.caseworker)) == 0
        assert (
            followup_tasks.supervisor_tasks(
                get_session(), actor_of(world.supervisor), settings_of(app)
            )
            == []
        )


def test_an_expired_referral_stays_overdue_until_acknowledged(
    app, client, db_session, world, audit_events
):
    referral = world.referral(
        app, db_session, state=S.EXPIRED, sent_at=utcnow() - timedelta(days=10)
    )
    caseworker = actor_of(world.caseworker)
    with app.test_request_context("/"):
        assert queries.my_referrals_count(caseworker) == 1
    sign_in(client, world.caseworker, db_session)
    page = client.get("/referrals/mine").get_data(as_text=True)
    assert referral.reference in page and "Answer overdue" in page
    response = post_form(
        client, f"/referrals/{referral.id}/acknowledge", {}, token_from="/referrals/mine"
    )
    assert response.status_code == 303
    with app.test_request_context("/"):
        assert queries.my_referrals_count(caseworker) == 0
    assert "is marked as dealt with" in client.get("/referrals/mine").get_data(as_text=True)
    page = client.get("/referrals/mine?overdue=1").get_data(as_text=True)
    assert referral.reference not in page
    (event,) = audit_events("referral.acknowledged")
    assert event.object_id == str(referral.id) and event.case_id == world.case.id


def test_the_supervisor_acknowledges_from_the_overdue_page_and_returns_there(
    app, client, db_session, world, audit_events
):
    referral = world.referral(app, db_session, state=S.EXPIRED, respond_hours=-1)
    sign_in(client, world.supervisor, db_session)
    page = client.get("/referrals/overdue").get_data(as_text=True)
    assert f"/referrals/{referral.id}/acknowledge?next=/referrals/overdue" in page
    response = post_form(
        client,
        f"/referrals/{referral.id}/acknowledge?next=/referrals/overdue",
        {},
        token_from="/referrals/overdue",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/referrals/overdue")
    evil = post_form(
        client,
        f"/referrals/{referral.id}/acknowledge?next=//evil.example",
        {},
        token_from="/referrals/mine",
    )
    assert evil.headers["Location"].endswith("/referrals/mine")
    (event,) = audit_events("referral.acknowledged")
    assert event.actor_user_id == world.supervisor.user.id


def test_only_an_expired_referral_is_acknowledged(app, client, db_session, world, audit_events):
    referral = world.referral(app, db_session)
    sign_in(client, world.caseworker, db_session)
    response = post_form(
        client, f"/referrals/{referral.id}/acknowledge", {}, token_from="/referrals/mine"
    )
    assert response.status_code == 303
    assert audit_events("referral.acknowledged") == []
    assert "Only an expired referral" in client.get("/referrals/mine").get_data(as_text=True)


def test_someone_elses_referral_cannot_be_acknowledged_404_audited(
    app, client, db_session, world, audit_events
):
    referral = world.referral(app, db_session, state=S.EXPIRED)
    stranger = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, stranger, db_session)
    before = len(audit_events("access.denied"))
    for target in (referral.id, uuid.uuid4()):
        response = post_form(
            client, f"/referrals/{target}/acknowledge", {}, token_from="/referrals/mine"
        )
        assert response.status_code == 404
    denied = audit_events("access.denied")[before:]
    assert [e.object_id for e in denied] == [str(referral.id), denied[1].object_id]
    assert audit_events("referral.acknowledged") == []


def test_my_referrals_lists_every_referral_i_sent_newest_first_and_only_mine(
    app, client, db_session, world, audit_events
):
    old = world.referral(app, db_session, sent_at=utcnow() - timedelta(days=5))
    new = world.referral(app, db_session, state=S.ACCEPTED, answered_after_hours=1)
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=world.agency)
    theirs = world.referral(
        app,
        db_session,
        case=make_case(app, db_session, world.agency.id, colleague.user.id),
        referrer_id=colleague.user.id,
    )
    sign_in(client, world.caseworker, db_session)
    page = client.get("/referrals/mine").get_data(as_text=True)
    assert page.index(new.reference) < page.index(old.reference)
    assert theirs.reference not in page
    assert world.service.name in page and world.provider.name in page
    filtered = client.get("/referrals/mine?state=accepted").get_data(as_text=True)
    assert new.reference in filtered and old.reference not in filtered
    assert client.get("/referrals/mine?state=bogus").status_code == 400
    listed = audit_events("referral.listed")
    assert [e.details_dict for e in listed] == [
        {"list": "mine", "count": 2},
        {"list": "mine", "count": 1},
    ]


def test_my_referrals_pages_newest_first_without_losing_ties(
    app, client, db_session, world, monkeypatch
):
    import html
    import re

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    same = utcnow() - timedelta(days=1)
    made = [
        world.referral(app, db_session, sent_at=same),
        world.referral(app, db_session, sent_at=same),
        world.referral(app, db_session, sent_at=same - timedelta(hours=1)),
        world.referral(app, db_session, sent_at=utcnow()),
    ]
    sign_in(client, world.caseworker, db_session)
    seen: list[str] = []
    path = "/referrals/mine?state=sent"
    for _ in range(3):
        body = client.get(path).get_data(as_text=True)
        seen += re.findall(r"<td><bdi>(REF-2026-\d+)</bdi></td>", body)
        older = re.search(r'href="(/referrals/mine\?[^"]+)">Older referrals', body)
        if older is None:
            break
        path = html.unescape(older.group(1))
        assert "state=sent" in path
    assert sorted(seen) == sorted(r.reference for r in made)
    assert seen[0] == made[3].reference and seen[-1] == made[2].reference
    assert client.get("/referrals/mine?after=garbage|x").status_code == 200


def test_the_supervisor_sees_overdue_referrals_of_their_organisation_only(
    app, client, db_session, world, time_travel
):
    ours = world.referral(app, db_session, respond_hours=1)
    other_agency = make_organisation(app, db_session, agency=True)
    other_worker = make_account(app, db_session, Role.CASEWORKER, organisation=other_agency)
    theirs = world.referral(
        app,
        db_session,
        case=make_case(app, db_session, other_agency.id, other_worker.user.id),
        referrer_id=other_worker.user.id,
        respond_hours=1,
    )
    not_yet = world.referral(app, db_session, respond_hours=24 * 30)
    time_travel(days=5)
    sign_in(client, world.supervisor, db_session)
    page = client.get("/referrals/overdue").get_data(as_text=True)
    assert ours.reference in page and "Escalated" in page
    assert theirs.reference not in page and not_yet.reference not in page
    assert world.caseworker.user.display_name in page
    assert ours.reference not in client.get("/referrals/overdue?kind=completion").get_data(
        as_text=True
    )
    assert client.get("/referrals/overdue?kind=nonsense").status_code == 400


def test_provider_staff_count_and_tasks_cover_their_organisation_only(
    app, db_session, world, time_travel
):
    referral = world.referral(app, db_session, respond_hours=48)
    world.referral(app, db_session, state=S.ACCEPTED, answered_after_hours=1)
    staff, other = actor_of(world.staff[0]), actor_of(world.other_staff)
    with app.test_request_context("/"):
        assert queries.inbox_count(staff) == 1
        assert queries.inbox_count(other) == 0
        assert queries.inbox_count(actor_of(world.caseworker)) == 0
        (task,) = followup_tasks.provider_tasks(get_session(), staff, settings_of(app))
        assert (task.kind, task.reference, task.due) == (
            "referral_to_answer",
            referral.reference,
            referral.respond_by.date(),
        )
        assert task.case_id is None
        assert followup_tasks.provider_tasks(get_session(), other, settings_of(app)) == []
        time_travel(days=3)  # overdue and not yet expired: still waiting for an answer
        assert queries.inbox_count(staff) == 1
        assert followup_tasks.provider_tasks(get_session(), staff, settings_of(app))[0].overdue


def test_provider_staff_and_others_get_no_referrer_or_supervisor_tasks(app, db_session, world):
    world.referral(app, db_session, respond_hours=-100)
    with app.test_request_context("/"):
        for account in (world.staff[0], world.other_staff):
            assert (
                followup_tasks.referrer_tasks(get_session(), actor_of(account), settings_of(app))
                == []
            )
            assert (
                followup_tasks.supervisor_tasks(get_session(), actor_of(account), settings_of(app))
                == []
            )
            assert queries.my_referrals_count(actor_of(account)) == 0


@pytest.mark.parametrize("path", ["/referrals/mine", "/referrals/overdue", "/referrals/figures"])
def test_provider_staff_cannot_open_the_follow_through_pages(app, client, db_session, world, path):
    world.referral(app, db_session)
    sign_in(client, world.staff[0], db_session)
    assert client.get(path).status_code == 403


# ---- hypothesis fuzzing of the filter forms -----------------------------------------------

NASTY = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "'; DROP TABLE referral; --",
            "\x00",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "-1",
            "a" * 5000,
            "sent",
            "answer",
            "1",
        ]
    ),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORMS = {
    "/referrals/mine": ["state", "urgency", "overdue", "after"],
    "/referrals/overdue": ["kind", "escalated"],
    "/referrals/figures": ["date_from", "date_to", "by_service"],
}


@pytest.fixture
def signed_in_supervisor(app, db_session, client, world):
    world.referral(app, db_session, respond_hours=-1)
    sign_in(client, world.supervisor, db_session)
    return client


@pytest.mark.parametrize("path", sorted(FORMS))
def test_filter_forms_never_fail_on_any_input(signed_in_supervisor, path):
    client = signed_in_supervisor

    @FUZZ
    @given(values=st.fixed_dictionaries({name: NASTY for name in FORMS[path]}))
    def check(values):
        response = client.get(path, query_string=values)
        assert response.status_code in (200, 400), response.status_code
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x onerror" not in body

    check()
