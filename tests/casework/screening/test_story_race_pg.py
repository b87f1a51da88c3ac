"""Saving the trafficking story from the same version in parallel on PostgreSQL: exactly one
version is added, every other save gets a clear 409, never a 500."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from casework.screening.models import TraffickingStory
from tests.casework.screening.story_helpers import STORY
from tests.casework.test_casework_races_pg import (  # noqa: F401 (fixtures)
    RACERS,
    _codes,
    _poster,
    race,
    race_app,
    world,
)

pytestmark = pytest.mark.postgres_only


def test_story_saved_at_once_from_one_version_adds_one_version(world):  # noqa: F811
    _writer, url = world.new_case()
    path = f"{url}/screening/story/edit"
    calls = [_poster(c, path, STORY, path) for c in world.clients(world.worker)]
    results = race(world.app, calls, r"INSERT INTO trafficking_story\b")
    assert _codes(results) == [302] + [409] * (RACERS - 1), _codes(results)
    refused = [r for r in results if r.status_code == 409]
    assert all("newer version" in r.get_data(as_text=True) for r in refused)
    case_id = uuid.UUID(url.rsplit("/", 1)[1])
    world.db.expire_all()
    versions = world.db.scalar(select(func.count()).where(TraffickingStory.case_id == case_id))
    assert versions == 1
    assert world.audited("trafficking_story.recorded", case_id) == 1
