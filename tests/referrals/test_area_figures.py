"""Figures by area: cases registered and referrals sent per province of return or
identification, hand-computed for a known set; scope, period, language, small counts, CLI."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casework.models import Case
from core.clock import utcnow
from core.permissions import Role
from referrals import figures
from referrals.vocabulary import ReferralState
from tests.core.places.helpers import import_good
from tests.factories import make_account, make_organisation, sign_in
from tests.referrals.followup_factories import make_case

S = ReferralState
HERAT, KABUL, DUSHANBE = "AF30", "AF01", "TJ01"


def _case(app, db_session, organisation_id, user_id, province, days_ago=0):
    case = make_case(app, db_session, organisation_id, user_id)
    with app.app_context():
        row = db_session.get(Case, case.id)
        row.province_pcode = province
        row.opened_at = utcnow() - timedelta(days=days_ago)
        db_session.commit()
    return row


@pytest.fixture
def areas_set(app, db_session, world):
    """The agency: the world's case (no province), 6 cases in Herat, 2 in Kabul, 1 in
    Dushanbe opened 40 days ago. Referrals sent 10 days ago: 5 from Herat, 1 from Kabul, 1
    from the world's case, 1 from Dushanbe; 1 from Herat 30 days ago. Another agency: 3
    cases in Herat, 2 referrals from one of them 10 days ago."""
    import_good(db_session, app=app)
    user = world.caseworker.user.id
    herat = [_case(app, db_session, world.agency.id, user, HERAT) for _ in range(6)]
    kabul = [_case(app, db_session, world.agency.id, user, KABUL) for _ in range(2)]
    dushanbe = _case(app, db_session, world.agency.id, user, DUSHANBE, days_ago=40)
    recent, old = utcnow() - timedelta(days=10), utcnow() - timedelta(days=30)
    for case in [herat[0], herat[0], herat[0], herat[1], herat[2], kabul[0], world.case, dushanbe]:
        world.referral(app, db_session, case=case, sent_at=recent)
    world.referral(app, db_session, case=herat[3], sent_at=old, state=S.DECLINED)
    agency = make_organisation(app, db_session, agency=True)
    worker = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    theirs = [_case(app, db_session, agency.id, worker.user.id, HERAT) for _ in range(3)]
    for _ in range(2):
        world.referral(app, db_session, case=theirs[0], referrer_id=worker.user.id, sent_at=recent)
    return world


def _rows(table):
    return {(a.pcode, a.name): (a.cases, a.referrals) for a in table}


def _period():
    return figures.Period(utcnow().date() - timedelta(days=20), utcnow().date())


def test_area_figures_are_counted_as_by_hand(app, db_session, areas_set, monkeypatch):
    import core.crypto.fields

    def refuse(*_a, **_k):
        raise AssertionError("figures must not decrypt anything")

    monkeypatch.setattr(core.crypto.fields, "decrypt_bytes", refuse)
    with app.app_context():
        ours = figures.area_figures(db_session, _period(), areas_set.agency.id)
        everyone = figures.area_figures(db_session, figures.Period())
    assert [a.pcode for a in ours] == [DUSHANBE, HERAT, KABUL, None]  # by name, none last
    assert _rows(ours) == {
        (DUSHANBE, "Dushanbe, Tajikistan"): (0, 1),  # opened before the period
        (HERAT, "Herat, Afghanistan"): (6, 5),  # the old referral is outside the period
        (KABUL, "Kabul, Afghanistan"): (2, 1),
        (None, ""): (1, 1),
    }
    assert _rows(everyone) == {
        (DUSHANBE, "Dushanbe, Tajikistan"): (1, 1),
        (HERAT, "Herat, Afghanistan"): (6 + 3, 5 + 1 + 2),
        (KABUL, "Kabul, Afghanistan"): (2, 1),
        (None, ""): (1, 1),
    }


def test_province_names_follow_the_reader_s_language(app, db_session, areas_set):
    with app.app_context():
        table = figures.area_figures(db_session, figures.Period(), language="fa")
    assert {a.pcode: a.name for a in table}[HERAT] == "هرات, Afghanistan"


def test_small_counts():
    assert [figures.count_text(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def _area_table(page: str) -> dict[str, list[str]]:
    table = re.search(r'<table class="data" id="area-figures">.*?</table>', page, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S):
        name = re.sub(r"<[^>]+>", "", row.split("</th>")[0]).strip()
        rows[name] = re.findall(r"<td>(.*?)</td>", row)
    return rows


def test_the_page_shows_the_supervisors_organisation_with_small_counts_hidden(
    app, client, db_session, areas_set
):
    sign_in(client, areas_set.supervisor, db_session)
    start = (utcnow().date() - timedelta(days=20)).isoformat()
    response = client.get(f"/referrals/figures?date_from={start}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "By province of return or identification" in page
    assert _area_table(page) == {
        "Dushanbe, Tajikistan": ["0", "&lt;5"],
        "Herat, Afghanistan": ["6", "5"],
        "Kabul, Afghanistan": ["&lt;5", "&lt;5"],
        "Not recorded": ["&lt;5", "&lt;5"],
    }


def test_an_administrator_sees_every_organisation(app, client, db_session, areas_set):
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    page = client.get("/referrals/figures").get_data(as_text=True)
    assert _area_table(page)["Herat, Afghanistan"] == ["9", "8"]


def test_a_bad_period_shows_no_area_table(app, client, db_session, areas_set):
    sign_in(client, areas_set.supervisor, db_session)
    response = client.get("/referrals/figures?date_from=2026-05-01&date_to=2026-04-01")
    assert response.status_code == 400
    assert 'id="area-figures"' not in response.get_data(as_text=True)


def test_the_cli_prints_the_provinces_after_the_providers(app, db_session, areas_set):
    result = app.test_cli_runner().invoke(args=["referrals", "figures"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("province_pcode\tprovince\tcases\treferrals")
    assert lines[start + 1 :] == [
        "TJ01\tDushanbe, Tajikistan\t<5\t<5",
        "AF30\tHerat, Afghanistan\t9\t8",
        "AF01\tKabul, Afghanistan\t<5\t<5",
        "-\tnot recorded\t<5\t<5",
    ]


def test_the_deployment_s_small_cell_threshold_governs_the_page_and_the_cli(
    app, client, db_session, areas_set, override_settings
):
    """HOMEWARD_SMALL_CELL_THRESHOLD is the one threshold: raised to 8, a count of 6 is hidden."""
    override_settings(SMALL_CELL_THRESHOLD=8)
    assert [figures.count_text(n, 8) for n in (0, 7, 8)] == ["0", "<8", "8"]
    sign_in(client, areas_set.supervisor, db_session)
    start = (utcnow().date() - timedelta(days=20)).isoformat()
    page = client.get(f"/referrals/figures?date_from={start}").get_data(as_text=True)
    assert _area_table(page)["Herat, Afghanistan"] == ["&lt;8", "&lt;8"]
    result = app.test_cli_runner().invoke(args=["referrals", "figures"])
    assert "AF30\tHerat, Afghanistan\t9\t8" in result.output.splitlines()
    assert "AF01\tKabul, Afghanistan\t<8\t<8" in result.output.splitlines()
