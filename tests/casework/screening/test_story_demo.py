"""The demo gives the caseworker's first presumed victim a trafficking story."""

from __future__ import annotations

from sqlalchemy import select

from casework.models import Case
from casework.screening import queries
from casework.screening.models import TraffickingStory


def test_the_demo_case_has_a_story(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    (story,) = db_session.scalars(select(TraffickingStory)).all()
    case = db_session.get(Case, story.case_id)
    with app.app_context():
        assert story.version == 1 and story.exploitation_countries == ["TR"]
        assert story.exploitation_months == 15
        part = queries.skeleton_part(case, db_session)
    assert part["recruiter_relation"] == "friend"
    assert part["majority_at_exploitation"] == "adult"
