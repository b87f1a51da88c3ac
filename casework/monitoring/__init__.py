"""Monitoring visits and the reintegration sustainability score."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The visits panel and task source, the survey navigation entry, template helpers, demo."""
    from casework.monitoring import bands, chart, demo, queries, routes, tasks, vocabulary
    from casework.signals import case_panels_collecting, skeleton_collecting, tasks_collecting
    from core.signals import demo_steps_collecting, navigation_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    tasks_collecting.connect(tasks.tasks_of)
    navigation_collecting.connect(routes.navigation)
    register_vocabulary(app, vocabulary.VisitType, vocabulary.VISIT_TYPE_LABELS)
    # planning has its own Dimension (the same three, labelled alike)
    register_vocabulary(
        app, vocabulary.Dimension, vocabulary.DIMENSION_LABELS, name="MonitoringDimension"
    )
    app.jinja_env.filters["sustainability_score"] = routes.format_score
    app.jinja_env.filters["score_band"] = bands.band_of
    app.jinja_env.globals["score_bands"] = bands.band_ranges
    app.jinja_env.globals["chart_marker"] = chart.marker_path
    app.jinja_env.globals["visit_answers"] = routes.visit_answers
    demo_steps_collecting.connect(demo.demo_step)
    skeleton_collecting.connect(queries.skeleton_part)
