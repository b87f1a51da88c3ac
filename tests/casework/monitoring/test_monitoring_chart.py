"""The scores chart's layout: dates across, scores up, gaps where a score is missing; labels
that never overlap, stay inside the drawing and stay readable; markers that never hide each
other."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import pytest

from casework.monitoring import chart


def _scores(value, **others):
    return {"economic": value, "social": value, "psychosocial": value, "composite": value, **others}


def _long_date(day: date) -> str:
    """A long date label, longer than the locales' medium dates."""
    return day.strftime("%d %B %Y")


def _assert_no_overlap(drawn: chart.Chart) -> None:
    for a, b in itertools.combinations(drawn.labels, 2):
        assert not chart.overlap(a, b), (a.text, b.text)
    for label in drawn.labels:
        x0, y0, x1, y1 = label.box
        assert x0 >= 0 and x1 <= drawn.layout.width, label
        assert y0 >= 0 and y1 <= drawn.layout.height, label


def test_points_span_the_plot_by_date_and_score():
    drawn = chart.score_chart(
        [(date(2026, 1, 1), _scores(0.0)), (date(2026, 1, 11), _scores(1.0, social=None))]
    )
    economic, social, _psychosocial, composite = drawn.lines
    assert [line.series for line in drawn.lines] == list(chart.SERIES)
    layout = drawn.layout
    (low, high) = economic.points
    assert low.x < high.x and low.y == layout.bottom and high.y == layout.top
    assert layout.left < low.x and high.x < layout.right
    assert len(social.points) == 1  # no social score at the second visit: no point
    assert composite.path == " ".join(f"{p.x:.1f},{p.y:.1f}" for p in composite.points)
    assert [value for _y, value in drawn.grid] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_a_single_visit_sits_in_the_middle():
    drawn = chart.score_chart([(date(2026, 3, 1), _scores(0.5))])
    xs = [line.points[0].x for line in drawn.lines]
    middle = sum(xs) / len(xs)
    assert middle == pytest.approx((drawn.layout.left + drawn.layout.right) / 2, abs=1)


@pytest.mark.parametrize("layout", chart.LAYOUTS, ids=lambda layout: layout.name)
def test_equal_scores_on_one_date_stay_visible_side_by_side(layout):
    """Four series with the same score at one visit: four markers, none hiding another."""
    drawn = chart.score_chart([(date(2026, 3, 1), _scores(0.5))], layout)
    points = [line.points[0] for line in drawn.lines]
    assert len({p.marker for p in points}) == 4
    for a, b in itertools.combinations(points, 2):
        assert math.dist((a.x, a.y), (b.x, b.y)) >= chart.MARKER * 1.5
    # Each series has its own shape, so even a printout in grey tells them apart.
    assert len({chart.marker_path(series, 0, 0) for series in chart.SERIES}) == 4


@pytest.mark.parametrize("layout", chart.LAYOUTS, ids=lambda layout: layout.name)
@pytest.mark.parametrize("count", [1, 2, 3, 7, 20, 60])
def test_labels_never_overlap_and_stay_inside(layout, count):
    start = date(2026, 1, 1)
    visits = [(start + timedelta(days=3 * i), _scores(i / max(count, 1))) for i in range(count)]
    drawn = chart.score_chart(visits, layout, _long_date)
    _assert_no_overlap(drawn)
    dates = [label.text for label in drawn.labels if label.anchor == "middle"]
    assert dates[0] == _long_date(start)
    if count > 1:
        assert dates[-1] == _long_date(visits[-1][0])  # the first and the last date are named
    assert len(drawn.lines[3].points) == count


def test_visits_close_together_name_only_the_dates_that_have_room():
    day = date(2026, 1, 1)
    visits = [(day, _scores(0.2)), (day + timedelta(1), _scores(0.4))]
    visits += [(day + timedelta(300), _scores(0.8))]
    drawn = chart.score_chart(visits, chart.NARROW, _long_date)
    _assert_no_overlap(drawn)
    named = [label.text for label in drawn.labels if label.anchor == "middle"]
    assert named == [_long_date(day), _long_date(day + timedelta(300))]


def test_the_font_is_readable_on_a_phone_and_a_wide_screen():
    """Text in an SVG scales with it: at 375 px the narrow chart is about 290 px wide, on a
    1366 px screen the wide one about 1070 px; a label must come out at 11 px or more."""
    assert chart.NARROW.font * 290 / chart.NARROW.width >= 11
    assert chart.WIDE.font * 690 / chart.WIDE.width >= 11  # the wide one from 768 px up
    assert chart.WIDE.font * 1070 / chart.WIDE.width <= 20


def test_both_layouts_are_drawn():
    drawn = chart.score_charts([(date(2026, 3, 1), _scores(0.5))])
    assert [c.name for c in drawn] == ["wide", "narrow"]
