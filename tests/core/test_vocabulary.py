"""The one ``label`` template filter and ``vocabulary`` global over every domain's vocabularies."""

from __future__ import annotations

from enum import StrEnum

import pytest
from flask import Flask

from core.vocabulary import register


def test_label_filter_labels_a_stored_value_of_any_domain(app: Flask) -> None:
    with app.test_request_context():
        render = app.jinja_env.from_string(
            '{{ "high"|label("RiskLevel") }}/{{ "sent"|label("ReferralState") }}'
            '/{{ "unheard_of"|label("Stage") }}/{{ none|label("Stage") }}'
        ).render
        assert render() == "High risk/Sent, waiting for an answer/unheard_of/"


def test_vocabulary_global_gives_the_members_in_order(app: Flask) -> None:
    template = app.jinja_env.from_string(
        '{% for d in vocabulary("Dimension") %}{{ d.value }} {% endfor %}'
    )
    assert template.render() == "economic social psychosocial "


def test_two_vocabularies_may_not_share_a_name(app: Flask) -> None:
    class Stage(StrEnum):
        OTHER = "other"

    with pytest.raises(ValueError, match="Stage"):
        register(app, Stage, {Stage.OTHER: "Other"})
