"""Parallel household edits on PostgreSQL: exactly one wins, every other one gets a clear 409,
never a 500 or a lost update (the race happens on every run: see
tests/casework/test_casework_races_pg.py)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.households.models import Household, HouseholdMember
from casework.models import Case
from tests.casework.helpers import FARIDA, case_url, register
from tests.casework.households.helpers import register_family
from tests.casework.test_casework_races_pg import (  # noqa: F401  (fixtures)
    RACERS,
    _codes,
    _poster,
    race,
    race_app,
    world,
)

pytestmark = pytest.mark.postgres_only


def _household(found, head_url: str) -> Household:
    found.db.expire_all()
    head = found.db.get(Case, uuid.UUID(head_url.rsplit("/", 1)[1]))
    member = found.db.scalar(
        select(HouseholdMember).where(HouseholdMember.person_id == head.person_id)
    )
    return member.household


def test_relationship_changed_at_once_saves_once(world):  # noqa: F811
    writer = world.client(world.worker)
    head_url = register_family(writer, again=True)
    household = _household(world, head_url)
    loaded = household.version
    child = next(m for m in household.members if m.role == "child")
    prefix = f"m-{child.id.hex[:12]}"
    path = f"{head_url}/household/members/{child.id}/role"
    roles = ["dependant", "relative"]
    calls = [
        _poster(
            c,
            path,
            {f"{prefix}-role": roles[i % 2], f"{prefix}-version": household.version},
            head_url,
        )
        for i, c in enumerate(world.clients(world.worker))
    ]
    results = race(world.app, calls, r"UPDATE household\b")
    assert _codes(results) == [302] + [409] * (RACERS - 1), _codes(results)
    refused = [r for r in results if r.status_code == 409]
    assert all("changed this household" in r.get_data(as_text=True) for r in refused)
    after = _household(world, head_url)
    assert after.version == loaded + 1
    changes = world.count(
        AuditEvent,
        AuditEvent.action == "household.member_changed",
        AuditEvent.object_id == str(child.id),
    )
    assert changes == 1


def test_members_added_at_once_add_one(world):  # noqa: F811
    writer = world.client(world.worker)
    head_url = register_family(writer, again=True)
    household = _household(world, head_url)
    joining = [
        case_url(
            register(
                writer,
                {**FARIDA, "name_original": f"Racer {i}", "document_number": f"R-{i}"},
                confirm_new=True,
            )
        )
        for i in range(RACERS)
    ]
    calls = [
        _poster(
            c,
            f"{head_url}/household/add",
            {
                "member_case": joining[i].rsplit("/", 1)[1],
                "role": "relative",
                "version": household.version,
            },
            f"{head_url}/household/add",
        )
        for i, c in enumerate(world.clients(world.worker))
    ]
    results = race(world.app, calls, r"UPDATE household\b")
    assert _codes(results) == [302] + [409] * (RACERS - 1), _codes(results)
    after = _household(world, head_url)
    assert len(after.members) == 5
