"""Areas served are written with the country's name (its code still works) and shown with it:
the service form no longer asks for an ISO code."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from referrals.directory.forms import parse_area
from referrals.directory.models import Service
from tests.factories import post_form


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("Prishtina, Kosovo", ("Prishtina", "XK")),
        ("Prishtina, xk", ("Prishtina", "XK")),
        ("Herat, Hirat province, Afghanistan", ("Herat, Hirat province", "AF")),
        ("  Tirana ,  albania ", ("Tirana", "AL")),
        ("Prishtina", None),
        ("Prishtina, Atlantis", None),
        (", Kosovo", None),
    ],
)
def test_parse_area_takes_a_name_or_a_code(app, line, parsed):
    with app.test_request_context():
        assert parse_area(line) == parsed


def test_parse_area_takes_the_readers_name(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert parse_area("Приштина, Косово") == ("Приштина", "XK")


def test_parse_area_takes_the_arabic_comma_right_to_left_keyboards_type(app):
    with app.test_request_context(headers={"Accept-Language": "fa-AF"}):
        assert parse_area("هرات، Afghanistan") == ("هرات", "AF")


def test_the_service_form_shows_and_takes_country_names(as_admin, db_session, directory):
    url = f"/directory/manage/services/{directory.counselling.id}"
    page = as_admin.get(url).get_data(as_text=True)
    assert "Prishtina, Kosovo" in page and "Prishtina, XK" not in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {
        "organization_id": str(directory.clinic.id),
        "name": directory.counselling.name,
        "status": "active",
        "types": directory.counselling.type_codes,
        "languages": list(directory.counselling.language_codes),
        "areas": "Prishtina, Kosovo\nTirana, Albania",
        "location_ids": [str(sal.location_id) for sal in directory.counselling.at_locations],
        "version": version,
    }
    response = post_form(as_admin, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    service = db_session.scalar(select(Service).where(Service.id == directory.counselling.id))
    db_session.refresh(service)
    assert sorted((a.service_area, a.country) for a in service.areas) == [
        ("Prishtina", "XK"),
        ("Tirana", "AL"),
    ]
    refused = post_form(as_admin, url, {**data, "areas": "Prishtina, Atlantis"})
    assert refused.status_code == 400
    assert "Write one area per line as: area, country (Kosovo)." in refused.get_data(as_text=True)
