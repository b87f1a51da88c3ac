"""The sustainability score by hand: dimension scores and the composite from known weights."""

from __future__ import annotations

import math

import pytest

from casework.monitoring import scoring
from casework.monitoring.vocabulary import DEFAULT_INDICATORS, Dimension


def _definition(dimensions=(1.0, 1.0, 1.0)):
    """Two economic indicators (weights 1 and 3), one social, one psychosocial."""
    three = [["low", 0.0], ["mid", 0.5], ["high", 1.0]]
    return {
        "dimensions": dict(zip(("economic", "social", "psychosocial"), dimensions, strict=True)),
        "indicators": [
            {"code": "income", "dimension": "economic", "weight": 1.0, "answers": three},
            {"code": "debt", "dimension": "economic", "weight": 3.0, "answers": three},
            {"code": "documents", "dimension": "social", "weight": 2.0, "answers": three},
            {"code": "safety", "dimension": "psychosocial", "weight": 1.0, "answers": three},
        ],
    }


def test_dimension_scores_are_weighted_averages_and_the_composite_weights_dimensions():
    answers = {"income": "high", "debt": "mid", "documents": "low", "safety": "high"}
    scores = scoring.compute_scores(_definition((2.0, 1.0, 1.0)), answers)
    # economic: (1*1.0 + 3*0.5) / (1 + 3) = 2.5 / 4 = 0.625
    assert scores["economic"] == pytest.approx(0.625)
    assert scores["social"] == pytest.approx(0.0)
    assert scores["psychosocial"] == pytest.approx(1.0)
    # composite: (2*0.625 + 1*0 + 1*1) / 4 = 2.25 / 4 = 0.5625
    assert scores["composite"] == pytest.approx(0.5625)


def test_equal_weights_give_plain_averages():
    answers = {"income": "low", "debt": "high", "documents": "mid", "safety": "mid"}
    scores = scoring.compute_scores(_definition(), answers)
    # economic (1*0 + 3*1) / 4 = 0.75; social 0.5; psychosocial 0.5; composite 1.75 / 3
    assert scores["economic"] == pytest.approx(0.75)
    assert scores["composite"] == pytest.approx(1.75 / 3)


def test_unanswered_indicators_and_dimensions_are_left_out_not_counted_as_zero():
    scores = scoring.compute_scores(_definition((2.0, 1.0, 1.0)), {"debt": "mid", "safety": "low"})
    assert scores["economic"] == pytest.approx(0.5)  # income unanswered: debt alone
    assert scores["social"] is None
    # composite over the measured dimensions only: (2*0.5 + 1*0) / 3
    assert scores["composite"] == pytest.approx(1.0 / 3)
    assert scoring.compute_scores(_definition(), {}) == {
        "economic": None,
        "social": None,
        "psychosocial": None,
        "composite": None,
    }


def test_zero_weights_leave_an_indicator_or_a_dimension_out():
    definition = scoring.with_weights(_definition(), {"debt": 0.0}, {"social": 0.0})
    scores = scoring.compute_scores(
        definition, {"income": "high", "debt": "low", "documents": "low", "safety": "mid"}
    )
    assert scores["economic"] == pytest.approx(1.0)
    assert scores["social"] == pytest.approx(0.0)  # still shown, but not in the composite
    assert scores["composite"] == pytest.approx((1.0 + 0.5) / 2)


def test_unknown_codes_are_refused():
    with pytest.raises(scoring.DefinitionError):
        scoring.compute_scores(_definition(), {"income": "rich"})
    with pytest.raises(scoring.DefinitionError):
        scoring.compute_scores(_definition(), {"salary": "high"})


@pytest.mark.parametrize(
    ("indicators", "dimensions"),
    [
        ({"income": -1.0}, {}),
        ({"income": math.nan}, {}),
        ({"income": math.inf}, {}),
        ({"income": 101.0}, {}),
        ({}, {"economic": 0.0, "social": 0.0, "psychosocial": 0.0}),
        ({"income": 0.0, "debt": 0.0, "documents": 0.0, "safety": 0.0}, {}),
    ],
)
def test_weights_that_cannot_score_are_refused(indicators, dimensions):
    with pytest.raises(scoring.DefinitionError):
        scoring.with_weights(_definition(), indicators, dimensions)


def test_the_default_survey_covers_every_required_topic_with_equal_weights():
    definition = scoring.default_definition()
    scoring.check_definition(definition)
    codes = {i["code"] for i in definition["indicators"]}
    assert {
        "income",
        "employment",
        "debt",
        "food_security",
        "housing",
        "access_to_services",
        "documents",
        "social_participation",
        "social_network",
        "discrimination",
        "psychosocial_distress",
        "safety",
        "wish_to_migrate",
    } == codes
    assert {i["weight"] for i in definition["indicators"]} == {1.0}
    assert definition["dimensions"] == {d.value: 1.0 for d in Dimension}
    assert {dimension for _c, dimension, _l, _a in DEFAULT_INDICATORS} == set(Dimension)
    best = {i["code"]: i["answers"][-1][0] for i in definition["indicators"]}
    assert scoring.compute_scores(definition, best)["composite"] == pytest.approx(1.0)
