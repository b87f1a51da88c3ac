"""The caseload: filters, sorting and keyset paging that neither skips nor repeats a case."""

from __future__ import annotations

import re

from sqlalchemy import select

from casework import caseload
from casework.models import Case
from tests.casework.helpers import case_url, register
from tests.factories import sign_in


def _numbers(body: str) -> list[str]:
    return re.findall(r'href="/cases/[0-9a-f-]{36}"><bdi>([A-Z0-9-]+)</bdi></a>', body)


def test_paging_and_sorting_cover_every_case_once(
    app, db_session, client, supervisor, caseworker, monkeypatch
):
    monkeypatch.setattr(caseload, "PAGE_SIZE", 3)
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    for i in range(7):
        case_url(
            register(
                writer,
                {
                    "name_original": f"Person {i} Tursunov{i}",
                    "case_type": "returnee" if i % 2 else "presumed_victim",
                },
                True,
            )
        )
    sign_in(client, supervisor, db_session)
    expected = sorted(db_session.scalars(select(Case.case_number)).all())
    for sort in ("newest", "oldest", "number"):
        seen, url = [], f"/cases/?sort={sort}"
        while url:
            body = client.get(url).get_data(as_text=True)
            seen += _numbers(body)
            nxt = re.search(r'href="(/cases/\?after=[^"]+)"', body)
            url = nxt.group(1).replace("&amp;", "&") if nxt else None
        assert sorted(seen) == expected, sort
        if sort == "number":
            assert seen == expected
        if sort == "oldest":
            assert seen == expected  # numbers are issued in order of opening
    body = client.get("/cases/?type=returnee").get_data(as_text=True)
    assert len(_numbers(body)) == 3
    assert client.get("/cases/?sort=bogus&after=garbage|x").status_code == 200


def test_overdue_filter_and_deadline_in_the_header(
    app, db_session, client, caseworker, time_travel
):
    from tests.casework.helpers import SCREENING, record_screening
    from tests.factories import post_form

    sign_in(client, caseworker, db_session)
    url = case_url(
        register(client, {"name_original": "Overdue Person", "case_type": "presumed_victim"})
    )
    case_url(register(client, {"name_original": "Other Person", "case_type": "returnee"}, True))
    record_screening(client, url, SCREENING)
    response = post_form(
        client, f"{url}/screening/reflection", {"starts_on": "2026-10-01", "days": "30"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    header = client.get(url).get_data(as_text=True)
    assert "Reflection period ends" in header
    assert (
        "Overdue Person" not in client.get("/cases/?overdue=1").get_data(as_text=True)
        or "ended" in header
    )
    time_travel(days=400)
    sign_in(client, caseworker, db_session)
    overdue = client.get("/cases/?overdue=1").get_data(as_text=True)
    assert "Overdue Person" in overdue and "Other Person" not in overdue
    assert "ended" in client.get(url).get_data(as_text=True)
