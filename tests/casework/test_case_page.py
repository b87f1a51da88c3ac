"""The case page: its section menu, the next step of the stage, confirmations where one lands."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from casework.closure.models import CaseClosure
from tests.casework.planning_helpers import planned_case, record_assessment, review, start_plan
from tests.factories import post_form, sign_in

ROOT = Path(__file__).resolve().parents[2]


def _section(body: str, anchor: str) -> str:
    """The HTML of the section (or header) with id ``anchor``, up to its closing tag."""
    match = re.search(rf'<(section|header)[^>]*\bid="{re.escape(anchor)}"', body)
    assert match, f"no section #{anchor} on the page"
    end = body.index(f"</{match.group(1)}>", match.end())
    return body[match.start() : end]


def _top(body: str) -> str:
    """What the page shows above its content: the messages and the error summary."""
    return body[body.index('<main id="main"') : body.index('<div class="case-layout">')]


def _next_step(body: str) -> str:
    match = re.search(r'<div class="next-step[^"]*">(.*?)</div>', body, re.S)
    return match.group(1) if match else ""


def test_added_note_is_confirmed_inside_the_notes_section(client, farida):
    response = post_form(client, f"{farida}/notes", {"body": "First meeting."}, token_from=farida)
    assert response.headers["Location"].endswith(f"{farida}#notes")
    body = client.get(farida).get_data(as_text=True)
    notes = _section(body, "notes")
    assert '<div class="flash flash--success" role="status">Note added.</div>' in notes
    assert "Note added." not in _top(body)
    assert "Note added." not in client.get(farida).get_data(as_text=True)


def test_refused_note_is_an_alert_inside_the_notes_section(client, farida):
    post_form(client, f"{farida}/notes", {"body": ""}, token_from=farida)
    notes = _section(client.get(farida).get_data(as_text=True), "notes")
    assert 'class="flash flash--error" role="alert">Write something before saving' in notes


def test_a_message_without_a_section_stays_at_the_top(app, db_session, farida, supervisor):
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    page = boss.get(farida).get_data(as_text=True)
    assignee = re.search(r'<option selected value="([^"]+)"', page) or re.search(
        r'<option value="([^"]+)" selected', page
    )
    response = post_form(
        boss, f"{farida}/assign", {"assignee": assignee.group(1)}, token_from=farida
    )
    assert "#" not in response.headers["Location"]
    body = boss.get(farida).get_data(as_text=True)
    assert "Case assigned." in _top(body)
    assert "Case assigned." not in _section(body, "assignment")


def test_a_message_for_a_section_the_page_lacks_stays_at_the_top(client, farida):
    with client.session_transaction() as session:
        session["_flashes"] = [("success#nowhere", "Saved somewhere else.")]
    assert "Saved somewhere else." in _top(client.get(farida).get_data(as_text=True))


def _anchors_of_redirects() -> set[str]:
    """Every fragment that a redirect (or a task link) to the case page carries."""
    found: set[str] = set()
    for package in ("casework", "referrals"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r'"casework\.case",[^)]*_anchor="([^"]+)"', text))
            found |= set(
                re.findall(r'endpoint="casework\.case",\s*values=\{[^}]*"_anchor": "([^"]+)"', text)
            )
            assert not re.search(r'url_for\("casework\.case"[^)]*\)\s*\+\s*["\']#', text), path
    return found


def test_every_redirect_fragment_lands_on_a_section_that_shows_its_messages(client, farida):
    anchors = _anchors_of_redirects()
    assert {"notes", "plan", "closure", "consent", "screening", "monitoring"} <= anchors
    for anchor in sorted(anchors):
        with client.session_transaction() as session:
            session["_flashes"] = [(f"success#{anchor}", f"Landed in {anchor}.")]
        body = client.get(farida).get_data(as_text=True)
        assert f"Landed in {anchor}." in _section(body, anchor), anchor
        assert f"Landed in {anchor}." not in _top(body), anchor


def test_the_menu_links_every_section_of_the_page(client, farida):
    body = client.get(farida).get_data(as_text=True)
    menu = re.search(r'<nav class="case-menu case-menu--side[^>]*>(.*?)</nav>', body, re.S)
    links = re.findall(r'href="#([^"]+)"', menu.group(1))
    sections = re.findall(r'<(?:section|header) class="[^"]*card[^"]*" id="([^"]+)"', body)
    assert links == sections
    assert {"summary", "notes", "referrals", "plan", "monitoring", "access-history"} <= set(links)
    compact = re.search(
        r"<details class=\"case-menu case-menu--compact[^>]*>(.*?)</details>", body, re.S
    )
    assert re.findall(r'href="#([^"]+)"', compact.group(1)) == links


def test_the_print_view_has_no_menu_and_no_next_step(client, farida):
    body = client.get(f"{farida}?print=1").get_data(as_text=True)
    assert "case-menu" not in body and "next-step" not in body


def test_next_step_follows_the_stage(app, client, db_session, farida, supervisor):
    step = _next_step(client.get(farida).get_data(as_text=True))
    assert f'href="{farida}/assessments/new">Record the needs assessment</a>' in step

    assert record_assessment(client, farida).status_code == 302
    step = _next_step(client.get(farida).get_data(as_text=True))
    assert f'action="{farida}/plan/start"' in step and "Start the reintegration plan" in step

    assert start_plan(client, farida).status_code == 302
    step = _next_step(client.get(farida).get_data(as_text=True))
    assert f'href="{farida}/plan/">Finish the plan and submit it for approval</a>' in step


def test_next_step_offers_the_decision_only_to_the_supervisor(
    app, client, db_session, farida, supervisor
):
    planned_case(client, farida)
    step = _next_step(client.get(farida).get_data(as_text=True))
    assert "waits for a supervisor" in step and "href" not in step

    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    step = _next_step(boss.get(farida).get_data(as_text=True))
    assert f'href="{farida}/plan/review">Review the submitted plan</a>' in step

    assert review(boss, farida).status_code == 302
    step = _next_step(client.get(farida).get_data(as_text=True))
    assert f'href="{farida}/monitoring/new">Record a monitoring visit</a>' in step


def test_next_step_of_a_closed_case_is_to_reopen_it(app, client, db_session, farida, supervisor):
    post_form(
        client,
        f"{farida}/closure/request",
        {"reason": "support_period_ended", "summary": "Twelve months of support completed."},
    )
    step = _next_step(client.get(farida).get_data(as_text=True))
    assert "Closure was requested" in step and "href" not in step
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    closure = db_session.scalar(select(CaseClosure))
    decide = f"{farida}/closure/{closure.id}"
    assert f'href="{decide}">Decide on the closure</a>' in _next_step(
        boss.get(farida).get_data(as_text=True)
    )
    assert post_form(boss, decide, {"decision": "approve"}).status_code == 302
    step = _next_step(client.get(farida).get_data(as_text=True))
    assert f'href="{farida}/closure/reopen">Reopen this case</a>' in step
