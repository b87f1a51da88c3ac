"""Minimal disclosure: the provider sees the shared fields and nothing else of the person or
case. Every encrypted attribute of Person, Case and IdentityDocument gets a distinctive value;
a subset is shared; the others' values must not appear on any provider page."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date

import pytest
from flask_babel import format_date
from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case, CaseNote, IdentityDocument, Person
from core.crypto.fields import encrypted_attributes
from referrals import sharing
from tests.factories import post_form
from tests.referrals.helpers import case_id_of, provider_post, send

SUBSETS = [
    ("name_latin", "phone", "event_date"),
    ("aliases", "address", "documents", "place", "date_of_birth"),
    ("name_original", "nationality", "languages", "sex", "referring_source"),
]


def _distinctive(kind: type, token: str, n: int):
    if kind is str:
        return token
    if kind is list:
        return [token]
    if kind is dict:
        return {"locality": token}
    if kind is date:
        return date(1911, 1 + n % 12, 1 + n % 27)
    if kind is int:
        return 1800 + n
    raise AssertionError(kind)


def _forms(value) -> list[str]:
    """The ways a value could be written on a page."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    if isinstance(value, date):
        return [value.isoformat(), format_date(value)]
    return [str(value)]


def _written(form: str, body: str) -> bool:
    """``form`` stands on the page as a value of its own: not inside a random token, an id or
    a longer number (a year such as 1812 turns up inside CSRF tokens and uuids by chance)."""
    return re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", body) is not None


def _fill(app, db, case_url: str) -> dict[str, object]:
    """Give every encrypted attribute a distinctive value; returns {"person.x": value}."""
    values: dict[str, object] = {}
    with app.app_context():
        case = db.get(Case, case_id_of(case_url))
        person = db.get(Person, case.person_id)
        targets = [("person", person), ("case", case), *(("document", d) for d in person.documents)]
        n = 0
        for prefix, obj in targets:
            for name, attr in encrypted_attributes(type(obj)).items():
                n += 1
                value = _distinctive(attr.kind, f"ZQ{n:03d}{name.replace('_', '')}", n)
                setattr(obj, name, value)
                values[f"{prefix}.{name}"] = value
        note = CaseNote(
            id=uuid.uuid4(), case_id=case.id, person_id=person.id, author_id=case.assigned_to_id
        )
        note.body = "ZQNOTEBODY"
        db.add(note)
        db.commit()
    values["note.body"] = "ZQNOTEBODY"
    return values


@pytest.mark.parametrize("shared", SUBSETS, ids=lambda s: "+".join(s))
def test_provider_sees_the_shared_fields_and_none_of_the_others(
    app, db_session, client, case, service, provider_client, shared
):
    referral = send(client, db_session, case, service, fields=shared)
    values = _fill(app, db_session, case)
    revealed = {a for code in shared for a in sharing.BY_CODE[code].attributes}
    pages = {
        "inbox": provider_client.get("/referrals/inbox").get_data(as_text=True),
        "view": provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True),
    }
    assert provider_post(provider_client, referral, "accept").status_code == 302
    pages["accepted"] = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    with app.test_request_context("/"):
        for attribute, value in values.items():
            forms = _forms(value)
            for page_name, body in pages.items():
                shown = any(_written(f, body) for f in forms)
                if attribute in revealed and page_name != "inbox":
                    if attribute == "person.estimated_birth_year":
                        continue  # shown only when no date of birth is known
                    assert shown, f"{attribute} shared but missing on {page_name}"
                else:
                    assert not shown, f"{attribute} leaked on {page_name}"


def test_every_view_is_audited_as_a_disclosure_with_the_field_codes(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service, fields=("phone", "name_latin"))
    provider_client.get(f"/referrals/{referral.id}")
    provider_client.get(f"/referrals/{referral.id}")
    events = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "referral.disclosed", AuditEvent.object_id == str(referral.id)
        )
    ).all()
    assert len(events) == 2
    assert all(json.loads(e.details)["fields"] == ["name_latin", "phone"] for e in events)


@pytest.mark.parametrize("ending", ["decline", "cancel"])
def test_after_decline_or_cancel_only_reference_and_state_remain(
    app, db_session, client, case, service, provider_client, ending
):
    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    if ending == "decline":
        response = provider_post(
            provider_client, referral, "decline", {"reason": "Full", "reason_code": "no_capacity"}
        )
    else:
        response = post_form(client, f"/referrals/{referral.id}/cancel", {"reason": "Not needed"})
    assert response.status_code == 302
    body = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert referral.reference in body
    for secret in ("Farida", "+93 700 123 456", "Needs a medical check", "Not needed"):
        assert secret not in body
    disclosed = db_session.scalars(
        select(AuditEvent.seq).where(
            AuditEvent.action == "referral.disclosed", AuditEvent.object_id == str(referral.id)
        )
    ).all()
    assert disclosed == []


def test_the_inbox_shows_no_personal_data(app, db_session, client, case, service, provider_client):
    send(client, db_session, case, service, fields=("name_latin", "phone"))
    body = provider_client.get("/referrals/inbox").get_data(as_text=True)
    for secret in ("Farida", "+93 700 123 456", "Needs a medical check"):
        assert secret not in body


def test_identity_document_is_filled(app, db_session, case):
    with app.app_context():
        assert db_session.scalars(select(IdentityDocument)).first() is not None


def test_after_erasure_both_sides_see_no_personal_data_and_nothing_fails(
    app, db_session, client, case, service, provider_client
):
    from casework.erasure import erase_person

    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    with app.app_context():
        person = db_session.get(Case, case_id_of(case)).person
        erase_person(db_session, None, person, "the person asked for it")
        db_session.commit()
    for response in (
        provider_client.get(f"/referrals/{referral.id}"),
        client.get(f"/referrals/{referral.id}/sent"),
        provider_client.get("/referrals/inbox"),
    ):
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "Farida" not in body and "Needs a medical check" not in body
