"""The scores chart's coordinates: dates across, scores up, gaps where a score is missing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.monitoring import chart


def _scores(value, **others):
    return {"economic": value, "social": value, "psychosocial": value, "composite": value, **others}


def test_points_span_the_plot_by_date_and_score():
    drawn = chart.score_chart(
        [(date(2026, 1, 1), _scores(0.0)), (date(2026, 1, 11), _scores(1.0, social=None))]
    )
    economic, social, _psychosocial, composite = drawn.lines
    assert [line.series for line in drawn.lines] == list(chart.SERIES)
    left, right = chart.LEFT, chart.WIDTH - chart.RIGHT
    top, bottom = chart.TOP, chart.HEIGHT - chart.BOTTOM
    assert [(p.x, p.y) for p in economic.points] == [(left, bottom), (right, top)]
    assert len(social.points) == 1  # no social score at the second visit: no point
    assert composite.path == f"{left:.1f},{bottom:.1f} {right:.1f},{top:.1f}"
    assert [value for _y, value in drawn.grid] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_a_single_visit_sits_in_the_middle():
    drawn = chart.score_chart([(date(2026, 3, 1), _scores(0.5))])
    (point,) = drawn.lines[0].points
    assert point.x == pytest.approx(chart.LEFT + (chart.WIDTH - chart.LEFT - chart.RIGHT) / 2)


def test_many_visits_label_at_most_six_dates_first_and_last_included():
    start = date(2026, 1, 1)
    visits = [(start + timedelta(days=7 * i), _scores(i / 20)) for i in range(20)]
    drawn = chart.score_chart(visits)
    labelled = [d for _x, d in drawn.ticks]
    assert len(labelled) == chart.MAX_TICKS
    assert labelled[0] == start and labelled[-1] == visits[-1][0]
    assert len(drawn.lines[3].points) == 20
