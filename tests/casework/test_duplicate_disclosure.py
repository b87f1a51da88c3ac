"""The duplicate check names another organisation only so often per user (finding L6).

Any caseworker could type names and learn which agency holds a person. The check itself is
never limited (a family, a busy border day): matches the user may open, matches in their own
organisation and checks that match nothing are answered every time. Naming *another*
organisation is a disclosure, counted from the audit log; past the limit it is withheld with a
message saying the check ran, audited (ids only), and auditors get an alert.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from audit import alerts
from audit.models import AuditEvent
from audit.queries import queued_events
from audit.services import record
from casework.disclosure import DisclosureBudget
from casework.duplicates import find_possible_duplicates
from casework.models import Case
from casework.services import PersonDetails
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA, case_url, caseworker_actor, register
from tests.factories import make_account, make_organisation, override_settings, settings_of, sign_in

LIMIT = 2
WITHHELD = "The duplicate check ran, but matches held by other organisations"
FAMILY = [
    {"name_original": f"Zarghuna Member{n}", "case_type": "returnee"} for n in ("a", "b", "c")
]


@pytest.fixture
def limit(app):
    with override_settings(app, DUPLICATE_DISCLOSURE_LIMIT=LIMIT):
        yield LIMIT


@pytest.fixture
def other_org(app, db_session):
    """Another agency that has registered Farida."""
    org = make_organisation(app, db_session, agency=True)
    other = make_account(app, db_session, Role.CASEWORKER, organisation=org)
    other_client = app.test_client()
    sign_in(other_client, other, db_session)
    case_url(register(other_client, FARIDA))
    return org


def _check(client, name="Farida Nazari"):
    """A registration that stops at the duplicate check (or registers when nothing matches)."""
    return register(client, {"name_original": name, "case_type": "returnee"})


def _page_after(client, response) -> str:
    """The page a person sees: the form again, or the new case after the redirect."""
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    return response.get_data(as_text=True)


def _events(db_session, action, user_id):
    db_session.expire_all()
    return db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.actor_user_id == user_id)
        .order_by(AuditEvent.seq)
    ).all()


def test_other_organisation_is_named_until_the_limit_then_withheld(
    app, db_session, client, caseworker, other_org, limit
):
    sign_in(client, caseworker, db_session)
    for _ in range(limit):
        body = _check(client).get_data(as_text=True)
        assert other_org.name in body and WITHHELD not in body
    body = _page_after(client, _check(client))
    assert other_org.name not in body
    assert WITHHELD in body and "Ask a supervisor" in body

    disclosed = _events(db_session, "person.duplicate_disclosed", caseworker.user.id)
    withheld = _events(db_session, "person.duplicate_withheld", caseworker.user.id)
    assert len(disclosed) == limit and len(withheld) == 1
    assert withheld[0].outcome == "denied"
    for event in [*disclosed, *withheld]:
        details = json.loads(event.details)
        assert details["organisation_ids"] == [str(other_org.id)]
        assert "Farida" not in event.details and other_org.name not in event.details
    checks = _events(db_session, "person.duplicate_check", caseworker.user.id)
    assert len(checks) == limit + 1  # the check itself ran every time


def test_same_organisation_matches_and_empty_checks_are_never_limited(
    app, db_session, client, caseworker, agency, other_org, limit
):
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    colleague_client = app.test_client()
    sign_in(colleague_client, colleague, db_session)
    case_url(register(colleague_client, {"name_original": "Gulalai Own", "case_type": "returnee"}))
    sign_in(client, caseworker, db_session)
    # A whole family that matches nobody, and many checks matching a colleague's case.
    for member in FAMILY:
        case_url(_check(client, member["name_original"]))
    for _ in range(limit + 3):
        body = _check(client, "Gulalai Own").get_data(as_text=True)
        assert agency.name in body and WITHHELD not in body
    # None of that spent a disclosure: the other organisation is still named.
    assert other_org.name in _check(client).get_data(as_text=True)
    assert _events(db_session, "person.duplicate_withheld", caseworker.user.id) == []


def test_once_withheld_every_check_says_so_and_registration_is_not_slowed(
    app, db_session, client, caseworker, other_org, limit
):
    sign_in(client, caseworker, db_session)
    for _ in range(limit + 1):
        _check(client)
    # A check that matches nothing registers at once, with the same notice as one whose
    # match elsewhere was withheld: the page gives no hint whether anything was held back.
    nothing = _check(client, "Nobody Matches This")
    case_url(nothing)
    assert WITHHELD in client.get(nothing.headers["Location"]).get_data(as_text=True)
    # The withheld registrations went through too: nothing slowed the user down.
    cases = db_session.scalar(
        select(func.count()).select_from(Case).where(Case.organisation_id != other_org.id)
    )
    assert cases == 2


def test_disclosures_are_counted_from_the_audit_log_not_process_memory(
    app, db_session, caseworker, other_org, limit
):
    """Disclosures recorded by another process (straight into the shared log) count too."""
    actor = Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id)
    with app.test_request_context("/"):
        for _ in range(limit):
            record(
                db_session,
                "person.duplicate_disclosed",
                actor=actor,
                object_type="person",
                details={"organisation_ids": [str(other_org.id)]},
            )
    db_session.commit()
    client = app.test_client()
    sign_in(client, caseworker, db_session)
    body = _page_after(client, _check(client))
    assert other_org.name not in body and WITHHELD in body


def test_the_window_passes_and_disclosures_are_allowed_again(
    app, db_session, client, caseworker, other_org, limit, time_travel
):
    sign_in(client, caseworker, db_session)
    for _ in range(limit + 1):
        _check(client)
    time_travel(hours=settings_of(app).DUPLICATE_DISCLOSURE_WINDOW_HOURS + 1)
    sign_in(client, caseworker, db_session)
    assert other_org.name in _check(client).get_data(as_text=True)


def test_auditors_are_alerted(app, db_session, client, caseworker, other_org, limit):
    sign_in(client, caseworker, db_session)
    for _ in range(limit + 1):
        _check(client)
    thresholds = alerts.Thresholds.from_settings(settings_of(app).audit)
    assert thresholds.duplicate_disclosures == limit
    found = [
        a
        for a in alerts.current_alerts(db_session, thresholds, days=1)
        if a.kind == "duplicate_disclosures"
    ]
    assert [(a.user_id, a.count) for a in found] == [(caseworker.user.id, limit + 1)]
    auditor = make_account(app, db_session, Role.AUDITOR)
    auditor_client = app.test_client()
    sign_in(auditor_client, auditor, db_session)
    page = auditor_client.get("/audit/alerts?days=1").get_data(as_text=True)
    assert "Many duplicate checks naming other organisations" in page
    assert str(caseworker.user.id) in page


def test_a_check_counts_the_disclosures_its_own_transaction_has_not_committed(
    app, db_session, caseworker, other_org
):
    """A family registered in one go checks each member in one transaction: the second
    check counts the first's disclosure, still queued for the commit, not yet in the log."""
    actor = caseworker_actor(caseworker)
    budget = DisclosureBudget(limit=1, window_hours=24)
    farida = PersonDetails(name_original="Farida Nazari")
    with app.test_request_context("/"):
        first = find_possible_duplicates(db_session, actor, farida, [], budget)
        second = find_possible_duplicates(db_session, actor, farida, [], budget)
        queued = [e.action for e in queued_events(db_session)]
    assert [o.id for o in first.elsewhere] == [other_org.id] and not first.withheld
    assert second.elsewhere == [] and second.withheld
    assert queued.count("person.duplicate_disclosed") == 1
    assert queued.count("person.duplicate_withheld") == 1
