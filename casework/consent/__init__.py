"""Consent and the other legal bases for processing and sharing a case's data."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The consent panel and vocabulary."""
    from casework.consent import routes, vocabulary
    from casework.panels import CasePanel, register_case_panel

    register_case_panel(
        app, CasePanel("consent", "casework/consent/_panel.html", 30, routes.panel_context)
    )
    app.jinja_env.globals["consent_vocabulary"] = vocabulary
