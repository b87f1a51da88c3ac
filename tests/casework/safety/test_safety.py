"""Case flags and the safety plan: shown at the top of the case and in the lists, reasons and
plan encrypted, the supervisors told, versions with optimistic locking, audited, erased."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select, text, update

from audit.models import AuditEvent
from casework.erasure import erase_person
from casework.models import Case
from casework.safety.models import CaseFlag, SafetyPlan, SafetyPlanRevision
from casework.tasks import tasks_for
from core.crypto import EXTENSION_KEY, SubjectErasedError, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA, case_url, register
from tests.casework.safety.helpers import FLAG, banner, end_flag, raise_flag, save_plan
from tests.factories import make_account, make_organisation, post_form, settings_of, sign_in


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _flag(db_session) -> CaseFlag:
    db_session.expire_all()
    return db_session.scalar(select(CaseFlag).order_by(CaseFlag.raised_at.desc()))


def _events(db_session, prefix: str) -> list[AuditEvent]:
    return list(
        db_session.scalars(
            select(AuditEvent).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.seq)
        )
    )


def _actor(account) -> Actor:
    user = account.user
    return Actor(user.id, Role(user.role), user.organisation_id)


def test_a_flag_shows_at_the_top_of_the_case_and_in_the_list(client, db_session, farida):
    response = raise_flag(client, farida)
    assert response.status_code == 302
    page = client.get(farida).get_data(as_text=True)
    top = banner(page)
    assert "Do not contact at home" in top and "mark__icon" in top
    assert page.index("flag-banner") < page.index('id="summary"')
    assert FLAG["reason"] in page  # the case team reads the reason in the safety panel
    listing = client.get("/cases/").get_data(as_text=True)
    assert "Do not contact at home" in listing
    flag = _flag(db_session)
    assert flag.reason == FLAG["reason"]
    raw = db_session.execute(text("SELECT reason FROM case_flag")).scalar_one()
    assert b"recruiter" not in bytes(raw)
    (event,) = _events(db_session, "flag.raised")
    assert json.loads(event.details) == {
        "kind": "no_contact_at_home",
        "expires": False,
        "supervisors_told": 0,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": ""},
        {"kind": "made_up_kind"},
        {"reason": ""},
        {"reason": "ab"},
        {"expires_on": "2020-01-01"},
        {"expires_on": "not a date"},
        {"reason": "x" * 5000},
    ],
)
def test_bad_flags_are_refused_with_a_message(client, db_session, farida, changes):
    response = raise_flag(client, farida, **changes)
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)
    assert db_session.scalar(select(CaseFlag)) is None


def test_an_expired_flag_is_no_longer_active_but_stays_in_the_history(client, db_session, farida):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert raise_flag(client, farida, expires_on=tomorrow).status_code == 302
    assert banner(client.get(farida).get_data(as_text=True))
    db_session.execute(update(CaseFlag).values(expires_on=date.today() - timedelta(days=1)))
    db_session.commit()
    assert banner(client.get(farida).get_data(as_text=True)) == ""
    assert "Do not contact at home" not in client.get("/cases/").get_data(as_text=True)
    history = client.get(f"{farida}/safety/flags").get_data(as_text=True)
    assert "expired" in history and FLAG["reason"] in history


def test_ending_a_flag_early_needs_a_reason_and_keeps_it(client, db_session, farida):
    raise_flag(client, farida)
    flag = _flag(db_session)
    assert end_flag(client, farida, flag.id, reason="").status_code == 400
    assert end_flag(client, farida, flag.id).status_code == 302
    flag = _flag(db_session)
    assert flag.ended_at is not None and flag.end_reason == "The person moved to a shelter."
    assert banner(client.get(farida).get_data(as_text=True)) == ""
    again = end_flag(client, farida, flag.id)
    assert again.status_code == 400 and "no longer active" in again.get_data(as_text=True)
    assert end_flag(client, farida, uuid.uuid4()).status_code == 404
    assert [json.loads(e.details) for e in _events(db_session, "flag.ended")] == [
        {"kind": "no_contact_at_home"}
    ]


def test_the_supervisor_is_told_by_email_and_a_task(
    app, db_session, client, farida, agency, supervisor, smtp_server, send_outbox
):
    other_agency_supervisor = make_account(app, db_session, Role.SUPERVISOR)
    response = raise_flag(client, farida, kind="threats", tell_supervisor="y")
    assert response.status_code == 302
    send_outbox()
    assert [str(m["To"]) for m in smtp_server.messages] == [supervisor.email]
    body = smtp_server.last_body()
    case = db_session.scalar(select(Case))
    assert case.case_number in body and f"/cases/{case.id}/safety/flags" in body
    for secret in ("Farida", "فریده", FLAG["reason"], "Threats", "recruiter"):
        assert secret not in body and secret not in str(smtp_server.messages[-1]["Subject"])
    settings = settings_of(app)
    tasks = tasks_for(db_session, _actor(supervisor), settings)
    assert [t.kind for t in tasks if t.kind == "flag_raised"] == ["flag_raised"]
    assert not [t for t in tasks_for(db_session, _actor(other_agency_supervisor), settings)]
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    assert "Safety flag raised" in boss.get("/today/").get_data(as_text=True)
    flag = _flag(db_session)
    seen = post_form(
        boss, f"{farida}/safety/flags/{flag.id}/seen", {}, token_from=f"{farida}/safety/flags"
    )
    assert seen.status_code == 302
    assert not [
        t for t in tasks_for(db_session, _actor(supervisor), settings) if t.kind == "flag_raised"
    ]
    assert _events(db_session, "flag.seen")
    # Caseworkers cannot mark seen (403, the route needs the approval permission).
    late = post_form(
        client, f"{farida}/safety/flags/{flag.id}/seen", {}, token_from=f"{farida}/safety/flags"
    )
    assert late.status_code == 403


def test_other_organisations_providers_and_auditors_see_no_flag(app, db_session, client, farida):
    raise_flag(client, farida)
    for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.PROVIDER_STAFF, Role.AUDITOR):
        outsider = app.test_client()
        sign_in(outsider, make_account(app, db_session, role), db_session)
        for path in ("/safety/flags", "/safety/plan", "/safety/flags/new", "/safety/plan/edit"):
            response = outsider.get(farida + path)
            assert response.status_code == 403, (role, path)
            assert FLAG["reason"] not in response.get_data(as_text=True)


def test_the_sql_twin_matches_the_rule(app, db_session, client, farida, caseworker, supervisor):
    from casework.safety import policy

    raise_flag(client, farida)
    flag = _flag(db_session)
    case = db_session.get(Case, flag.case_id)
    outsiders = [make_account(app, db_session, r) for r in Role]
    same_org_other_worker = make_account(
        app, db_session, Role.CASEWORKER, organisation=make_organisation(app, db_session)
    )
    for account in [caseworker, supervisor, same_org_other_worker, *outsiders]:
        actor = _actor(account)
        in_sql = db_session.scalar(select(CaseFlag.id).where(policy.visible_flags(actor)))
        assert (in_sql is not None) == policy.can_view_safety(actor, case), account.user.role


def test_the_safety_plan_is_versioned_with_optimistic_locking(app, db_session, client, farida):
    assert save_plan(client, farida, 0).status_code == 302
    plan = db_session.scalar(select(SafetyPlan))
    assert plan.version == 1 and plan.emergency_contacts == "Shelter hotline 119"
    raw = db_session.execute(text("SELECT risks FROM safety_plan")).scalar_one()
    assert b"recruiter" not in bytes(raw)
    assert save_plan(client, farida, 1, measures="Meet only at the office.").status_code == 302
    stale = save_plan(client, farida, 1, risks="Somebody else's view of the risks.")
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone else saved this section" in body and "Meet only at the office." in body
    assert save_plan(client, farida, "x").status_code == 409
    db_session.expire_all()
    assert db_session.get(SafetyPlan, plan.id).risks == "The recruiter lives two streets away."
    revisions = db_session.scalars(select(SafetyPlanRevision.number)).all()
    assert sorted(revisions) == [1, 2]
    page = client.get(f"{farida}/safety/plan").get_data(as_text=True)
    assert "Version 1" in page and "Meet only at the office." in page
    events = _events(db_session, "safety_plan.saved")
    assert [json.loads(e.details)["fields"] for e in events] == [
        ["risks", "measures", "emergency_contacts", "review_on"],
        ["measures"],
    ]
    assert save_plan(client, farida, 2, review_on="2020-01-01").status_code == 400
    assert save_plan(client, farida, 2, risks="").status_code == 400


def test_a_review_due_makes_a_task_on_the_today_page(app, db_session, client, farida):
    soon = (date.today() + timedelta(days=3)).isoformat()
    assert save_plan(client, farida, 0, review_on=soon).status_code == 302
    today = client.get("/today/").get_data(as_text=True)
    assert "Safety plan review due" in today and "Review the safety plan" in today


def _flag_statements(app, client, path: str) -> tuple[int, int]:
    """All SQL statements of a GET of ``path``, and those reading flags."""
    engine = app.extensions["homeward_db"].engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), len([s for s in seen if "case_flag" in s])


def test_the_lists_read_flags_in_one_query_whatever_the_rows(app, db_session, client, farida):
    """The flags of a page of cases are one query, however many rows (the task source of
    flags waiting for a supervisor asks nothing for a caseworker); the whole page's count is
    checked by tests/test_statement_bounds.py."""
    raise_flag(client, farida)
    url = case_url(register(client, FARIDA, confirm_new=True))
    raise_flag(client, url, kind="medical_emergency")
    save_plan(client, url, 0, review_on=date.today().isoformat())
    _total, one = _flag_statements(app, client, "/cases/")
    today_total, today_one = _flag_statements(app, client, "/today/")
    for _n in range(3):
        url = case_url(register(client, FARIDA, confirm_new=True))
        raise_flag(client, url, kind="needs_interpreter")
        raise_flag(client, url, kind="threats")
        save_plan(client, url, 0, review_on=date.today().isoformat())
    assert _flag_statements(app, client, "/cases/")[1] == one == 1
    assert _flag_statements(app, client, "/today/") == (today_total, today_one)
    listing = client.get("/cases/").get_data(as_text=True)
    assert listing.count("Needs an interpreter") == 3
    assert client.get("/today/").get_data(as_text=True).count("Needs an interpreter") == 3


def test_erasure_shreds_flags_and_the_safety_plan(app, db_session, client, farida):
    raise_flag(client, farida)
    save_plan(client, farida, 0)
    case = db_session.scalar(select(Case))
    with app.app_context():
        erase_person(db_session, None, case.person, "The person asked for erasure.")
        db_session.commit()
    db_session.expire_all()
    flag = db_session.scalar(select(CaseFlag))
    plan = db_session.scalar(select(SafetyPlan))
    revision = db_session.scalar(select(SafetyPlanRevision))
    for obj, name in ((flag, "reason"), (plan, "risks"), (revision, "measures")):
        with pytest.raises(SubjectErasedError):
            getattr(obj, name)
    assert flag.kind == "" and flag.raised_at.day == 1
    assert banner(client.get(farida).get_data(as_text=True)) == ""
    assert client.get(f"{farida}/safety/flags").status_code == 410


def test_an_emergency_reader_sees_the_warnings(app, db_session, client, farida, agency):
    raise_flag(client, farida)
    colleague = app.test_client()
    sign_in(colleague, make_account(app, db_session, Role.CASEWORKER, organisation=agency))
    reason = {"reason": "She called the hotline tonight and asks for help."}
    assert post_form(colleague, f"{farida}/emergency", reason).status_code == 302
    page = colleague.get(farida).get_data(as_text=True)
    assert "Do not contact at home" in banner(page)
    assert colleague.post(f"{farida}/safety/flags/new", data={}).status_code in (400, 403)


def test_a_closed_case_takes_no_new_flag(app, db_session, client, farida):
    db_session.scalar(select(Case)).stage = "closed"
    db_session.commit()
    assert client.get(f"{farida}/safety/flags/new").status_code == 409
    assert raise_flag(client, farida).status_code == 409
    assert "Raise a flag" not in client.get(f"{farida}/safety/flags").get_data(as_text=True)


def test_a_supervisor_cannot_mark_their_own_flag_seen(app, db_session, farida, agency, supervisor):
    """Marking seen is a second person's act: the supervisor who raised the flag gets no button
    and a 403; another supervisor of the organisation marks it seen."""
    raiser = app.test_client()
    sign_in(raiser, supervisor, db_session)
    assert raise_flag(raiser, farida, kind="threats", tell_supervisor="y").status_code == 302
    flag = _flag(db_session)
    page = raiser.get(f"{farida}/safety/flags").get_data(as_text=True)
    assert f"/safety/flags/{flag.id}/seen" not in page
    own = post_form(
        raiser, f"{farida}/safety/flags/{flag.id}/seen", {}, token_from=f"{farida}/safety/flags"
    )
    assert own.status_code == 403
    settings = settings_of(app)
    assert not [
        t for t in tasks_for(db_session, _actor(supervisor), settings) if t.kind == "flag_raised"
    ]
    second = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    other = app.test_client()
    sign_in(other, second, db_session)
    assert f"/safety/flags/{flag.id}/seen" in other.get(f"{farida}/safety/flags").get_data(
        as_text=True
    )
    seen = post_form(
        other, f"{farida}/safety/flags/{flag.id}/seen", {}, token_from=f"{farida}/safety/flags"
    )
    assert seen.status_code == 302
    assert _flag(db_session).seen_by_id == second.user.id
