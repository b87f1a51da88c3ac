"""The auditor's pages: filters, keyset paging, export, histories, chain status, alerts, access."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest

from audit import case_access_history
from audit.checkpoints import create_checkpoint
from audit.commands import record_verification
from audit.export import _cell
from audit.services import record
from audit.signals import case_labels_collecting, case_reference_resolving
from audit.verify import VerifyReport
from core.clock import utcnow
from core.permissions import Role
from core.security import Actor
from tests.factories import csrf_token, sign_in
from tests.fixtures.audit import events_after, head_seq

CASE_A = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000001")
CASE_B = uuid.UUID("bbbbbbbb-0000-4000-8000-000000000002")


def _actor() -> Actor:
    return Actor(uuid.uuid4(), Role.CASEWORKER, uuid.uuid4(), None)


@pytest.fixture
def seeded(app, db_session):
    """Events on two cases by two caseworkers, written before the auditor signs in."""
    first, second = _actor(), _actor()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.7"}):
        for i in range(3):
            record(
                db_session,
                "case.viewed",
                actor=first,
                object_type="case",
                object_id=CASE_A,
                case_id=CASE_A,
                details={"i": i},
            )
        record(
            db_session,
            "case.updated",
            actor=second,
            object_type="case",
            object_id=CASE_A,
            case_id=CASE_A,
            details={"fields": ["stage"]},
        )
        record(
            db_session,
            "case.viewed",
            actor=second,
            object_type="case",
            object_id=CASE_B,
            case_id=CASE_B,
        )
        record(
            db_session,
            "case.viewed",
            actor=first,
            object_type="case",
            object_id=CASE_B,
            case_id=CASE_B,
            outcome="denied",
        )
    db_session.commit()
    return first, second


def _rows(response) -> int:
    return response.get_data(as_text=True).count("<td><time datetime=")


def test_filter_by_case_object_user_action_and_outcome(auditor_client, seeded):
    first, second = seeded
    assert _rows(auditor_client.get(f"/audit/?case={CASE_A}")) == 4
    assert _rows(auditor_client.get(f"/audit/?object_type=case&object_id={CASE_B}")) == 2
    assert _rows(auditor_client.get(f"/audit/?user={second.user_id}")) == 2
    assert _rows(auditor_client.get(f"/audit/?organisation={first.organisation_id}")) == 4
    assert _rows(auditor_client.get(f"/audit/?case={CASE_A}&action=case.updated")) == 1
    assert _rows(auditor_client.get("/audit/?outcome=denied&object_type=case")) == 1
    today = utcnow().date()
    assert (
        _rows(auditor_client.get(f"/audit/?case={CASE_A}&date_from={today}&date_to={today}")) == 4
    )
    yesterday = today - timedelta(days=1)
    response = auditor_client.get(f"/audit/?case={CASE_A}&date_to={yesterday}")
    assert "No events match these filters." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("user=Amina", "Enter an id like"),
        ("object_id=amina%40example.test", "no spaces or @ signs"),
        ("case=Amina%20Rahimi", "no spaces or @ signs"),
        ("case=HW-2026-0404", "No case has this reference number"),
        ("date_from=2026-02-02&date_to=2026-01-01", "must not be before"),
    ],
)
def test_bad_filters_are_explained_next_to_the_field(auditor_client, query, message):
    response = auditor_client.get(f"/audit/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_keyset_pages_walk_older_and_newer(app, db_session, auditor_client):
    actor = _actor()
    with app.test_request_context("/"):
        for i in range(120):
            record(db_session, "case.viewed", actor=actor, case_id=CASE_A, details={"i": i})
    db_session.commit()
    html = auditor_client.get(f"/audit/?case={CASE_A}").get_data(as_text=True)
    assert html.count("<td><time datetime=") == 50 and "Newer events" not in html
    assert "before=" in html
    seqs = []
    url = f"/audit/?case={CASE_A}"
    for _ in range(3):
        page = auditor_client.get(url).get_data(as_text=True)
        seqs += [int(cell.split("<")[0]) for cell in page.split("<tr>\n      <td>")[1:]]
        if "Older events" not in page:
            break
        href = next(p for p in page.split('href="') if "before=" in p).split('"')[0]
        url = href.replace("&amp;", "&")
    assert len(seqs) == 120 and seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 120
    last_page = auditor_client.get(url).get_data(as_text=True)
    assert "Newer events" in last_page and "Older events" not in last_page


def test_export_streams_the_filtered_events_and_is_audited(
    auditor_client, db_session, seeded, auditor
):
    token = csrf_token(auditor_client, f"/audit/?case={CASE_A}")
    before = head_seq(db_session)
    response = auditor_client.post(f"/audit/export?case={CASE_A}", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4
    assert {r["case_id"] for r in rows} == {str(CASE_A)}
    assert [int(r["seq"]) for r in rows] == sorted(int(r["seq"]) for r in rows)
    assert all(len(r["hash"]) == 64 for r in rows)
    (event,) = events_after(db_session, before)
    assert event.action == "audit.exported" and event.actor_user_id == auditor.user.id
    assert event.details_dict == {"filter": {"case_id": str(CASE_A)}, "format": "csv"}


def test_export_needs_a_csrf_token(auditor_client, db_session, seeded):
    before = head_seq(db_session)
    response = auditor_client.post(f"/audit/export?case={CASE_A}", data={})
    assert response.status_code == 400
    assert events_after(db_session, before) == []


def test_csv_cells_cannot_become_formulas():
    assert _cell("=HYPERLINK()") == "'=HYPERLINK()"
    assert _cell("-1+2") == "'-1+2"
    assert _cell("case.viewed") == "case.viewed"
    assert _cell(None) == ""


def test_case_history_lists_who_touched_the_case(auditor_client, seeded):
    first, second = seeded
    html = auditor_client.get(f"/audit/cases/{CASE_A}").get_data(as_text=True)
    assert str(first.user_id) in html and str(second.user_id) in html
    assert "Who touched this case" in html


def test_case_access_history_extension_point(app, db_session, seeded):
    events = case_access_history(db_session, CASE_A)
    assert [e.action for e in events] == [
        "case.updated",
        "case.viewed",
        "case.viewed",
        "case.viewed",
    ]
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    assert case_access_history(db_session, uuid.uuid4()) == []


def test_user_activity_summarises_actions(auditor_client, seeded):
    first, _second = seeded
    html = auditor_client.get(f"/audit/users/{first.user_id}").get_data(as_text=True)
    assert "Distinct cases touched" in html
    assert "<dd>2</dd>" in html  # CASE_A and CASE_B


def test_case_reference_numbers_through_the_extension_point(app, auditor_client, seeded):
    references = {"HW-2026-0001": CASE_A}

    def resolve(_sender, session, reference, **_extra):
        return references.get(reference)

    def label(_sender, session, case_ids, **_extra):
        return {v: k for k, v in references.items() if v in case_ids}

    case_reference_resolving.connect(resolve)
    case_labels_collecting.connect(label)
    try:
        response = auditor_client.get("/audit/?case=HW-2026-0001")
        assert _rows(response) == 4
        assert "HW-2026-0001" in response.get_data(as_text=True)
    finally:
        case_reference_resolving.disconnect(resolve)
        case_labels_collecting.disconnect(label)


def test_chain_status_shows_checkpoint_and_last_verification(
    app, auditor_client, db_session, seeded
):
    head = head_seq(db_session)
    with app.test_request_context("/"):
        create_checkpoint(db_session, app.extensions["homeward_keys"].checkpoint_signing_key)
        record_verification(db_session, VerifyReport(events_checked=777, head_seq=head + 1))
    db_session.commit()
    html = auditor_client.get("/audit/chain").get_data(as_text=True)
    assert "Last signed checkpoint" in html and f"1 to {head}" in html
    assert "intact" in html and "<dd>777</dd>" in html


def test_chain_status_when_nothing_was_verified(auditor_client):
    html = auditor_client.get("/audit/chain").get_data(as_text=True)
    assert "The chain has not been verified yet." in html
    assert "No checkpoint has been signed yet." in html


def test_alerts(app, auditor_client, db_session):
    busy, denied, emergency = _actor(), _actor(), _actor()
    locked_user = uuid.uuid4()
    threshold = app.config["HOMEWARD_SETTINGS"].AUDIT_ALERT_CASES_PER_HOUR
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.9.9.9"}):
        for _ in range(threshold + 1):
            record(db_session, "case.viewed", actor=busy, case_id=uuid.uuid4())
        for _ in range(app.config["HOMEWARD_SETTINGS"].AUDIT_ALERT_DENIALS_PER_HOUR):
            record(db_session, "access.denied", actor=denied, outcome="denied")
        for _ in range(app.config["HOMEWARD_SETTINGS"].AUDIT_ALERT_LOGIN_FAILURES):
            record(
                db_session,
                "login.failed",
                object_type="user",
                object_id=locked_user,
                outcome="failed",
            )
        record(
            db_session,
            "account.locked",
            object_type="user",
            object_id=locked_user,
            outcome="denied",
        )
        record(
            db_session,
            "case.emergency_access",
            actor=emergency,
            case_id=CASE_B,
            details={"minutes": 30},
        )
    db_session.commit()
    html = auditor_client.get("/audit/alerts?days=1").get_data(as_text=True)
    assert "Many distinct cases within an hour" in html and str(busy.user_id) in html
    assert "Burst of refusals" in html and str(denied.user_id) in html
    assert "Repeated failed sign-ins" in html and str(locked_user) in html
    assert "Account locked" in html
    assert "Emergency access" in html and str(CASE_B) in html


def test_no_alerts_below_the_thresholds(app, auditor_client, db_session):
    with app.test_request_context("/"):
        for _ in range(app.config["HOMEWARD_SETTINGS"].AUDIT_ALERT_CASES_PER_HOUR):
            record(db_session, "case.viewed", actor=_actor(), case_id=uuid.uuid4())
    db_session.commit()
    assert "No alerts in this period." in auditor_client.get("/audit/alerts").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize(
    "path",
    [
        "/audit/",
        f"/audit/cases/{CASE_A}",
        f"/audit/users/{CASE_A}",
        "/audit/chain",
        "/audit/alerts",
    ],
)
def test_only_auditors_enter_the_workspace(client, make_account, role, path):
    sign_in(client, make_account(role))
    assert client.get(path).status_code == 403


def test_non_auditor_cannot_export(client, db_session, make_account):
    sign_in(client, make_account(Role.SUPERVISOR))
    token = csrf_token(client, "/account")
    response = client.post("/audit/export", data={"csrf_token": token})
    assert response.status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_auditor_pages_are_not_cached_and_have_no_inline_script(auditor_client, seeded):
    for path in ["/audit/", f"/audit/cases/{CASE_A}", "/audit/chain", "/audit/alerts"]:
        response = auditor_client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        html = response.get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html


def test_unknown_query_parameters_are_not_carried_into_links(auditor_client, seeded):
    html = auditor_client.get(f"/audit/?case={CASE_A}&name=FatimaRahimi").get_data(as_text=True)
    assert "FatimaRahimi" not in html
    assert f"/audit/export?case={CASE_A}" in html


def _verify_from_the_page(client):
    token = csrf_token(client, "/audit/chain")
    response = client.post(
        "/audit/chain/verify",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_auditor_verifies_the_events_since_the_last_checkpoint(
    app, auditor_client, db_session, seeded
):
    from sqlalchemy import update

    from audit.models import AuditEvent
    from tests.fixtures.audit import tampering

    with app.test_request_context("/"):
        create_checkpoint(db_session, app.extensions["homeward_keys"].checkpoint_signing_key)
        anchor = head_seq(db_session)
        record(db_session, "case.viewed", actor=_actor(), case_id=CASE_A)
    db_session.commit()
    html = _verify_from_the_page(auditor_client)
    assert "The chain is intact: 2 events checked." in html
    assert f"the checkpoint at event {anchor - 1}" in html
    (verified,) = [e for e in events_after(db_session, anchor) if e.action == "audit.verified"]
    assert verified.details_dict["from_seq"] == anchor - 1
    with tampering(db_session):
        db_session.execute(
            update(AuditEvent).where(AuditEvent.seq == anchor + 1).values(outcome="denied")
        )
    db_session.commit()
    html = _verify_from_the_page(auditor_client)
    assert f"The chain is broken at event {anchor + 1} (changed)." in html
    assert f"broken at event {anchor + 1} (changed)" in html


@pytest.mark.parametrize("cursor", ["before=99999999999999999999999", "after=-3", "before=abc"])
def test_odd_page_cursors_show_the_first_page(auditor_client, seeded, cursor):
    response = auditor_client.get(f"/audit/?case={CASE_A}&{cursor}")
    assert response.status_code == 200 and _rows(response) == 4
