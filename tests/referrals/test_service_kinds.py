"""One vocabulary of service kinds for consent and the directory (issue 15, item 11), and the
data migration that maps the codes each used before onto it, both ways."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from casework.consent.forms import LegalBasisForm
from casework.consent.vocabulary import ServiceType
from core import migrate
from core.app import create_app
from core.db import make_engine
from core.permissions import Role
from referrals.directory import vocabulary as directory_vocabulary
from referrals.directory.forms import ServiceForm
from referrals.directory.hsds.rows import _term
from referrals.directory.models import ServiceTypeTerm
from referrals.forms import ServiceFilterForm
from tests import databases
from tests.casework.helpers import FARIDA, case_url, register
from tests.conftest import make_settings
from tests.factories import make_account, make_organisation, sign_in
from tests.referrals.helpers import consent_for, make_service

#: The revision before the one list (downgrading further would undo unrelated ones).
REVISION_BEFORE = "a4d7c2e9b1f3"


def test_consent_the_directory_and_the_service_filter_offer_the_same_kinds(app):
    with app.test_request_context("/"):
        consent = LegalBasisForm(formdata=None).service_types.choices
        directory = ServiceForm(formdata=None).types.choices
        chooser = ServiceFilterForm(formdata=None).kind.choices[1:]  # after "Any type"
    assert consent == directory == chooser
    assert [code for code, _ in consent] == [kind.value for kind in ServiceType]
    assert ("health", "Health care") in consent
    assert not any(label == "Medical care" for _, label in consent)
    assert not hasattr(directory_vocabulary, "ServiceKind")
    assert directory_vocabulary.ServiceType is ServiceType
    assert set(directory_vocabulary.LABELS).isdisjoint(ServiceType)  # labelled in one place


def test_an_old_hsds_file_naming_medical_still_imports_as_health():
    assert _term({"taxonomy_term_id": "medical"}) == "health"
    assert _term({"taxonomy_term_id": "Health"}) == "health"


def test_the_directory_and_the_consent_page_name_a_kind_the_same_way(
    app, db_session, client, case, service
):
    listing = client.get(f"/directory/services/{service.id}").get_data(as_text=True)
    consent = client.get(f"{case}/consent/").get_data(as_text=True)
    assert "Health care" in listing and "Health care" in consent
    assert "Medical care" not in listing


@pytest.fixture
def database_with_kinds(backend, key_file, tmp_path, monkeypatch):
    """A database at head with a health service and a consent covering several kinds."""
    monkeypatch.setenv("HOMEWARD_KEY_FILE", str(key_file))
    url = databases.fresh_database(backend, tmp_path, "kindsmig")
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_file))
    database = app.extensions["homeward_db"]
    db = database.new_session()
    agency = make_organisation(app, db, agency=True)
    provider = make_organisation(app, db, agency=False, provider=True)
    worker = make_account(app, db, Role.CASEWORKER, organisation=agency)
    client = app.test_client()
    sign_in(client, worker, db)
    url_ = case_url(register(client, FARIDA))
    kinds = ("health", "employment", "business_grant", "legal", "documentation")
    consent_for(client, url_, provider.id, types=(*kinds, "cash_assistance"))
    make_service(db, organisation_id=provider.id, kinds=("health", "mental_health"))
    db.close()
    database.engine.dispose()
    yield url
    if backend == "postgresql":
        databases.drop_postgres(url)


def _codes(url: str) -> tuple[list[str], list[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            consent = connection.execute(
                text("SELECT code FROM legal_basis_service_type ORDER BY code")
            ).scalars()
            directory = connection.execute(
                select(ServiceTypeTerm.code).order_by(ServiceTypeTerm.code)
            ).scalars()
            return list(consent), list(directory)
    finally:
        engine.dispose()


def test_the_migration_maps_stored_kinds_down_and_up(database_with_kinds):
    url = database_with_kinds
    migrate.downgrade(url, REVISION_BEFORE)
    assert _codes(url) == (
        ["financial", "health", "legal", "livelihood"],
        ["medical", "mental_health"],
    )
    migrate.upgrade(url)
    # Each old consent kind covers what it covered before: livelihood both employment and
    # business grants, legal also documentation (education and vocational training alike).
    assert _codes(url) == (
        [
            "business_grant",
            "cash_assistance",
            "documentation",
            "employment",
            "health",
            "legal",
        ],
        ["health", "mental_health"],
    )
