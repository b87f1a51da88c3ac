"""Consent and the other legal bases for processing and sharing a case's data."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The consent panel and vocabulary; its part of the skeleton."""
    from casework.consent import queries, routes, vocabulary
    from casework.panels import CasePanel, register_case_panel
    from casework.signals import skeleton_collecting

    register_case_panel(
        app, CasePanel("consent", "casework/consent/_panel.html", 30, routes.panel_context)
    )
    app.jinja_env.globals["consent_vocabulary"] = vocabulary
    skeleton_collecting.connect(queries.skeleton_part)
