"""Several plan actions typed in rows on the plan page: saved together or not at all; the
supervisor's review page shows whose plan it is and the assessment it answers; the submit
button is not the page's main button while the plan is empty."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from casework.planning.forms import MAX_ROWS, ROWS_SHOWN
from casework.planning.models import PlanAction
from tests.casework.planning_helpers import (
    action,
    add_action,
    plan_of,
    plan_version,
    planned_case,
    record_assessment,
    review,
    start_plan,
)
from tests.factories import post_form, sign_in

SOON = (date.today() + timedelta(days=14)).isoformat()
ROWS = [
    action(description="Apply for the small-business grant"),
    action(dimension="social", description="Enrol the children in school", due_on=SOON),
    action(dimension="psychosocial", description="Peer support group", responsible_other="NGO"),
]


def _rows(*actions: dict[str, str], start: int = 0) -> dict[str, str]:
    """The rows form's fields for ``actions`` (a row has no status: a new action is planned)."""
    return {
        f"rows-{start + n}-{name}": value
        for n, values in enumerate(actions)
        for name, value in values.items()
        if name != "status"
    }


def _empty_row(n: int) -> dict[str, str]:
    return {f"rows-{n}-{name}": "" for name in ("dimension", "description", "due_on")} | {
        f"rows-{n}-responsible_user": "",
        f"rows-{n}-responsible_other": "",
    }


def _save_rows(client, url: str, data: dict[str, str], version: str | None = None):
    data = {"version": version or plan_version(client, url), **data}
    return post_form(client, f"{url}/plan/actions/", data, token_from=f"{url}/plan/")


def _stored(app, db_session) -> list[str]:
    db_session.expire_all()
    with app.app_context():
        return sorted(a.description for a in db_session.scalars(select(PlanAction)))


@pytest.fixture
def started(client, caseworker, farida):
    assert record_assessment(client, farida).status_code == 302
    assert start_plan(client, farida).status_code == 302
    return farida


def test_the_plan_page_offers_three_empty_rows(app, db_session, client, started):
    page = client.get(f"{started}/plan/").get_data(as_text=True)
    assert 'id="add-actions"' in page
    for n in range(ROWS_SHOWN):
        assert f'name="rows-{n}-description"' in page
    assert f'name="rows-{ROWS_SHOWN}-description"' not in page
    assert "Add more rows" in page
    # An empty row's fields are not marked required (empty rows are simply left out).
    row = page.split('id="add-actions"', 1)[1]
    assert " required" not in row and "(required)" not in row


def test_several_actions_are_saved_at_once_and_empty_rows_ignored(app, db_session, client, started):
    data = _rows(*ROWS) | _empty_row(3) | _empty_row(4)
    response = _save_rows(client, started, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/plan/#main")
    assert _stored(app, db_session) == sorted(a["description"] for a in ROWS)
    plan = plan_of(db_session, started)
    assert {a.status for a in plan.actions} == {"planned"}
    assert {a.dimension for a in plan.actions} == {"economic", "social", "psychosocial"}
    added = db_session.scalar(select(func.count()).where(AuditEvent.action == "plan.action_added"))
    assert added == 3
    page = client.get(f"{started}/plan/").get_data(as_text=True)
    assert "3 actions added." in page


def test_a_bad_row_keeps_every_typed_row_and_saves_nothing(app, db_session, client, started):
    bad = action(description="", due_on="2026-13-45", responsible_other="")
    data = _rows(ROWS[0], bad, ROWS[2])
    response = _save_rows(client, started, data)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _stored(app, db_session) == []
    assert "nothing was saved" in body
    for name in ("description", "due_on", "responsible_other"):
        assert f'id="rows-1-{name}-error"' in body
    assert 'id="rows-0-description-error"' not in body
    assert 'id="rows-2-description-error"' not in body
    # What was typed in every row is still there.
    assert "Apply for the small-business grant" in body and "Peer support group" in body
    assert 'value="2026-13-45"' in body
    # Fixing the row saves all three.
    fixed = _rows(ROWS[0], action(description="Identity card", dimension="social"), ROWS[2])
    assert _save_rows(client, started, fixed).status_code == 302
    assert len(_stored(app, db_session)) == 3


def test_a_row_with_a_staff_member_of_another_organisation_is_refused(
    app, db_session, client, started, supervisor
):
    data = _rows(
        action(responsible_user=str(supervisor.user.id), responsible_other=""),
        action(responsible_user="00000000-0000-0000-0000-000000000000", responsible_other=""),
    )
    response = _save_rows(client, started, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="rows-1-responsible_user-error"' in body
    assert 'id="rows-0-responsible_user-error"' not in body
    assert _stored(app, db_session) == []


def test_nothing_filled_in_saves_nothing_and_says_so(app, db_session, client, started):
    response = _save_rows(client, started, _empty_row(0) | _empty_row(1) | _empty_row(2))
    assert response.status_code == 200
    assert "Fill in at least one row" in response.get_data(as_text=True)
    assert _stored(app, db_session) == []


def test_add_more_rows_keeps_what_was_typed_and_saves_nothing(app, db_session, client, started):
    data = _rows(ROWS[0]) | _empty_row(1) | _empty_row(2) | {"more": "1"}
    response = _save_rows(client, started, data)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _stored(app, db_session) == []
    assert f'name="rows-{2 * ROWS_SHOWN - 1}-description"' in body
    assert "Apply for the small-business grant" in body
    assert "field-error" not in body  # asking for rows is no attempt to save
    # At most MAX_ROWS rows, however many are asked for or posted.
    many = {f"rows-{n}-description": "" for n in range(MAX_ROWS + 20)} | {"more": "1"}
    body = _save_rows(client, started, many).get_data(as_text=True)
    assert f'name="rows-{MAX_ROWS - 1}-description"' in body
    assert f'name="rows-{MAX_ROWS}-description"' not in body
    assert "Add more rows" not in body


def test_a_stale_rows_form_is_refused_and_keeps_the_rows(app, db_session, client, started):
    stale = plan_version(client, started)
    assert add_action(client, started, description="Added in another tab").status_code == 302
    response = _save_rows(client, started, _rows(*ROWS), version=stale)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Someone else changed the plan" in body
    assert "Peer support group" in body  # the typed rows stay
    assert _stored(app, db_session) == ["Added in another tab"]
    # The page now carries the current version: saving again works.
    current = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', body)
    assert current and current.group(1) != stale
    assert _save_rows(client, started, _rows(*ROWS), version=current.group(1)).status_code == 302
    assert len(_stored(app, db_session)) == 4


def test_a_missing_csrf_token_is_a_400(app, db_session, client, started):
    response = client.post(f"{started}/plan/actions/", data=_rows(*ROWS))
    assert response.status_code == 400
    assert _stored(app, db_session) == []


def test_submit_is_not_the_main_button_on_an_empty_plan(app, db_session, client, started):
    def submit_button(page: str) -> str:
        found = re.search(r"<button[^>]*>Submit plan for approval</button>", page)
        assert found, "no submit button"
        return found.group(0)

    page = client.get(f"{started}/plan/").get_data(as_text=True)
    button = submit_button(page)
    assert "button--primary" not in button and 'aria-describedby="submit-hint"' in button
    assert "at least one action" in page
    assert re.search(r'class="button button--primary">Save the actions<', page)
    case_page = client.get(started).get_data(as_text=True)
    assert "Next: add the plan's actions." in case_page and "Add the plan's actions" in case_page
    assert _save_rows(client, started, _rows(ROWS[0])).status_code == 302
    page = client.get(f"{started}/plan/").get_data(as_text=True)
    assert "button--primary" in submit_button(page)
    assert re.search(r'class="button">Save the actions<', page)


def test_the_review_page_shows_the_person_and_the_assessment(
    app, db_session, client, caseworker, farida, supervisor
):
    planned_case(client, farida)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    page = boss.get(f"{farida}/plan/review").get_data(as_text=True)
    assert "Farida Nazari" in page
    assert "Needs assessment this plan answers" in page
    assert "Oct 5, 2026" in page  # the date of the assessment
    assert "No income since the return" in page and "Sleeps badly" in page
    assert "High risk" in page and "Medium risk" in page
    viewed = db_session.scalars(
        select(AuditEvent.object_type).where(AuditEvent.action == "assessment.viewed")
    ).all()
    assert viewed == ["assessment"]
    assert review(boss, farida).status_code == 302


def test_the_rows_form_under_another_refused_form_carries_the_current_version(
    app, db_session, client, started
):
    """A stale removal answers 409 with the plan page: its rows form must not take the
    removal's old version (a save from it would be refused again)."""
    assert _save_rows(client, started, _rows(ROWS[0])).status_code == 302
    stale = plan_version(client, started)
    action_id = db_session.scalar(select(PlanAction.id))
    assert _save_rows(client, started, _rows(ROWS[1])).status_code == 302
    response = post_form(
        client,
        f"{started}/plan/actions/{action_id}/remove",
        {"version": stale},
        token_from=f"{started}/plan/",
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    shown = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', body)
    assert shown and shown.group(1) == str(plan_of(db_session, started).version)


def test_a_closed_case_offers_no_rows(app, db_session, client, started):
    from tests.casework.planning_helpers import case_of

    case = case_of(db_session, started)
    case.stage = "closed"
    db_session.commit()
    page = client.get(f"{started}/plan/").get_data(as_text=True)
    assert 'id="add-actions"' not in page
    assert _save_rows(client, started, _rows(ROWS[0]), version="1").status_code == 409
    assert _stored(app, db_session) == []
