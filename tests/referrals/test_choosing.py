"""Choosing a service (issue 15, item 11): each service says whether the recorded consent
covers it, those that speak the person's language and serve their area come first, and the
provider's name is shown once."""

from __future__ import annotations

import re
import uuid

from referrals.directory.models import Service, ServiceArea, ServiceLanguage, ServiceTypeTerm
from tests.factories import make_organisation
from tests.referrals.helpers import case_id_of, make_service, other_basis_for, send


def _choose(client, case_url: str) -> str:
    response = client.get(f"/referrals/cases/{case_id_of(case_url)}/new")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(page: str, name: str) -> str:
    rows = [r for r in re.split(r"<tr>", page) if f"<td>{name}" in r]
    assert len(rows) == 1, name
    return rows[0]


def _add(db, listing, name: str, kinds=("health",)) -> Service:
    """Another service of the provider's one directory listing."""
    service = Service(id=uuid.uuid4(), organization_id=listing.id, name=name, status="active")
    service.types = [ServiceTypeTerm(code=k) for k in kinds]
    db.add(service)
    db.commit()
    return service


def test_each_service_says_whether_the_consent_covers_it(
    app, db_session, client, case, provider_org, service
):
    # The case's consent covers provider_org for health care only.
    service.name = "Check-up A"
    _add(db_session, service.organization, "Legal advice B", kinds=("legal",))
    elsewhere = make_organisation(app, db_session, agency=False, provider=True)
    make_service(db_session, organisation_id=elsewhere.id).name = "Check-up C"
    db_session.commit()

    page = _choose(client, case)
    assert "Covered by consent" in _row(page, "Check-up A")
    assert "Not covered" not in _row(page, "Check-up A")
    for name in ("Legal advice B", "Check-up C"):
        row = _row(page, name)
        assert "Not covered by the recorded consent" in row
        assert "Covered by consent" not in row
        assert "Another recorded legal basis" not in row

    other_basis_for(client, case)  # vital interest, no scope: allows any referral
    page = _choose(client, case)
    assert "Another recorded legal basis may allow it." in _row(page, "Check-up C")
    assert "Covered by consent" in _row(page, "Check-up A")


def test_services_in_the_persons_language_and_area_come_first(
    app, db_session, client, case, service
):
    # Farida speaks "Dari, Russian" and lives in Ghoryan, Herat (AF).
    service.name = "A plain"
    service.languages = [ServiceLanguage(language="en")]
    listing = service.organization
    speaks = _add(db_session, listing, "B Dari")
    both = _add(db_session, listing, "C Herat Dari")
    elsewhere = _add(db_session, listing, "D Herat elsewhere")
    speaks.languages = [ServiceLanguage(language="prs")]
    both.languages = [ServiceLanguage(language="ru"), ServiceLanguage(language="prs")]
    both.areas = [ServiceArea(id=uuid.uuid4(), service_area="Herat", country="AF")]
    elsewhere.areas = [ServiceArea(id=uuid.uuid4(), service_area="Herat", country="PK")]
    db_session.commit()

    page = _choose(client, case)
    names = ("C Herat Dari", "B Dari", "A plain", "D Herat elsewhere")
    order = [page.index(f"<td>{n}") for n in names]
    assert order == sorted(order)  # the directory's order was A, B, C, D
    assert "Speaks Dari · Serves Herat" in _row(page, "C Herat Dari")
    assert "Speaks Dari" in _row(page, "B Dari")
    assert "Serves" not in _row(page, "B Dari")
    for name in ("A plain", "D Herat elsewhere"):  # another country's Herat is not hers
        assert "Speaks" not in _row(page, name) and "Serves" not in _row(page, name)


def test_the_provider_is_named_once_on_the_referral(
    app, db_session, client, case, service, provider_org
):
    service.organization.name = provider_org.name  # the listing bears the provider's name
    db_session.commit()
    referral = send(client, db_session, case, service)
    page = client.get(f"/referrals/{referral.id}/sent").get_data(as_text=True)
    assert page.count(provider_org.name) == 1
    assert f"{provider_org.name} ({provider_org.name})" not in page

    service.organization.name = "Listed Otherwise"
    db_session.commit()
    page = client.get(f"/referrals/{referral.id}/sent").get_data(as_text=True)
    assert f"Listed Otherwise ({provider_org.name})" in page
