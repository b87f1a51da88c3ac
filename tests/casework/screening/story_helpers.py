"""The trafficking story as the form posts it."""

from __future__ import annotations

from tests.factories import post_form

STORY = {
    "version": "0",
    "recruitment_methods": ["job_offer", "internet"],
    "recruiter_relation": "friend",
    "recruited_month": "2024-02",
    "origin_countries": ["AF"],
    "transit_countries": ["IR", "TR"],
    "exploitation_countries": ["RU"],
    "departed_month": "2024-03",
    "border_crossings": ["regular_own_documents", "irregular_without_documents"],
    "exploitation_types": ["forced_labour"],
    "exploitation_sectors": ["construction"],
    "exploitation_started_month": "2024-04",
    "exploitation_ended_month": "2025-06",
    "exploitation_months": "",
    "means_of_control": ["debt_bondage", "threats_to_family"],
}


def record_story(client, case_url_: str, data: dict):
    return post_form(client, f"{case_url_}/screening/story/edit", data)
