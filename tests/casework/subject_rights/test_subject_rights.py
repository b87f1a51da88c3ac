"""Subject rights: a complete export, correction records, two-supervisor erasure, retention."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from casework.closure.models import CaseClosure
from casework.models import Case, Person
from casework.subject_rights.export import jsonable, subject_models
from casework.subject_rights.models import ErasureRequest, PersonCorrection
from core.crypto import (
    EXTENSION_KEY,
    BlindIndexEntry,
    DataKey,
    SubjectErasedError,
    bind_crypto,
    encrypted_attributes,
)
from core.permissions import Role
from tests.casework.helpers import (
    CONSENT,
    FARIDA,
    PDF_BYTES,
    SCREENING,
    case_url,
    record_consent,
    record_screening,
    register,
    upload,
)
from tests.factories import make_account, make_organisation, post_form, settings_of, sign_in

MARYAM = {
    **FARIDA,
    "name_original": "مریم کریمی",
    "name_latin": "Maryam Karimi",
    "aliases": "",
    "date_of_birth": "1988-06-01",
    "document_number": "P-7777 111",
    "phone": "+93 700 999 000",
}
ZARA = {
    **MARYAM,
    "name_latin": "Zara Ahmadi",
    "name_original": "زارا احمدی",
    "document_number": "Z-1",
}


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    """Let the test's own session decrypt (requests use the app's key material)."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _signed_in(app, db_session, account):
    other = app.test_client()
    sign_in(other, account, db_session)
    return other


def _person(db_session, url: str) -> Person:
    db_session.expire_all()
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1])).person


def _everything(client, url: str) -> None:
    """Give the case a row in every table of personal data that exists today."""
    assert record_consent(client, url, CONSENT).status_code == 302
    assert record_screening(client, url, SCREENING).status_code == 302
    assert (
        post_form(
            client, f"{url}/notes", {"body": "Met at the centre."}, token_from=url
        ).status_code
        == 302
    )
    assert upload(client, url, PDF_BYTES, "scan.pdf", "passport scan").status_code == 302
    edit = {**FARIDA, "phone": "+93 700 000 111", "version": "1", "correction_reason": "New SIM"}
    assert post_form(client, f"{url}/person", edit).status_code == 302
    closure = {"reason": "lost_contact", "summary": "No answer for three months."}
    assert post_form(client, f"{url}/closure/request", closure).status_code == 302


def test_export_holds_every_stored_field_of_the_person(
    app, db_session, client, farida, supervisor, caseworker
):
    _everything(client, farida)
    boss = _signed_in(app, db_session, supervisor)
    response = boss.get(f"{farida}/person-data/export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    person = _person(db_session, farida)
    case = person.cases[0]
    assert case.case_number in disposition and "Farida" not in disposition
    text = response.get_data(as_text=True)
    data = json.loads(text)
    records = data["records"]
    checked = 0
    for model in subject_models():
        table = model.__tablename__
        subject = getattr(model, model.__encryption_subject__)
        rows = db_session.scalars(select(model).where(subject == person.id)).all()
        assert len(records[table]) == len(rows), table
        exported = {r["id"]: r for r in records[table]}
        for row in rows:
            out = exported[str(row.id)]
            for name in encrypted_attributes(model):
                assert name in out, f"{table}.{name} missing from the export"
                assert out[name] == jsonable(getattr(row, name)), f"{table}.{name}"
                checked += 1
    filled = {t for t, rows in records.items() if rows}
    assert {
        "person",
        "identity_document",
        "casefile",
        "case_note",
        "legal_basis",
        "case_attachment",
        "person_correction",
        "case_closure",
    } <= filled
    assert any(t.startswith("screening") or "screening" in t for t in filled)
    assert checked > 30
    assert records["person"][0]["phone"] == "+93 700 000 111"
    assert records["person_correction"][0]["old_value"] == FARIDA["phone"]
    assert records["casefile"][0]["vulnerabilities"] == sorted(FARIDA["vulnerabilities"])
    # Staff by name; no ciphertexts, key ids, blind indexes or file contents.
    assert caseworker.user.display_name in text
    assert "ciphertext" not in text and "sealed_content" not in text
    key = db_session.scalar(select(DataKey).where(DataKey.subject_id == person.id))
    assert str(key.id) not in text, text[
        max(0, text.find(str(key.id)) - 300) : text.find(str(key.id)) + 100
    ]
    assert "blind_index" not in text and "wrapped_key" not in text
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.exported")
    ).all()
    assert [e.details_dict["format"] for e in events] == ["json"]


def test_printable_export_page(app, db_session, client, farida, supervisor):
    boss = _signed_in(app, db_session, supervisor)
    page = boss.get(f"{farida}/person-data/export")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert FARIDA["name_latin"] in body and "P-1234 567" in body
    formats = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.exported")
    ).all()
    assert [e.details_dict["format"] for e in formats] == ["html"]


def test_only_supervisors_of_the_organisation_export(app, db_session, client, farida):
    assert client.get(f"{farida}/person-data/export.json").status_code == 403
    stranger = _signed_in(app, db_session, make_account(app, db_session, Role.SUPERVISOR))
    assert stranger.get(f"{farida}/person-data/export.json").status_code == 403
    assert stranger.get(f"{farida}/person-data/export").status_code == 403
    exported = db_session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.exported")
    )
    assert exported == 0


def test_export_leaves_out_another_organisations_case(app, db_session, client, farida, supervisor):
    person = _person(db_session, farida)
    elsewhere = make_organisation(app, db_session, agency=True)
    other_case = Case(
        id=uuid.uuid4(),
        person_id=person.id,
        organisation_id=elsewhere.id,
        case_number="ELSE-2026-000001",
        case_type="returnee",
    )
    other_case.place = "Somewhere only they know"
    db_session.add(other_case)
    db_session.commit()
    boss = _signed_in(app, db_session, supervisor)
    data = json.loads(boss.get(f"{farida}/person-data/export.json").get_data(as_text=True))
    own = [
        c.case_number for c in person.cases if c.organisation_id == supervisor.user.organisation_id
    ]
    assert [c["case_number"] for c in data["records"]["casefile"]] == own
    assert "Somewhere only they know" not in json.dumps(data)
    assert data["cases_held_by_other_organisations"] == 1
    assert data["records"]["person"][0]["name_latin"] == FARIDA["name_latin"]
    page = boss.get(f"{farida}/person-data/export").get_data(as_text=True)
    assert "Another organisation holds 1 more case" in page


def test_correction_keeps_old_and_new_value(app, db_session, client, farida):
    edit = {
        **FARIDA,
        "phone": "+93 799 000 000",
        "sex": "female",
        "version": "1",
        "correction_reason": "Checked with her",
    }
    assert post_form(client, f"{farida}/person", edit).status_code == 302
    correction = db_session.scalar(select(PersonCorrection))
    assert (
        correction.field_name,
        correction.old_value,
        correction.new_value,
        correction.reason,
    ) == (
        "phone",
        FARIDA["phone"],
        "+93 799 000 000",
        "Checked with her",
    )
    assert b"799" not in correction.new_value_ciphertext
    page = client.get(farida).get_data(as_text=True)
    assert "Corrections" in page and "+93 799 000 000" in page and "Checked with her" in page
    # Saving without a change records nothing.
    same = {**edit, "version": "2"}
    assert post_form(client, f"{farida}/person", same).status_code == 302
    assert db_session.scalar(select(func.count()).select_from(PersonCorrection)) == 1


def assert_nothing_decryptable(db_session, person_id) -> None:
    """The checks of test_erasure.py, over every model that holds the person's data."""
    db_session.expire_all()
    for model in subject_models():
        subject = getattr(model, model.__encryption_subject__)
        for row in db_session.scalars(select(model).where(subject == person_id)):
            for name in encrypted_attributes(model):
                if getattr(row, f"{name}_ciphertext") is None:
                    continue
                with pytest.raises(SubjectErasedError):
                    getattr(row, name)
    entries = db_session.scalar(
        select(func.count())
        .select_from(BlindIndexEntry)
        .where(BlindIndexEntry.subject_id == person_id)
    )
    assert entries == 0
    key = db_session.scalar(select(DataKey).where(DataKey.subject_id == person_id))
    assert key.destroyed_at is not None and set(key.wrapped_key) == {0}


def _request_erasure(boss, url):
    return post_form(boss, f"{url}/person-data/erasure", {"reason": "person_request"})


def _pending(db_session) -> ErasureRequest:
    db_session.expire_all()
    return db_session.scalar(select(ErasureRequest).order_by(ErasureRequest.requested_at.desc()))


def test_erasure_needs_two_different_supervisors(
    app, db_session, client, farida, supervisor, agency
):
    _everything(client, farida)
    person_id = _person(db_session, farida).id
    first = _signed_in(app, db_session, supervisor)
    assert first.get(f"{farida}/person-data/erasure").status_code == 200
    assert _request_erasure(first, farida).status_code == 302
    request = _pending(db_session)
    assert request.status == "pending"
    assert _person(db_session, farida).erased_at is None
    confirm = f"{farida}/person-data/erasure/{request.id}"
    # The requester cannot confirm their own request (audited).
    assert first.get(confirm).status_code == 403
    assert post_form(first, confirm, {}, token_from=farida).status_code == 403
    assert _person(db_session, farida).erased_at is None
    denied = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.denied")
    ).all()
    assert [e.details_dict["reason"] for e in denied] == ["own_request", "own_request"]
    # Caseworkers cannot confirm either.
    assert post_form(client, confirm, {}, token_from=farida).status_code == 403
    second = _signed_in(
        app, db_session, make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    )
    page = second.get(confirm)
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    assert post_form(second, confirm, {}).status_code == 302
    assert _pending(db_session).status == "confirmed"
    assert _person(db_session, farida).erased_at is not None
    assert_nothing_decryptable(db_session, person_id)
    actions = db_session.scalars(select(AuditEvent.action)).all()
    for action in ("erasure.requested", "erasure.confirmed", "person.erased", "case.person_erased"):
        assert action in actions
    assert "Farida" not in second.get(farida).get_data(as_text=True)
    assert second.get(f"{farida}/person-data/export.json").status_code == 410


def test_pending_erasure_can_be_cancelled(app, db_session, client, farida, supervisor):
    boss = _signed_in(app, db_session, supervisor)
    _request_erasure(boss, farida)
    assert _request_erasure(boss, farida).status_code == 200  # one at a time
    request = _pending(db_session)
    response = post_form(
        boss, f"{farida}/person-data/erasure/{request.id}/cancel", {}, token_from=farida
    )
    assert response.status_code == 302
    assert _pending(db_session).status == "cancelled"
    assert _person(db_session, farida).name_latin == FARIDA["name_latin"]
    assert "erasure.cancelled" in db_session.scalars(select(AuditEvent.action)).all()


def test_erasure_refused_when_another_organisation_holds_a_case(
    app, db_session, client, farida, supervisor
):
    person = _person(db_session, farida)
    elsewhere = make_organisation(app, db_session, agency=True)
    db_session.add(
        Case(
            id=uuid.uuid4(),
            person_id=person.id,
            organisation_id=elsewhere.id,
            case_number="ELSE-2026-000001",
            case_type="returnee",
        )
    )
    db_session.commit()
    boss = _signed_in(app, db_session, supervisor)
    response = _request_erasure(boss, farida)
    assert response.status_code == 200
    assert "another organisation" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ErasureRequest)) == 0


def test_erasure_confirmation_task(app, db_session, client, farida, supervisor, agency):
    from casework.tasks import tasks_for
    from core.security import Actor

    boss = _signed_in(app, db_session, supervisor)
    _request_erasure(boss, farida)
    second = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)

    def tasks(account):
        user = account.user
        with app.test_request_context("/"):
            return tasks_for(
                db_session, Actor(user.id, Role(user.role), user.organisation_id), settings_of(app)
            )

    assert [str(t.label) for t in tasks(second)] == ["Erasure confirmation waiting"]
    assert tasks(supervisor) == []


def _close(app, db_session, writer, boss, url):
    closure = {"reason": "support_period_ended", "summary": "Support completed as planned."}
    assert post_form(writer, f"{url}/closure/request", closure).status_code == 302
    db_session.expire_all()
    closure_id = db_session.scalar(select(CaseClosure.id).where(CaseClosure.status == "pending"))
    assert (
        post_form(boss, f"{url}/closure/{closure_id}", {"decision": "approve"}).status_code == 302
    )


def _snapshot(db_session):
    db_session.expire_all()
    tables = [m.__table__ for m in subject_models()]
    tables += [DataKey.__table__, BlindIndexEntry.__table__, ErasureRequest.__table__]
    from casework.skeleton.models import CaseSkeleton

    tables.append(CaseSkeleton.__table__)
    return {
        t.name: sorted(tuple(map(repr, row)) for row in db_session.execute(select(t)).all())
        for t in tables
    }


def test_retention_erases_only_people_closed_long_enough(
    app, db_session, caseworker, supervisor, time_travel
):
    writer = _signed_in(app, db_session, caseworker)
    boss = _signed_in(app, db_session, supervisor)
    old = case_url(register(writer, FARIDA))
    _close(app, db_session, writer, boss, old)
    time_travel(days=3 * 365)
    writer = _signed_in(app, db_session, caseworker)
    boss = _signed_in(app, db_session, supervisor)
    recent = case_url(register(writer, MARYAM, confirm_new=True))
    _close(app, db_session, writer, boss, recent)
    still_open = case_url(register(writer, ZARA, confirm_new=True))
    time_travel(days=5 * 365 + 30)
    runner = app.test_cli_runner()
    before = _snapshot(db_session)
    events_before = db_session.scalar(select(func.count()).select_from(AuditEvent))
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    old_number = _person(db_session, old).cases[0].case_number
    assert "would erase 1 person(s), 1 case(s)" in dry.output and old_number in dry.output
    assert "Farida" not in dry.output
    assert _snapshot(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    real = runner.invoke(args=["retention", "run"])
    assert real.exit_code == 0, real.output
    assert "erased 1 person(s)" in real.output and old_number in real.output
    assert _person(db_session, old).erased_at is not None
    assert_nothing_decryptable(db_session, _person(db_session, old).id)
    assert _person(db_session, recent).name_latin == "Maryam Karimi"
    assert _person(db_session, still_open).name_latin == "Zara Ahmadi"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.ran"))
    assert event.actor_user_id is None
    assert event.details_dict == {"years": 5, "people": 1, "cases": 1}
    again = runner.invoke(args=["retention", "run"])
    assert "erased 0 person(s)" in again.output


def test_retention_years_setting_is_validated():
    from core.config import ConfigError, Settings

    assert Settings.from_env(environ={}).RETENTION_YEARS == 5
    assert Settings.from_env(environ={"HOMEWARD_RETENTION_YEARS": "7"}).RETENTION_YEARS == 7
    for bad in ("0", "101"):
        with pytest.raises(ConfigError, match="RETENTION_YEARS"):
            Settings.from_env(environ={"HOMEWARD_RETENTION_YEARS": bad}).validate()
