"""The lists a deployment can set, as users meet them: an entry an administrator added is
offered and shown with its label, a retired one stays readable on the records that hold it
and is no longer offered, and a Dari label shows to a Dari-speaking user. Service kinds
(consent, directory, HSDS), closure reasons, vulnerabilities and document types."""

from __future__ import annotations

import io
import re
import uuid
import zipfile

import pytest
from sqlalchemy import select

from casework.models import Case
from core.crypto import EXTENSION_KEY, bind_crypto
from core.lists import queries
from core.lists.models import ListEntry
from core.permissions import Role
from referrals.directory.hsds.export import export_rows, export_zip
from referrals.directory.manage import (
    OrganizationDetails,
    ServiceDetails,
    save_organization,
    save_service,
)
from tests.casework.helpers import CONSENT, FARIDA, record_consent, registered_case
from tests.factories import make_account, post_form, sign_in

DARI = "پول در برابر کار"


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _add(db_session, name: str, code: str, labels: dict[str, str]) -> None:
    db_session.add(ListEntry(list_name=name, code=code, added=True, position=1, labels=labels))
    db_session.commit()
    queries.forget(db_session, name)


def _retire(db_session, name: str, code: str) -> None:
    db_session.add(ListEntry(list_name=name, code=code, added=False, retired=True, labels={}))
    db_session.commit()
    queries.forget(db_session, name)


def _options(page: str, select_id: str) -> list[str]:
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert match, select_id
    return re.findall(r'<option value="([^"]*)"', match.group(1))


def _checkboxes(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}"[^>]*value="([^"]*)"', page) + re.findall(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )


def _service(app, db_session, kinds: list[str]):
    with app.test_request_context("/"):
        org, _ = save_organization(db_session, None, OrganizationDetails(name="Org", country="AF"))
        service, _ = save_service(
            db_session, None, ServiceDetails(organization_id=org.id, name="Help", types=kinds)
        )
        db_session.commit()
    return service


@pytest.fixture
def caseworker(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    return account


def test_an_added_service_kind_is_offered_by_consent_and_the_directory_and_shown(
    app, db_session, client, caseworker
) -> None:
    _add(db_session, "service_type", "cash_for_work", {"en": "Cash for work", "fa_AF": DARI})
    url = registered_case(client)
    consent_page = client.get(f"{url}/consent/new").get_data(as_text=True)
    assert "cash_for_work" in _checkboxes(consent_page, "service_types")
    assert "Cash for work" in consent_page
    response = record_consent(client, url, CONSENT | {"service_types": ["cash_for_work"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "Cash for work" in client.get(f"{url}/consent/").get_data(as_text=True)
    service = _service(app, db_session, ["cash_for_work"])
    directory = client.get("/directory/").get_data(as_text=True)
    assert "cash_for_work" in _options(directory, "f-type")
    assert "Cash for work" in directory
    found = client.get("/directory/?type=cash_for_work").get_data(as_text=True)
    assert "Help" in found
    assert "Cash for work" in client.get(f"/directory/services/{service.id}").get_data(as_text=True)
    with app.test_request_context("/"):
        terms = [row["id"] for row in export_rows(db_session)["taxonomy_terms.csv"]]
    assert "cash_for_work" in terms


def test_a_dari_speaking_caseworker_sees_the_dari_label(app, db_session, client) -> None:
    _add(db_session, "service_type", "cash_for_work", {"en": "Cash for work", "fa_AF": DARI})
    account = make_account(app, db_session, Role.CASEWORKER)
    account.user.preferred_language = "fa_AF"
    db_session.commit()
    sign_in(client, account, db_session)
    page = client.get("/directory/").get_data(as_text=True)
    assert 'lang="fa-AF"' in page or 'lang="fa_AF"' in page
    assert DARI in page
    assert "Cash for work" not in page


def test_a_retired_service_kind_is_not_offered_but_stays_readable(
    app, db_session, client, caseworker
) -> None:
    service = _service(app, db_session, ["shelter"])
    _retire(db_session, "service_type", "shelter")
    url = registered_case(client)
    consent_page = client.get(f"{url}/consent/new").get_data(as_text=True)
    assert "shelter" not in _checkboxes(consent_page, "service_types")
    refused = record_consent(client, url, CONSENT | {"service_types": ["shelter"]})
    assert refused.status_code in (200, 400)  # the form again, with its error
    assert 'id="service_types-error"' in refused.get_data(as_text=True)
    assert "shelter" not in _options(client.get("/directory/").get_data(as_text=True), "f-type")
    page = client.get(f"/directory/services/{service.id}").get_data(as_text=True)
    assert "Shelter and accommodation" in page
    # The administrator's form of the service still offers the retired kind it holds.
    admin = app.test_client()
    sign_in(admin, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    manage = admin.get(f"/directory/manage/services/{service.id}").get_data(as_text=True)
    assert "shelter" in _checkboxes(manage, "types")
    fresh = admin.get(f"/directory/manage/organizations/{service.organization_id}/services/new")
    assert "shelter" not in _checkboxes(fresh.get_data(as_text=True), "types")
    # The service keeps its retired kind when it is saved again.
    with app.test_request_context("/"):
        saved, _changed = save_service(
            db_session,
            None,
            ServiceDetails(
                organization_id=service.organization_id, name="Help 2", types=["shelter"]
            ),
            service,
            service.version,
        )
        assert saved.type_codes == ["shelter"]
        with pytest.raises(ValueError, match="types"):
            save_service(
                db_session,
                None,
                ServiceDetails(
                    organization_id=service.organization_id, name="Other", types=["shelter"]
                ),
            )


def test_hsds_import_knows_added_kinds_and_refuses_unknown_ones(app, db_session) -> None:
    from referrals.directory.hsds.importer import import_zip

    _add(db_session, "service_type", "cash_for_work", {"en": "Cash for work"})
    service = _service(app, db_session, ["health"])
    org_id, service_id = service.organization_id, service.id

    with app.test_request_context("/"):
        exported = export_zip(db_session, None)

    def archive(term: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(buffer, "w") as z:
            for name in source.namelist():
                text = source.read(name).decode("utf-8")
                if name.endswith("service_attributes.csv"):
                    text = text.replace(",health", f",{term}")
                    assert term in text
                z.writestr(name, text)
        return buffer.getvalue()

    with app.test_request_context("/"):
        ok = import_zip(db_session, None, archive("cash_for_work"), dry_run=True)
        assert ok.ok, ok.errors
        bad = import_zip(db_session, None, archive("astrology"), dry_run=True)
        assert not bad.ok
        assert any("astrology" in e for e in bad.errors)
    assert org_id is not None and service_id is not None


def test_closure_reasons_added_offered_and_retired_not(app, db_session, client) -> None:
    _add(db_session, "closure_reason", "resettled", {"en": "Resettled in a third country"})
    _retire(db_session, "closure_reason", "death")
    sign_in(client, make_account(app, db_session, Role.CASEWORKER), db_session)
    url = registered_case(client)
    page = client.get(f"{url}/closure/request").get_data(as_text=True)
    assert "Resettled in a third country" in page
    assert 'value="resettled"' in page and 'value="death"' not in page
    refused = post_form(
        client, f"{url}/closure/request", {"reason": "death", "summary": "The person passed away."}
    )
    assert refused.status_code in (200, 400)  # the form again, with its error
    assert "Not a valid choice" in refused.get_data(as_text=True)
    done = post_form(
        client,
        f"{url}/closure/request",
        {"reason": "resettled", "summary": "Resettled with the family abroad."},
    )
    assert done.status_code == 302
    assert "Resettled in a third country" in client.get(url).get_data(as_text=True)


def test_vulnerabilities_added_shown_and_retired_kept_on_the_case(app, db_session, client) -> None:
    _add(db_session, "vulnerability", "stateless", {"en": "Stateless", "fa_AF": "بی‌تابعیت"})
    sign_in(client, make_account(app, db_session, Role.CASEWORKER), db_session)
    assert "stateless" in _checkboxes(
        client.get("/cases/new").get_data(as_text=True), "vulnerabilities"
    )
    response = post_form(
        client, "/cases/new", FARIDA | {"vulnerabilities": ["stateless", "single_parent"]}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    url = response.headers["Location"]
    assert "Stateless" in client.get(url).get_data(as_text=True)
    _retire(db_session, "vulnerability", "single_parent")
    edit = client.get(f"{url}/details").get_data(as_text=True)
    assert "single_parent" in _checkboxes(edit, "vulnerabilities")
    version = re.search(r'name="version"[^>]*value="(\d+)"', edit) or re.search(
        r'value="(\d+)"[^>]*name="version"', edit
    )
    saved = post_form(
        client,
        f"{url}/details",
        {
            "version": version.group(1),
            "case_type": FARIDA["case_type"],
            "vulnerabilities": ["single_parent", "stateless"],
            "risk_level": "medium",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1000]
    new_case = client.get("/cases/new").get_data(as_text=True)
    assert "single_parent" not in _checkboxes(new_case, "vulnerabilities")
    refused = post_form(client, "/cases/new", FARIDA | {"vulnerabilities": ["single_parent"]})
    assert refused.status_code in (200, 400)
    assert "Single parent" in client.get(url).get_data(as_text=True)
    db_session.expire_all()
    case = db_session.scalar(select(Case).where(Case.id == uuid.UUID(url.rsplit("/", 1)[1])))
    assert sorted(case.vulnerability_codes) == ["single_parent", "stateless"]


def test_document_types_added_and_retired(app, db_session, client) -> None:
    _add(db_session, "document_type", "tazkira", {"en": "Tazkira", "fa_AF": "تذکره"})
    _retire(db_session, "document_type", "residence_permit")
    sign_in(client, make_account(app, db_session, Role.CASEWORKER), db_session)
    url = registered_case(client)
    page = client.get(f"{url}/documents").get_data(as_text=True)
    options = _options(page, "document_type")
    assert "tazkira" in options and "residence_permit" not in options
    response = post_form(
        client, f"{url}/documents", {"document_type": "tazkira", "document_number": "12345"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "Tazkira" in client.get(url).get_data(as_text=True)
    with app.test_request_context("/"):
        assert queries.label(db_session, "document_type", "tazkira", locale="fa_AF") == "تذکره"
