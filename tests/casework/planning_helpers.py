"""Assessment and plan steps through the real forms, shared by the planning tests."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from casework.models import Case
from casework.planning.models import Plan
from tests.factories import post_form

ASSESSMENT = {
    "assessed_on": "2026-10-05",
    "economic_needs": "No income since the return; owes the recruiter money",
    "economic_strengths": "Worked as a tailor for six years",
    "economic_risks": "Debt collectors visit the family",
    "economic_risk_level": "high",
    "social_needs": "Needs a new identity card for the children's school",
    "social_strengths": "Her mother takes care of the children",
    "social_risks": "",
    "social_risk_level": "medium",
    "psychosocial_needs": "Sleeps badly, nightmares about the crossing",
    "psychosocial_strengths": "Attends a women's group at the mosque",
    "psychosocial_risks": "Stigma from neighbours",
    "psychosocial_risk_level": "medium",
    "overall_risk_level": "high",
}


def action(**overrides: str) -> dict[str, str]:
    data = {
        "dimension": "economic",
        "description": "Enrol in the tailoring grant programme",
        "responsible_user": "",
        "responsible_other": "Women's Business Centre Herat",
        "due_on": (date.today() + timedelta(days=30)).isoformat(),
        "status": "planned",
    }
    data.update(overrides)
    return data


def case_of(db_session, url: str) -> Case:
    db_session.expire_all()
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


def plan_of(db_session, url: str) -> Plan | None:
    db_session.expire_all()
    return db_session.scalar(select(Plan).where(Plan.case_id == uuid.UUID(url.rsplit("/", 1)[1])))


def record_assessment(client, url: str, data: dict | None = None):
    return post_form(client, f"{url}/assessments/new", dict(data or ASSESSMENT))


def start_plan(client, url: str):
    return post_form(client, f"{url}/plan/start", {}, token_from=url)


def plan_version(client, url: str) -> str:
    body = client.get(f"{url}/plan/").get_data(as_text=True)
    match = re.search(r'name="version" value="(\d+)"', body)
    assert match, "no version on the plan page"
    return match.group(1)


def add_action(client, url: str, **overrides: str):
    return post_form(client, f"{url}/plan/actions/new", action(**overrides))


def submit(client, url: str):
    return post_form(
        client,
        f"{url}/plan/submit",
        {"version": plan_version(client, url)},
        token_from=f"{url}/plan/",
    )


def review(
    client, url: str, decision: str = "approve", comment: str = "", version: str | None = None
):
    """Open the review page as a reviewer would, then decide (at the version it showed)."""
    page = client.get(f"{url}/plan/review")
    assert page.status_code == 200, page.status_code
    body = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    shown = re.search(r'name="version"[^>]*value="(\d+)"', body).group(1)
    data = {"decision": decision, "comment": comment, "version": version or shown}
    return client.post(f"{url}/plan/review", data={**data, "csrf_token": token})


def planned_case(client, url: str) -> None:
    """Assessment, plan with one action, submitted: ready for a supervisor."""
    assert record_assessment(client, url).status_code == 302
    assert start_plan(client, url).status_code == 302
    assert add_action(client, url).status_code == 302
    assert submit(client, url).status_code == 302
