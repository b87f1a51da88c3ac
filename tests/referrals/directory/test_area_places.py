"""Service areas chosen from places, beside the areas typed in (which keep working)."""

from __future__ import annotations

import re

from sqlalchemy import select

from referrals.directory.models import ServiceArea
from tests.core.places.helpers import import_good
from tests.factories import post_form


def _service_data(directory, page: str, **changes):
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return {
        "organization_id": str(directory.clinic.id),
        "name": "Trauma counselling",
        "status": "active",
        "types": ["mental_health"],
        "languages": ["sq", "en"],
        "areas": "Prishtina, XK",
        "location_ids": [str(sal.location_id) for sal in directory.counselling.at_locations],
        "version": version,
        **changes,
    }


def test_areas_from_places_are_stored_with_their_pcode_beside_typed_ones(
    app, as_admin, db_session, directory
):
    import_good(db_session, app=app)
    url = f"/directory/manage/services/{directory.counselling.id}"
    page = as_admin.get(url).get_data(as_text=True)
    assert '<optgroup label="Herat (Afghanistan)">' in page
    data = _service_data(directory, page, area_places=["AF3002", "AF01"])
    response = post_form(as_admin, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    areas = db_session.scalars(
        select(ServiceArea).where(ServiceArea.service_id == directory.counselling.id)
    ).all()
    assert sorted((a.service_area, a.country, a.place_pcode) for a in areas) == [
        ("Injil, Herat", "AF", "AF3002"),
        ("Kabul", "AF", "AF01"),
        ("Prishtina", "XK", None),
    ]
    page = as_admin.get(url).get_data(as_text=True)
    assert re.search(r'<option selected value="AF3002">|value="AF3002" selected', page)
    typed = re.search(r'<textarea[^>]*name="areas"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert typed.strip() == "Prishtina, Kosovo"  # the places are not repeated as text
    # Found by the area search like a typed area.
    found = as_admin.get("/directory/?area=Injil").get_data(as_text=True)
    assert "Trauma counselling" in found


def test_an_unknown_place_is_refused(app, as_admin, db_session, directory):
    import_good(db_session, app=app)
    url = f"/directory/manage/services/{directory.counselling.id}"
    data = _service_data(directory, as_admin.get(url).get_data(as_text=True))
    response = post_form(as_admin, url, {**data, "area_places": ["AF9999"]})
    assert response.status_code == 400
    assert "Choose places from the list." in response.get_data(as_text=True)
