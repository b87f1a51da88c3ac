"""Assistance under real concurrent transactions (PostgreSQL): two supervisors approving at
once, and disbursements racing against the budget."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.assistance.models import Disbursement
from tests.casework.assistance.helpers import grant
from tests.casework.test_casework_races_pg import RACERS, _codes, _id, _poster, race

pytestmark = pytest.mark.postgres_only


def _disbursements(world, url: str, *where):
    world.db.expire_all()
    return world.db.scalars(
        select(Disbursement).where(Disbursement.case_id == _id(url), *where)
    ).all()


def test_two_supervisors_decide_at_once_one_wins(world):
    writer, url = world.new_case()
    path = f"{url}/assistance/new"
    assert _poster(writer, path, grant(world.worker.user.id), path)().status_code == 302
    [pending] = _disbursements(world, url)
    assert pending.status == "pending"
    decide = f"{url}/assistance/{pending.id}/decision"
    clients = world.clients(*world.bosses)
    calls = [
        _poster(c, decide, {"decision": "approve"}, decide)
        if i % 2
        else _poster(c, decide, {"decision": "return", "comment": "Not now, sorry."}, decide)
        for i, c in enumerate(clients)
    ]
    results = race(world.app, calls, r"UPDATE assistance_disbursement\b")
    assert _codes(results) == [302] + [409] * (RACERS - 1), _codes(results)
    refused = [r for r in results if r.status_code == 409]
    assert all("decided already" in r.get_data(as_text=True) for r in refused)
    [decided] = _disbursements(world, url)
    assert decided.status in {"approved", "returned"}
    decisions = world.audited("assistance.approved", _id(url))
    decisions += world.audited("assistance.returned", _id(url))
    assert decisions == 1


def test_disbursements_racing_against_the_budget_never_exceed_it(world):
    writer, url = world.new_case()
    path = f"{url}/assistance/new"
    clients = [writer, *world.clients(world.worker)[1:]]
    # 600 each against the limit of 2,000 per person: only three fit.
    data = grant(world.worker.user.id, amount="600")
    calls = [_poster(c, path, data, path) for c in clients]
    results = race(world.app, calls, r"SELECT casefile\.id\s+FROM casefile\s+WHERE")
    assert _codes(results) == [302] * 3 + [422] * (RACERS - 3), _codes(results)
    refused = [r for r in results if r.status_code == 422]
    assert all("exceed the limit per person" in r.get_data(as_text=True) for r in refused)
    world.db.expire_all()
    total = world.db.scalar(
        select(func.sum(Disbursement.amount_minor)).where(Disbursement.case_id == _id(url))
    )
    assert total == 180000
    assert world.audited("assistance.refused", _id(url)) == RACERS - 3


def test_a_household_racing_against_its_limit_never_exceeds_it(world):
    from casework.signals import household_cases_asking

    members = [world.new_case() for _ in range(3)]
    ids = [_id(url) for _writer, url in members]

    def household(case, **_kw):
        return ids if case.id in ids else None

    household_cases_asking.connect(household)
    try:
        # 1,000 each: every case stays within its 2,000, but the household's 5,000 lets only
        # five of the six through, whichever case they are for.
        data = grant(world.worker.user.id, amount="1000")
        clients = world.clients(world.worker)
        calls = [
            _poster(c, f"{members[i % 3][1]}/assistance/new", data, members[i % 3][1])
            for i, c in enumerate(clients)
        ]
        results = race(world.app, calls, r"SELECT casefile\.id\s+FROM casefile\s+WHERE")
    finally:
        household_cases_asking.disconnect(household)
    assert _codes(results) == [302] * 5 + [422], _codes(results)
    [refused] = [r for r in results if r.status_code == 422]
    assert "limit per household" in refused.get_data(as_text=True)
    world.db.expire_all()
    total = world.db.scalar(
        select(func.sum(Disbursement.amount_minor)).where(Disbursement.case_id.in_(ids))
    )
    assert total == 500000
