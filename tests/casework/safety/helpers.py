"""Raising flags and writing safety plans through the real forms."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.factories import csrf_token, post_form

FLAG = {"kind": "no_contact_at_home", "reason": "Husband is the recruiter; never visit."}


def plan_data(version: int | str, **changes: str) -> dict:
    review = (date.today() + timedelta(days=30)).isoformat()
    data = {
        "version": str(version),
        "risks": "The recruiter lives two streets away.",
        "measures": "Meet only at the office; new phone number.",
        "emergency_contacts": "Shelter hotline 119",
        "review_on": review,
    }
    return {**data, **changes}


def raise_flag(client, case_url: str, **changes):
    return post_form(client, f"{case_url}/safety/flags/new", {**FLAG, **changes})


def end_flag(client, case_url: str, flag_id, reason: str = "The person moved to a shelter."):
    page = f"{case_url}/safety/flags"
    prefix = f"end-{flag_id.hex[:12]}"
    token = csrf_token(client, page)
    return client.post(
        f"{page}/{flag_id}/end",
        data={f"{prefix}-csrf_token": token, f"{prefix}-end_reason": reason},
    )


def save_plan(client, case_url: str, version: int | str = 0, **changes):
    return post_form(client, f"{case_url}/safety/plan/edit", plan_data(version, **changes))


def banner(html: str) -> str:
    """The flag banner of a case page ('' when there is none)."""
    found = re.search(r'<section class="flag-banner".*?</section>', html, re.S)
    return found.group(0) if found else ""
