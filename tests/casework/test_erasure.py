"""Erasure by crypto-shredding: unreadable everywhere, unsearchable, statistics kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from casework.models import Case, IdentityDocument, Person
from casework.skeleton.models import CaseSkeleton
from core.crypto import BlindIndexEntry, DataKey, SubjectErasedError
from tests.casework.helpers import FARIDA, case_url, register, search
from tests.factories import post_form, sign_in


def test_erase_person_from_the_command_line(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    case = db_session.scalar(select(Case))
    person_id = case.person_id
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["cases", "erase-person", case.case_number, "--reason", "x" * 12])
    assert refused.exit_code == 2 and "--yes" in refused.output
    result = runner.invoke(
        args=[
            "cases",
            "erase-person",
            case.case_number.lower(),
            "--reason",
            "Request of the person, 2026-11-28",
            "--yes",
        ]
    )
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    person = db_session.get(Person, person_id)
    assert person.erased_at is not None
    with pytest.raises(SubjectErasedError):
        _ = person.name_original
    document = db_session.scalar(select(IdentityDocument))
    with pytest.raises(SubjectErasedError):
        _ = document.number
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(BlindIndexEntry)
            .where(BlindIndexEntry.subject_id == person_id)
        )
        == 0
    )
    key = db_session.scalar(select(DataKey).where(DataKey.subject_id == person_id))
    assert key.destroyed_at is not None and set(key.wrapped_key) == {0}
    skeleton = db_session.scalar(select(CaseSkeleton))
    assert (skeleton.sex, skeleton.age_band, skeleton.case_type) == (
        "female",
        "30-38",
        "presumed_victim",
    )
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "was erased" in body and "Farida" not in body
    assert "Erased" in client.get("/cases/").get_data(as_text=True)
    assert "Nobody you may see matches" in search(client, "name", "Farida").get_data(as_text=True)
    assert (
        post_form(client, f"{url}/notes", {"body": "late note"}, token_from="/cases/").status_code
        == 410
    )
    assert client.get(f"{url}/person").status_code == 410
    again = runner.invoke(
        args=["cases", "erase-person", case.case_number, "--reason", "second time round", "--yes"]
    )
    assert again.exit_code == 1 and "already" in again.output
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "person.erased" in actions and "case.person_erased" in actions


def test_unknown_case_number_is_refused(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["cases", "erase-person", "NOPE-2026-000001", "--reason", "some reason here", "--yes"]
    )
    assert result.exit_code == 1 and "no case" in result.output
