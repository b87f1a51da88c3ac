"""The reintegration sustainability score: pure functions over a survey definition.

A definition (what a :class:`~casework.monitoring.models.SurveyVersion` stores) is plain data::

    {"dimensions": {"economic": 1.0, "social": 1.0, "psychosocial": 1.0},
     "indicators": [{"code": "income", "dimension": "economic", "weight": 1.0,
                     "answers": [["none", 0.0], ["irregular", 0.5], ["sufficient", 1.0]]}, ...]}

Each answer maps to a normalised value a in 0..1 (1 = most sustainable). For one visit:

- dimension score = sum(w_i * a_i) / sum(w_i) over the *answered* indicators of the dimension
  with a weight above 0. Unanswered indicators are left out (neither 0 nor 1), so a question
  not asked does not lower or raise the score; a dimension with no answered indicator has no
  score (None).
- composite = sum(W_d * s_d) / sum(W_d) over the dimensions that have a score, W_d being the
  dimension weights (so they are normalised over what was measured); None when no dimension
  has a score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from casework.monitoring.vocabulary import DEFAULT_INDICATORS, Dimension
from core.exceptions import InvalidDataError

Definition = dict[str, Any]
Scores = dict[str, float | None]
COMPOSITE = "composite"
MAX_WEIGHT = 100.0


class DefinitionError(InvalidDataError):
    """A survey definition that cannot score anything (bad weights, values or codes)."""


def default_definition() -> Definition:
    """The shipped survey: every default indicator and every dimension with weight 1."""
    return {
        "dimensions": {d.value: 1.0 for d in Dimension},
        "indicators": [
            {
                "code": code,
                "dimension": dimension.value,
                "weight": 1.0,
                "answers": [[answer, value] for answer, value, _label in answers],
            }
            for code, dimension, _label, answers in DEFAULT_INDICATORS
        ],
    }


def _weight(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DefinitionError(f"{what}: the weight is not a number")
    weight = float(value)
    if not math.isfinite(weight) or weight < 0 or weight > MAX_WEIGHT:
        raise DefinitionError(f"{what}: the weight must be between 0 and {MAX_WEIGHT:g}")
    return weight


def check_definition(definition: Definition) -> None:
    """Raise DefinitionError unless every weight is in 0..100, every value in 0..1, every code
    known and unique, and at least one indicator and one dimension carry weight."""
    dimensions = definition.get("dimensions")
    indicators = definition.get("indicators")
    if not isinstance(dimensions, dict) or set(dimensions) != {d.value for d in Dimension}:
        raise DefinitionError("the definition needs a weight for each of the three dimensions")
    if not any(_weight(w, f"dimension {d}") > 0 for d, w in dimensions.items()):
        raise DefinitionError("at least one dimension needs a weight above 0")
    if not isinstance(indicators, list) or not indicators:
        raise DefinitionError("the definition has no indicators")
    codes = [i.get("code") for i in indicators if isinstance(i, dict)]
    if len(codes) != len(indicators) or len(set(codes)) != len(codes):
        raise DefinitionError("indicator codes must be unique")
    carried = False
    for indicator in indicators:
        code = indicator["code"]
        if indicator.get("dimension") not in dimensions:
            raise DefinitionError(f"indicator {code}: unknown dimension")
        carried |= _weight(indicator.get("weight"), f"indicator {code}") > 0
        answers = indicator.get("answers")
        if not isinstance(answers, list) or not answers:
            raise DefinitionError(f"indicator {code}: no answers")
        for answer in answers:
            value = answer[1] if isinstance(answer, list | tuple) and len(answer) == 2 else None
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DefinitionError(f"indicator {code}: an answer has no value")
            if not 0.0 <= float(value) <= 1.0:
                raise DefinitionError(f"indicator {code}: answer values lie in 0..1")
    if not carried:
        raise DefinitionError("at least one indicator needs a weight above 0")


def asked_order(definition: Definition) -> list[dict[str, Any]]:
    """The indicators in the order the visit form asks them: by dimension, then as listed."""
    rank = {d.value: n for n, d in enumerate(Dimension)}
    return sorted(definition["indicators"], key=lambda item: rank.get(item["dimension"], 99))


def answer_value(definition: Definition, indicator: str, answer: str) -> float:
    """The normalised value of one answer; DefinitionError for an unknown indicator or answer."""
    for item in definition["indicators"]:
        if item["code"] == indicator:
            for code, value in item["answers"]:
                if code == answer:
                    return float(value)
            raise DefinitionError(f"indicator {indicator}: unknown answer")
    raise DefinitionError("unknown indicator")


def compute_scores(definition: Definition, answers: Mapping[str, str]) -> Scores:
    """Dimension scores and the composite for one visit's answers (indicator code -> answer
    code; unanswered indicators are simply absent). Raises DefinitionError on unknown codes."""
    for indicator, answer in answers.items():
        answer_value(definition, indicator, answer)
    totals: dict[str, list[float]] = {d: [0.0, 0.0] for d in definition["dimensions"]}
    for item in definition["indicators"]:
        given = answers.get(item["code"])
        weight = float(item["weight"])
        if given is None or weight <= 0:
            continue
        total = totals[item["dimension"]]
        total[0] += weight * answer_value(definition, item["code"], given)
        total[1] += weight
    scores: Scores = {d: (s / w if w > 0 else None) for d, (s, w) in totals.items()}
    weighted = [
        (float(definition["dimensions"][d]), score)
        for d, score in scores.items()
        if score is not None and float(definition["dimensions"][d]) > 0
    ]
    weight_sum = sum(w for w, _s in weighted)
    scores[COMPOSITE] = sum(w * s for w, s in weighted) / weight_sum if weight_sum > 0 else None
    return scores


CUSTOM_PREFIX = "added_"
MAX_ANSWERS = 7


def add_indicator(
    definition: Definition, dimension: str, label: str, answer_labels: list[str]
) -> Definition:
    """A copy of ``definition`` with one more indicator (weight 1) in ``dimension``.

    ``answer_labels`` run from least to most sustainable; their values are spaced evenly from
    0 to 1 (three answers: 0, 0.5, 1). The new code is ``added_<n>``, never reused.
    """
    if dimension not in definition["dimensions"]:
        raise DefinitionError("unknown dimension")
    if not 2 <= len(answer_labels) <= MAX_ANSWERS:
        raise DefinitionError(f"an indicator has 2 to {MAX_ANSWERS} answers")
    taken = [
        int(code.removeprefix(CUSTOM_PREFIX))
        for code in (i["code"] for i in definition["indicators"])
        if code.startswith(CUSTOM_PREFIX) and code.removeprefix(CUSTOM_PREFIX).isdigit()
    ]
    last = len(answer_labels) - 1
    codes = [f"a{n}" for n in range(len(answer_labels))]
    indicator = {
        "code": f"{CUSTOM_PREFIX}{max(taken, default=0) + 1}",
        "dimension": dimension,
        "weight": 1.0,
        "label": label,
        "answers": [[code, round(n / last, 4)] for n, code in enumerate(codes)],
        "answer_labels": dict(zip(codes, answer_labels, strict=True)),
    }
    changed: Definition = {
        "dimensions": dict(definition["dimensions"]),
        "indicators": [*definition["indicators"], indicator],
    }
    check_definition(changed)
    return changed


def with_weights(
    definition: Definition,
    indicator_weights: Mapping[str, float],
    dimension_weights: Mapping[str, float],
) -> Definition:
    """A copy of ``definition`` with new weights (indicators and answers unchanged), checked."""
    changed: Definition = {
        "dimensions": {
            d: float(dimension_weights.get(d, w)) for d, w in definition["dimensions"].items()
        },
        "indicators": [
            {**item, "weight": float(indicator_weights.get(item["code"], item["weight"]))}
            for item in definition["indicators"]
        ],
    }
    check_definition(changed)
    return changed
