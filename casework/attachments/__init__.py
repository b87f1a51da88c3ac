"""Case attachments: files sealed under the person's data key, typed by content, audited."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The attachments panel and the file-size filter."""
    from casework.attachments import routes
    from casework.signals import case_panels_collecting

    case_panels_collecting.connect(routes.case_panel)
    app.jinja_env.filters["attachment_size"] = routes.format_size
