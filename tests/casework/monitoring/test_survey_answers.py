"""The survey as radio buttons in the order asked, a visit's answers listed in that order, and
the plain-language guide to the scores (its bands defined once, shown beside every score)."""

from __future__ import annotations

import itertools
import re

import pytest

from casework.monitoring import bands
from casework.monitoring.scoring import asked_order, default_definition
from casework.monitoring.vocabulary import DEFAULT_INDICATORS
from core.permissions import Role
from tests.casework.monitoring.test_monitoring import ADDED, VISIT, _add_indicator
from tests.factories import make_account, post_form, sign_in

ASKED = [code for code, _d, _q, _a in DEFAULT_INDICATORS]


def _radios(page: str) -> list[tuple[str, str]]:
    """(name, value) of each radio button, in page order."""
    found = []
    for tag in re.findall(r"<input[^>]*>", page):
        if 'type="radio"' in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            found.append((name, re.search(r'value="([^"]*)"', tag).group(1)))
    return found


def test_the_survey_asks_each_question_as_radio_buttons_in_order(app, db_session, client, farida):
    page = client.get(f"{farida}/monitoring/new").get_data(as_text=True)
    radios = _radios(page)
    questions = list(dict.fromkeys(name for name, _value in radios))
    assert questions == [f"answer_{code}" for code in ASKED]
    assert "<select" not in page.split('id="survey-economic"', 1)[1]
    for code, _d, _q, answers in DEFAULT_INDICATORS:
        offered = [value for name, value in radios if name == f"answer_{code}"]
        assert offered == [answer for answer, _v, _label in answers] + [""]
    # One fieldset and legend per question; "not asked" is chosen until an answer is.
    assert page.count('<fieldset class="survey-question') == len(ASKED)
    assert '<legend><span dir="auto">Wish to migrate again</span></legend>' in page
    checked = re.findall(r'<input[^>]*checked[^>]*type="radio"[^>]*value="([^"]*)"', page)
    assert checked == [""] * len(ASKED)


def test_an_answered_radio_is_scored_and_a_bad_value_is_shown_on_its_question(
    app, db_session, client, farida
):
    response = post_form(client, f"{farida}/monitoring/new", {**VISIT, "answer_income": "rich"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="answer_income-error"' in body
    assert 'aria-describedby="answer_income-error"' in body
    # What was chosen stays chosen.
    assert re.search(r'<input[^>]*checked[^>]*name="answer_debt"[^>]*value="none"', body)


def test_the_visit_page_lists_the_answers_in_the_order_asked(app, db_session, client, farida):
    admin = app.test_client()
    sign_in(admin, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    assert _add_indicator(admin, {**ADDED, "based_on": "1"}).status_code == 302
    # The added social question is asked with the social ones, before the psychosocial ones.
    page = client.get(f"{farida}/monitoring/new").get_data(as_text=True)
    questions = list(dict.fromkeys(name for name, _value in _radios(page)))
    assert questions.index("answer_added_1") == questions.index("answer_discrimination") + 1
    answers = {**VISIT, "answer_added_1": "a2", "answer_wish_to_migrate": "staying"}
    assert post_form(client, f"{farida}/monitoring/new", answers).status_code == 302
    history = client.get(f"{farida}/monitoring/").get_data(as_text=True)
    table = history.split("<caption>Answers</caption>", 1)[1].split("</table>", 1)[0]
    listed = re.findall(r"<tr><td><bdi>([^<]+)</bdi></td>", table)
    assert listed == [
        "Income",
        "Debt",
        "Food",
        "Identity and civil documents",
        "Discrimination experienced",
        "Children go to school",
        "Feels safe where they live",
        "Wish to migrate again",
    ]


def test_asked_order_groups_by_dimension_and_keeps_the_listed_order():
    definition = default_definition()
    definition["indicators"].append(
        {"code": "added_1", "dimension": "economic", "weight": 1.0, "answers": [["a0", 0.0]]}
    )
    codes = [item["code"] for item in asked_order(definition)]
    assert codes == [*ASKED[:5], "added_1", *ASKED[5:]]


# The guide to the scores -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0.0, "fragile"),
        (0.2, "fragile"),
        (0.34, "fragile"),
        (0.349, "mixed"),  # shown as 0.35
        (0.4, "mixed"),
        (0.5, "mixed"),
        (0.64, "mixed"),
        (0.65, "stable"),
        (0.8, "stable"),
        (1.0, "stable"),
        (1.3, "stable"),
        (-0.2, "fragile"),
    ],
)
def test_each_score_falls_in_one_band(score, band):
    assert bands.band_of(score).code == band


def test_no_score_has_no_band_and_the_bands_cover_0_to_1():
    assert bands.band_of(None) is None
    ranges = bands.band_ranges()
    assert ranges[0][1] == 0.0 and ranges[-1][2] == 1.0
    for (_a, _low, high), (_b, low, _high) in itertools.pairwise(ranges):
        assert round(low - high, 2) == 0.01
    for band, low, high in ranges:
        assert bands.band_of(low) is band and bands.band_of(high) is band


def test_the_guide_explains_the_bands_and_every_score_says_its_band(
    app, db_session, client, farida
):
    assert post_form(client, f"{farida}/monitoring/new", VISIT).status_code == 302
    for path in (farida, f"{farida}/monitoring/"):
        page = client.get(path).get_data(as_text=True)
        assert "What the scores mean" in page
        assert "0.4 means fewer than half of the answers were good ones" in page
        for label, low, high in (
            ("Fragile", "0.00", "0.34"),
            ("Mixed", "0.35", "0.64"),
            ("Stable", "0.65", "1.00"),
        ):
            assert re.search(rf">{label}</span> {low} to {high}</dt>", page), label
        assert "Many needs are not met" in page
        # Economic 0.50 is mixed, the composite 0.75 stable, psychosocial 1.00 stable.
        assert '0.50 <span class="score-band score-band--mixed">Mixed</span>' in page
        assert '0.75 <span class="score-band score-band--stable">Stable</span>' in page
        # In the chart's tooltips, as text.
        assert "0.75, Stable</title>" in page
        # "Uncalibrated weights" is said once, on the chart, not on every row.
        monitoring = page.split('id="monitoring"', 1)[-1]
        assert monitoring.count("Uncalibrated weights") == 1


def test_the_chart_is_drawn_for_a_narrow_and_a_wide_screen(app, db_session, client, farida):
    assert post_form(client, f"{farida}/monitoring/new", VISIT).status_code == 302
    page = client.get(f"{farida}/monitoring/").get_data(as_text=True)
    assert 'class="chart__svg chart__svg--wide" viewBox="0 0 960 320"' in page
    assert 'class="chart__svg chart__svg--narrow" viewBox="0 0 360 270"' in page
    assert 'font-size="15"' in page and 'font-size="16"' in page
    # One visit: a composite marker in each drawing, and one in the legend.
    assert page.count('class="chart__point chart__point--composite"') == 3
