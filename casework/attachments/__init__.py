"""Case attachments: files sealed under the person's data key, typed by content, audited."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The attachments panel and the file-size filter."""
    from casework.attachments import routes
    from casework.panels import CasePanel, register_case_panel

    register_case_panel(
        app,
        CasePanel("attachments", "casework/attachments/_panel.html", 40, routes.panel_context),
    )
    app.jinja_env.filters["attachment_size"] = routes.format_size
