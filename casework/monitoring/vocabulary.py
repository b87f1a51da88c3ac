"""Monitoring vocabularies: visit types, dimensions, and the default survey's indicators.

Stored codes never change. Indicator and answer labels are looked up by code, so a survey
version (which stores codes, weights and normalised values only) shows them in every language.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from core.vocabulary import choices_in, label_in


class VisitType(StrEnum):
    HOME = "home"
    PHONE = "phone"
    OFFICE = "office"


class Dimension(StrEnum):
    """IOM's three dimensions of reintegration."""

    ECONOMIC = "economic"
    SOCIAL = "social"
    PSYCHOSOCIAL = "psychosocial"


VISIT_TYPE_LABELS = {
    VisitType.HOME: _l("Home visit"),
    VisitType.PHONE: _l("Phone call"),
    VisitType.OFFICE: _l("Office visit"),
}
DIMENSION_LABELS = {
    Dimension.ECONOMIC: _l("Economic"),
    Dimension.SOCIAL: _l("Social"),
    Dimension.PSYCHOSOCIAL: _l("Psychosocial"),
}

#: The default indicators: (code, dimension, question, [(answer code, value 0..1, label)]).
#: 1 is the most sustainable answer; every indicator has equal weight in the default version.
DEFAULT_INDICATORS: list[tuple[str, Dimension, Any, list[tuple[str, float, Any]]]] = [
    (
        "income",
        Dimension.ECONOMIC,
        _l("Income"),
        [
            ("none", 0.0, _l("No income")),
            ("irregular", 0.5, _l("Irregular or not enough to live on")),
            ("sufficient", 1.0, _l("Regular and enough to live on")),
        ],
    ),
    (
        "employment",
        Dimension.ECONOMIC,
        _l("Work"),
        [
            ("none", 0.0, _l("No work")),
            ("occasional", 0.5, _l("Occasional work")),
            ("stable", 1.0, _l("Stable work or own business")),
        ],
    ),
    (
        "debt",
        Dimension.ECONOMIC,
        _l("Debt"),
        [
            ("unmanageable", 0.0, _l("Debt that cannot be repaid")),
            ("repaying", 0.5, _l("Debt being repaid")),
            ("none", 1.0, _l("No debt")),
        ],
    ),
    (
        "food_security",
        Dimension.ECONOMIC,
        _l("Food"),
        [
            ("often_short", 0.0, _l("Often not enough to eat")),
            ("sometimes_short", 0.5, _l("Sometimes not enough to eat")),
            ("enough", 1.0, _l("Always enough to eat")),
        ],
    ),
    (
        "housing",
        Dimension.ECONOMIC,
        _l("Housing"),
        [
            ("none", 0.0, _l("No stable place to live")),
            ("temporary", 0.5, _l("Temporary or inadequate housing")),
            ("stable", 1.0, _l("Stable, adequate housing")),
        ],
    ),
    (
        "access_to_services",
        Dimension.SOCIAL,
        _l("Access to services (health, education, justice)"),
        [
            ("none", 0.0, _l("Cannot reach the services needed")),
            ("some", 0.5, _l("Reaches some of them")),
            ("all", 1.0, _l("Reaches all the services needed")),
        ],
    ),
    (
        "documents",
        Dimension.SOCIAL,
        _l("Identity and civil documents"),
        [
            ("none", 0.0, _l("Has none of the documents needed")),
            ("some", 0.5, _l("Has some, or they are being issued")),
            ("all", 1.0, _l("Has all the documents needed")),
        ],
    ),
    (
        "social_participation",
        Dimension.SOCIAL,
        _l("Takes part in community life"),
        [
            ("never", 0.0, _l("Never")),
            ("sometimes", 0.5, _l("Sometimes")),
            ("often", 1.0, _l("Often")),
        ],
    ),
    (
        "social_network",
        Dimension.SOCIAL,
        _l("People to rely on"),
        [
            ("nobody", 0.0, _l("Nobody")),
            ("few", 0.5, _l("One or two people")),
            ("several", 1.0, _l("Several people")),
        ],
    ),
    (
        "discrimination",
        Dimension.SOCIAL,
        _l("Discrimination experienced"),
        [
            ("often", 0.0, _l("Often")),
            ("sometimes", 0.5, _l("Sometimes")),
            ("never", 1.0, _l("Never")),
        ],
    ),
    (
        "psychosocial_distress",
        Dimension.PSYCHOSOCIAL,
        _l("Distress (sadness, fear, anger, hopelessness)"),
        [
            ("often", 0.0, _l("Often")),
            ("sometimes", 0.5, _l("Sometimes")),
            ("rarely", 1.0, _l("Rarely or never")),
        ],
    ),
    (
        "safety",
        Dimension.PSYCHOSOCIAL,
        _l("Feels safe where they live"),
        [
            ("unsafe", 0.0, _l("Not safe")),
            ("partly", 0.5, _l("Partly safe")),
            ("safe", 1.0, _l("Safe")),
        ],
    ),
    (
        "wish_to_migrate",
        Dimension.PSYCHOSOCIAL,
        _l("Wish to migrate again"),
        [
            ("planning", 0.0, _l("Plans to leave again")),
            ("considering", 0.5, _l("Thinks about leaving")),
            ("staying", 1.0, _l("Wants to stay")),
        ],
    ),
]

INDICATOR_LABELS: dict[str, Any] = {code: text for code, _d, text, _o in DEFAULT_INDICATORS}
ANSWER_LABELS: dict[tuple[str, str], Any] = {
    (code, answer): text
    for code, _d, _t, answers in DEFAULT_INDICATORS
    for answer, _v, text in answers
}


def visit_type_label(value: str | None) -> object:
    return label_in(VISIT_TYPE_LABELS, value, VisitType)


def dimension_label(value: str | None) -> object:
    return label_in(DIMENSION_LABELS, value, Dimension)


def item_label(item: dict[str, Any]) -> object:
    """The question of an indicator of a survey definition: translated for the default ones,
    as the administrator wrote it for an added one."""
    return INDICATOR_LABELS.get(item["code"]) or item.get("label") or item["code"]


def item_answer_label(item: dict[str, Any], answer: str) -> object:
    found = ANSWER_LABELS.get((item["code"], answer))
    return found or item.get("answer_labels", {}).get(answer) or answer


def visit_type_choices() -> list[tuple[str, str]]:
    return choices_in(VISIT_TYPE_LABELS, VisitType)
