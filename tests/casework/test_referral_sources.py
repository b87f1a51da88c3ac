"""The case's referral source: a code of the list ``referral_source`` a deployment can set,
beside the encrypted "Referred by" (the name); offered, kept when retired, refused when
unknown, shown on the case page, audited by field name and kept in the skeleton."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework import services
from casework.editing import update_case_details
from casework.models import Case
from casework.skeleton.models import CaseSkeleton
from casework.vocabulary import CaseType
from core.lists.models import ListEntry
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import csrf_token, post_form, sign_in

WITH_SOURCE = {**FARIDA, "referral_source": "border_immigration"}


def _version(client, url: str) -> str:
    body = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d+)"', body).group(1)


def _options(page: str) -> list[str]:
    select_ = re.search(r'<select[^>]*name="referral_source".*?</select>', page, re.S)
    assert select_, "no referral source picker"
    return re.findall(r'value="([^"]*)"', select_.group(0))


def _retire(db_session, code: str) -> None:
    db_session.add(ListEntry(list_name="referral_source", code=code, retired=True))
    db_session.flush()


def _source_shown(page: str) -> str:
    return re.search(r'id="case-referral-source">([^<]*)<', page).group(1)


def test_registration_offers_the_sources_stores_the_code_and_shows_its_label(
    app, db_session, crypto_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    options = _options(client.get("/cases/new").get_data(as_text=True))
    assert options[0] == "" and {"self", "police", "hotline", "other"} <= set(options)
    url = case_url(register(client, WITH_SOURCE))
    case = db_session.scalar(select(Case))
    assert case.referral_source == "border_immigration"
    assert case.referring_source == "Border police"  # the name stays, encrypted
    page = client.get(url).get_data(as_text=True)
    assert _source_shown(page) == "Border or immigration authority"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "case.created"))
    assert "border_immigration" not in (event.details or "")


def test_the_source_is_optional(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    assert db_session.scalar(select(Case)).referral_source is None
    assert _source_shown(client.get(url).get_data(as_text=True)) == "—"


def test_an_unknown_source_is_refused_with_a_message(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    for value in ("smuggler", "<b>", "police\x00"):
        response = register(client, {**FARIDA, "referral_source": value})
        assert response.status_code in (200, 400)
        assert db_session.scalar(select(Case)) is None


def test_editing_changes_the_source_and_audits_the_field_name(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, WITH_SOURCE))
    edit = f"{url}/details"
    page = client.get(edit).get_data(as_text=True)
    assert re.search(r'<option selected value="border_immigration">', page)
    data = {"case_type": "presumed_victim", "referral_source": "hotline"}
    response = post_form(client, edit, {**data, "version": _version(client, edit)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    assert db_session.scalar(select(Case)).referral_source == "hotline"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "case.updated"))
    fields = json.loads(event.details)["fields"]
    assert "referral_source" in fields and "hotline" not in event.details


def test_a_retired_source_is_no_longer_offered_but_a_case_holding_it_keeps_it(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, {**FARIDA, "referral_source": "police"}))
    _retire(db_session, "police")
    assert "police" not in _options(client.get("/cases/new").get_data(as_text=True))
    refused = register(client, {**FARIDA, "referral_source": "police"}, confirm_new=True)
    assert refused.status_code == 200 and len(db_session.scalars(select(Case)).all()) == 1
    edit = f"{url}/details"
    assert "police" in _options(client.get(edit).get_data(as_text=True))
    data = {"case_type": "identified_victim", "referral_source": "police"}
    response = post_form(client, edit, {**data, "version": _version(client, edit)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    case = db_session.scalar(select(Case))
    assert (case.case_type, case.referral_source) == ("identified_victim", "police")
    assert _source_shown(client.get(url).get_data(as_text=True)) == "Police"


def test_the_service_refuses_a_source_the_list_does_not_offer(app, db_session, client, caseworker):
    """Past the form (a crafted choice list): the service itself checks the code."""
    sign_in(client, caseworker, db_session)
    case_url(register(client, {**FARIDA, "referral_source": "police"}))
    case = db_session.scalar(select(Case))
    actor = Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id)
    _retire(db_session, "hotline")
    for code in ("smuggler", "hotline"):
        with pytest.raises(services.CaseworkError) as refused:
            services.check_referral_source(db_session, code)
        assert refused.value.field == "referral_source"
        details = services.CaseDetails(case_type=CaseType.RETURNEE, referral_source=code)
        with pytest.raises(services.CaseworkError):
            update_case_details(db_session, actor, case, details, case.version)
    services.check_referral_source(db_session, "police")  # offered
    _retire(db_session, "police")
    services.check_referral_source(db_session, "police", held="police")  # held by the case
    db_session.expire_all()
    assert db_session.scalar(select(Case)).referral_source == "police"


def test_the_source_survives_erasure_in_the_skeleton(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    case_url(register(client, WITH_SOURCE))
    case = db_session.scalar(select(Case))
    result = app.test_cli_runner().invoke(
        args=[
            "cases",
            "erase-person",
            case.case_number,
            "--reason",
            "Request of the person",
            "--yes",
        ]
    )
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert db_session.scalar(select(CaseSkeleton)).referral_source == "border_immigration"
    assert db_session.get(Case, case.id).referral_source is None


def test_a_family_member_is_prefilled_with_the_head_s_source(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    token = csrf_token(client, "/cases/family/new")
    response = client.post("/cases/family/new", data={**WITH_SOURCE, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<option selected value="border_immigration">', page)
